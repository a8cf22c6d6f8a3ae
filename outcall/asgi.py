import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outcall.settings")
django_asgi_app = get_asgi_application()

# Imported after Django is set up: the consumers use the ORM.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from outcall.routing import websocket_urlpatterns  # noqa: E402
from runtime.live.setup import warm_up  # noqa: E402
from runtime.transports.origin import telephony_or  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": telephony_or(
            AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            )
        ),
    }
)

warm_up()

# The objects made while loading (Django, the URL conf, the libraries) live
# as long as the process: keep them out of the cyclic garbage collector's
# full passes. Under the allocations of 50 live calls a process, those
# passes stalled the event loop for about 100 ms each; about 40 once frozen.
gc.freeze()
