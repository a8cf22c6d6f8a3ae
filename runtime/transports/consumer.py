"""The base of the telephony WebSocket consumers.

Channels' ``AsyncConsumer.dispatch`` runs Django's ``close_old_connections``
through ``sync_to_async`` before every message. That is one hop to the
process's single thread-sensitive worker thread per message, and a live
call sends fifty audio frames a second: with a hundred calls in a process
the hops queue behind each other and frames are taken in seconds late.

A call's consumer never touches Django's database connections on the event
loop: everything it stores goes through ``runtime.live.setup`` in worker
threads that close their own connections. So these consumers dispatch
straight to the handler.
"""

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer


class TelephonyConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
