"""WebSocket routes of every app, gathered in one list for the ASGI router.

Each app that serves WebSockets lists its routes in ``<app>/routing.py``
as ``websocket_urlpatterns``; add the app here.
"""

import importlib

APPS_WITH_WEBSOCKETS = ["designer", "runtime"]

websocket_urlpatterns = []
for app in APPS_WITH_WEBSOCKETS:
    try:
        module = importlib.import_module(f"{app}.routing")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.routing":
            raise
        continue
    websocket_urlpatterns += module.websocket_urlpatterns
