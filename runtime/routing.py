"""WebSocket routes of the live runtime.

The telephony routes authenticate with the team token and are served
without the browser Origin check (``runtime.transports.origin``).
"""

from django.urls import path

from runtime.transports.outcall_ws import CallConsumer
from runtime.transports.twilio import TwilioConsumer

telephony_urlpatterns = [
    path("ws/call/", CallConsumer.as_asgi()),
    path("ws/twilio/", TwilioConsumer.as_asgi()),
]

websocket_urlpatterns = list(telephony_urlpatterns)
