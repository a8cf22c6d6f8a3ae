from django.urls import path, re_path

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
    # What a dialplan may send by mistake (an empty ${CALL_UUID}, no final
    # slash) still gets the plain-text answer, so no error body reaches Dial().
    re_path(r"^calls/(?P<call_id>[^/]*)/transfer-target/?$", TransferTargetView.as_view()),
]
