"""The telephony layer's API, with a team token.

Call routes for AudioSocket: ``POST /api/live/routes/`` sets which script a
call UUID runs before Asterisk connects; ``GET`` lists the team's routes.
Call results: ``GET /api/live/calls/<call_id>/`` says how a live call
ended (outcome, node, transfer), and ``.../transfer-target/`` gives the
transfer target alone, as plain text for Asterisk's ``CURL()``. See
docs/live-protocol.md.
"""

import logging
import uuid

from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from designer.api.authentication import TokenPrincipal
from designer.errors import ScriptNotFound, VersionNotFound
from designer.services import resolve_version
from runtime.live.results import CallNotFound, CallResult, call_result
from runtime.models import CallRoute

logger = logging.getLogger("outcall.live")


class CallRouteSerializer(serializers.Serializer):
    call_uuid = serializers.UUIDField(required=False, allow_null=True)
    default = serializers.BooleanField(required=False, default=False)
    script = serializers.SlugField()
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    segment = serializers.CharField(required=False, allow_blank=True, max_length=64)
    variables = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False
    )

    def validate(self, data):
        if bool(data.get("call_uuid")) == bool(data.get("default")):
            raise serializers.ValidationError(
                "Give either 'call_uuid' or \"default\": true, not both or neither."
            )
        return data


def route_as_dict(route: CallRoute) -> dict:
    return {
        "call_uuid": str(route.call_uuid) if route.call_uuid else None,
        "default": route.is_default,
        "script": route.script,
        "version": route.version,
        "phone": route.phone,
        "segment": route.segment,
        "variables": route.variables,
        "created_at": route.created_at.isoformat(),
    }


def error(code: str, message: str, status_code: int) -> Response:
    return Response({"error": {"code": code, "message": message}}, status=status_code)


class TeamTokenView(APIView):
    """A view for the telephony layer: a team token, never a session."""

    permission_classes = [IsAuthenticated]

    def team(self):
        user = self.request.user
        return user.team if isinstance(user, TokenPrincipal) else None


class CallRouteView(TeamTokenView):
    @extend_schema(summary="The team's call routes", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        team = self.team()
        if team is None:
            return error("token_required", "Call routes take a team API token.", 403)
        routes = CallRoute.objects.filter(team=team).order_by("-created_at")[:500]
        return Response({"routes": [route_as_dict(r) for r in routes]})

    @extend_schema(
        summary="Route a call UUID (or every unknown one) to a script",
        request=CallRouteSerializer,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        team = self.team()
        if team is None:
            return error("token_required", "Call routes take a team API token.", 403)
        serializer = CallRouteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            resolve_version(team=team, slug=data["script"], number=data.get("version"))
        except (ScriptNotFound, VersionNotFound) as exc:
            return error("not_found", str(exc), 404)

        fields = {
            "team": team,
            "script": data["script"],
            "version": data.get("version"),
            "phone": data.get("phone", ""),
            "segment": data.get("segment", ""),
            "variables": data.get("variables", {}),
        }
        try:
            with transaction.atomic():
                if data.get("default"):
                    current = CallRoute.objects.select_for_update().filter(is_default=True)
                    if current.exclude(team=team).exists():
                        return error(
                            "default_taken",
                            "Another team holds the default route.",
                            409,
                        )
                    current.delete()
                    route = CallRoute.objects.create(is_default=True, **fields)
                else:
                    route = CallRoute.objects.create(call_uuid=data["call_uuid"], **fields)
        except IntegrityError:
            return error("route_exists", "That call UUID already has a route.", 409)
        return Response(route_as_dict(route), status=status.HTTP_201_CREATED)


def result_as_dict(result: CallResult) -> dict:
    transfer = None
    if result.transfer is not None:
        transfer = {
            "target": result.transfer.target,
            "summary": result.transfer.summary,
            "context": result.transfer.context,
        }
    return {
        "call_id": result.call_id,
        "status": "ended" if result.ended else "running",
        "outcome": result.outcome,
        "node": result.node,
        "transfer": transfer,
        "started_at": result.started_at.isoformat(),
        "ended_at": result.ended_at.isoformat() if result.ended_at else None,
        "duration": result.duration,
    }


class CallResultView(TeamTokenView):
    @extend_schema(
        summary="How a live call ended: outcome, node, transfer",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, call_id):
        team = self.team()
        if team is None:
            return error("token_required", "Call results take a team API token.", 403)
        try:
            result = call_result(team=team, call_id=call_id)
        except CallNotFound as exc:
            return error(exc.code, str(exc), 404)
        return Response(result_as_dict(result))


class PlainTextRenderer(BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Asterisk's CURL() returns the body whatever the status, so an
        # error's body is empty: its message must never reach Dial().
        return data.encode("utf-8") if isinstance(data, str) else b""


class TextOnly(BaseContentNegotiation):
    """Plain text whatever the client says it accepts."""

    def select_parser(self, request, parsers):
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class TransferTargetView(TeamTokenView):
    renderer_classes = [PlainTextRenderer]
    content_negotiation_class = TextOnly

    @extend_schema(
        summary="The transfer target of an ended live call, as plain text",
        description="Empty when the call did not end with a transfer, is still "
        "running, or on any error (the status says which).",
        responses={(200, "text/plain"): OpenApiTypes.STR},
    )
    def get(self, request, call_id):
        team = self.team()
        if team is None:
            return Response("", status=403)
        try:
            result = call_result(team=team, call_id=call_id)
        except CallNotFound:
            return Response("", status=404)
        return Response(result.transfer.target if result.transfer else "")

    def handle_exception(self, exc):
        # Whatever fails, the body stays empty (an unexpected error would
        # otherwise answer Django's HTML error page, and Dial() would get it).
        try:
            return super().handle_exception(exc)
        except Exception:
            logger.exception("transfer target: the request failed")
            return Response("", status=500)


def route_for(call_uuid: uuid.UUID) -> CallRoute | None:
    """The route of ``call_uuid``, else the default route."""
    return (
        CallRoute.objects.select_related("team").filter(call_uuid=call_uuid).first()
        or CallRoute.objects.select_related("team").filter(is_default=True).first()
    )
