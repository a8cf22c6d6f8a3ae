from django.urls import path

from runtime.api.views import CallResultView, CallRouteView, TransferTargetView

app_name = "live-api"

urlpatterns = [
    path("routes/", CallRouteView.as_view(), name="call-routes"),
    path("calls/<str:call_id>/", CallResultView.as_view(), name="call-result"),
    path(
        "calls/<str:call_id>/transfer-target/",
        TransferTargetView.as_view(),
        name="call-transfer-target",
    ),
]
