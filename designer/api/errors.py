"""Every API error answers ``{"error": {"code", "message", ...}}``."""

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from designer.errors import DesignerError


def api_exception_handler(exc, context):
    if isinstance(exc, DesignerError):
        return Response({"error": exc.as_dict()}, status=exc.status_code)

    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django answers 500 and logs it

    if isinstance(exc, exceptions.ValidationError):
        error = {
            "code": "invalid_input",
            "message": "Some fields are not valid; see `fields`.",
            "fields": response.data,
        }
    else:
        detail = getattr(exc, "detail", None)
        error = {
            "code": getattr(detail, "code", None)
            or getattr(exc, "default_code", "error"),
            "message": str(detail) if detail is not None else str(exc),
        }
    response.data = {"error": error}
    return response
