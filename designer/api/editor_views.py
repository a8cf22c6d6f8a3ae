"""API endpoints the editor page uses beside the documents: a template
preview, a diff between two versions and the built-in intent packs."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from designer import editing
from designer.api.permissions import Role
from designer.api.views import TEAM_PARAMETER, ScriptView, errors
from designer.errors import InvalidInput, VersionNotFound


class PreviewSerializer(serializers.Serializer):
    template = serializers.CharField(allow_blank=True, trim_whitespace=False)
    document = serializers.JSONField(
        required=False,
        help_text="Whose variable examples to use; the draft's if left out.",
    )
    variables = serializers.DictField(required=False)
    segment = serializers.CharField(required=False, allow_blank=True, default="")


class PreviewResultSerializer(serializers.Serializer):
    text = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_null=True)


class PreviewView(ScriptView):
    serializer_class = PreviewResultSerializer
    roles = {"POST": Role.VIEWER}

    @extend_schema(
        summary="Render a prompt template for a sample contact",
        description="The contact's variables are the examples of the document's "
        "variables, overridden by `variables`. A template that does not render "
        "answers 200 with `error` saying why.",
        parameters=[TEAM_PARAMETER],
        request=PreviewSerializer,
        responses={200: PreviewResultSerializer, **errors(400, 404)},
    )
    def post(self, request, slug):
        script = self.get_script()
        data = PreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = data.validated_data.get("document")
        if document is None:
            document = script.draft.document
        return Response(
            editing.template_preview(
                source=data.validated_data["template"],
                document=document,
                variables=data.validated_data.get("variables"),
                segment=data.validated_data["segment"],
            )
        )


def _version_parameter(name: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        required=True,
        description="A version number, or `draft`.",
    )


class DiffView(ScriptView):
    roles = {"GET": Role.VIEWER}

    @extend_schema(
        summary="What changed between two versions (or a version and the draft)",
        parameters=[
            TEAM_PARAMETER,
            _version_parameter("from"),
            _version_parameter("to"),
        ],
        responses={200: OpenApiTypes.OBJECT, **errors(400, 404)},
    )
    def get(self, request, slug):
        script = self.get_script()
        old = self._document(script, request.query_params.get("from"), "from")
        new = self._document(script, request.query_params.get("to"), "to")
        return Response(editing.document_diff(old, new))

    def _document(self, script, value, name) -> dict:
        if value == "draft":
            return script.draft.document
        if not value or not value.isdigit():
            raise InvalidInput(f"`{name}` must be a version number or `draft`.")
        version = script.versions.filter(number=int(value)).first()
        if version is None:
            raise VersionNotFound(f"Script '{script.slug}' has no version {value}.")
        return version.document


class BuiltinIntentsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The built-in intents of a language, with their examples",
        parameters=[
            OpenApiParameter(
                "language", OpenApiTypes.STR, required=True, enum=["ru", "en"]
            )
        ],
        responses={200: OpenApiTypes.OBJECT, **errors(400)},
    )
    def get(self, request):
        language = request.query_params.get("language", "")
        return Response(
            {
                "language": language,
                "intents": editing.builtin_intents(language=language),
            }
        )
