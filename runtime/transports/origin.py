"""Telephony WebSockets skip the browser Origin check.

Twilio and telephony gateways send no ``Origin`` header, which Channels'
``AllowedHostsOriginValidator`` refuses. The check guards cookie sessions
against other web pages; the telephony routes use no cookies, only the
team token, so they are routed around it and everything else goes through.
"""

from channels.routing import URLRouter

TELEPHONY_PREFIXES = ("/ws/call/", "/ws/twilio/")


def telephony_or(inner):
    from runtime.routing import telephony_urlpatterns

    telephony = URLRouter(telephony_urlpatterns)

    async def application(scope, receive, send):
        if scope["type"] == "websocket" and scope["path"].startswith(TELEPHONY_PREFIXES):
            return await telephony(scope, receive, send)
        return await inner(scope, receive, send)

    return application
