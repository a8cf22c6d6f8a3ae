from django.urls import path

from designer import consumers

websocket_urlpatterns = [
    path("ws/simulator/<slug:slug>/", consumers.SimulatorConsumer.as_asgi()),
]
