"""Call routes for AudioSocket: which script a call UUID runs.

``POST /api/live/routes/`` with a team token sets a route before Asterisk
connects (see docs/live-protocol.md); ``GET`` lists the team's routes.
"""

import uuid

from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from designer.api.authentication import TokenPrincipal
from designer.errors import ScriptNotFound, VersionNotFound
from designer.services import resolve_version
from runtime.models import CallRoute


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


class CallRouteView(APIView):
    permission_classes = [IsAuthenticated]

    def team(self):
        user = self.request.user
        return user.team if isinstance(user, TokenPrincipal) else None

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


def route_for(call_uuid: uuid.UUID) -> CallRoute | None:
    """The route of ``call_uuid``, else the default route."""
    return (
        CallRoute.objects.select_related("team").filter(call_uuid=call_uuid).first()
        or CallRoute.objects.select_related("team").filter(is_default=True).first()
    )
