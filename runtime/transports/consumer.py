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

A server that stops (SIGTERM) cancels every consumer without a disconnect.
The consumer then ends its call as a caller who vanished and waits, a few
seconds at most, for the call's end to be logged; Daphne waits for its
consumers before it exits. Calls it cannot end so are closed later by
``close_lost_calls`` (runtime/live/sweep.py).
"""

import asyncio
import logging

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

logger = logging.getLogger("outcall.live")

# How long a consumer cancelled at shutdown waits for its call to be closed.
SHUTDOWN_SECONDS = 5.0


class TelephonyConsumer(AsyncWebsocketConsumer):
    pipeline = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except asyncio.CancelledError:
            await self._end_call_at_shutdown()
            raise

    async def _end_call_at_shutdown(self):
        pipeline = self.pipeline
        if pipeline is None or pipeline.done.is_set():
            return
        logger.info("%s: the server is stopping; ending the call", pipeline.call_id)
        pipeline.hangup(vanished=True)
        try:
            await asyncio.wait_for(
                asyncio.shield(pipeline.wait_closed()), SHUTDOWN_SECONDS
            )
        except (asyncio.TimeoutError, asyncio.CancelledError):
            logger.warning(
                "%s: not closed at shutdown; close_lost_calls will", pipeline.call_id
            )

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
