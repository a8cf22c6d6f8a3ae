"""JSON answers under /api/ for what never reaches a DRF view.

``urlpatterns`` is the last route under ``api/`` (see ``outcall/urls.py``):
a path no API route matches answers a JSON 404 rather than Django's page.
``RequestTooLargeMiddleware`` answers a JSON 413 for a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE``.
"""

from django.conf import settings
from django.http import JsonResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt


def error_response(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt
def not_found(request, rest=""):
    hint = ""
    if not request.path.endswith("/"):
        hint = " API paths end with '/'."
    return error_response(
        "not_found",
        f"No API endpoint at {request.path}.{hint} The endpoints are listed "
        "at /api/docs/.",
        404,
    )


urlpatterns = [re_path(r"^(?P<rest>.*)$", not_found)]

IMPORT_PATH = "/api/scripts/import/"


class RequestTooLargeMiddleware:
    """Answer 413 ``too_large`` for an API body over the configured size.

    DRF's parsers read the body as a stream, where Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not apply, so the size is checked
    here, from ``Content-Length``, before anything is read. An import may
    be larger (``OUTCALL_IMPORT_MAX_BYTES``): its bundle carries the
    script's recordings. Multipart bodies keep Django's own rule (files do
    not count; ``designer.api.uploads`` limits them).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.path == IMPORT_PATH:
            limit = settings.OUTCALL_IMPORT_MAX_BYTES
        if (
            limit is not None
            and request.path.startswith("/api/")
            and not request.content_type.startswith("multipart/")
            and _content_length(request) > limit
        ):
            return error_response(
                "too_large",
                f"The request body is over {limit} bytes, the most the API accepts.",
                413,
            )
        return self.get_response(request)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
