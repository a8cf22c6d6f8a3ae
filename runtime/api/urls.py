from django.urls import path

from runtime.api.views import CallRouteView

app_name = "live-api"

urlpatterns = [
    path("routes/", CallRouteView.as_view(), name="call-routes"),
]
