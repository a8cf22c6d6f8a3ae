"""The authoring API: parse the request, call one service, answer.

Scripts are addressed by slug within a team. A caller in one team (every
API token) never names it; a user in several passes ``team=SLUG`` in the
query string (or, for POST, the body).
"""

from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from designer import selectors, services
from designer.api import serializers as s
from designer.api.parsers import DocumentParser
from designer.api.permissions import HasTeamRole, Role, memberships, team_and_role
from designer.errors import InvalidInput, ScriptNotFound, VersionNotFound
from designer.graph.validation import has_errors
from designer.models import Script, ScriptVersion

TEAM_PARAMETER = OpenApiParameter(
    "team",
    OpenApiTypes.STR,
    description="Slug of the team to act in; needed only by users of several teams.",
)


def errors(*statuses: int) -> dict:
    return {code: OpenApiResponse(s.ErrorSerializer) for code in statuses}


def author_of(request) -> AbstractBaseUser | None:
    """The user to record as author; ``None`` for an API token."""
    return request.user if isinstance(request.user, AbstractBaseUser) else None


class TeamView(GenericAPIView):
    """A view acting in one of the caller's teams (see ``HasTeamRole``)."""

    permission_classes = [IsAuthenticated, HasTeamRole]
    roles: dict = {}

    @cached_property
    def team_and_role(self):
        return team_and_role(self.request.user, self.requested_team())

    @property
    def team(self):
        return self.team_and_role[0]

    def requested_team(self) -> str | None:
        team = self.request.query_params.get("team")
        if (
            not team
            and self.request.method == "POST"
            and isinstance(self.request.data, dict)
        ):
            team = self.request.data.get("team")
        return team if isinstance(team, str) else None


class ScriptView(TeamView):
    """A view of one script, ``slug`` in the URL."""

    def get_script(self) -> Script:
        script = (
            selectors.script_list(teams=[self.team])
            .filter(slug=self.kwargs["slug"])
            .first()
        )
        if script is None:
            raise ScriptNotFound(
                f"Team {self.team.slug} has no script '{self.kwargs['slug']}'."
            )
        return script

    def get_version(self, script: Script) -> ScriptVersion:
        number = self.kwargs["number"]
        version = (
            script.versions.filter(number=number)
            .select_related("author", "script")
            .first()
        )
        if version is None:
            raise VersionNotFound(f"Script '{script.slug}' has no version {number}.")
        return version

    def script_response(
        self, script: Script, status_code=status.HTTP_200_OK
    ) -> Response:
        fresh = selectors.script_list(teams=[script.team]).get(pk=script.pk)
        return Response(s.ScriptSerializer(fresh).data, status=status_code)


AUDIO_PARAMETER = OpenApiParameter(
    "audio",
    OpenApiTypes.BOOL,
    description="Carry the recordings the document plays, as base64 WAV "
    "(default true). Without them the bundle imports only into a script that "
    "has them.",
)


def wants_audio(request) -> bool:
    value = request.query_params.get("audio", "1").lower()
    if value not in ("1", "true", "0", "false"):
        raise InvalidInput("`audio` is true or false (1 or 0).")
    return value in ("1", "true")


def exported(bundle: dict, filename: str) -> Response:
    response = Response(bundle)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ScriptListView(ScriptView):
    serializer_class = s.ScriptSerializer
    roles = {"GET": None, "HEAD": None, "POST": Role.AUTHOR}

    @extend_schema(
        summary="List the scripts of your teams",
        parameters=[TEAM_PARAMETER],
        responses={200: s.ScriptSerializer(many=True), **errors(404)},
    )
    def get(self, request):
        teams = list(memberships(request.user))
        if self.requested_team():
            teams = [self.team]
        scripts = selectors.script_list(teams=teams)
        return Response(s.ScriptSerializer(scripts, many=True).data)

    @extend_schema(
        summary="Create a script and its draft",
        parameters=[TEAM_PARAMETER],
        request=s.ScriptCreateSerializer,
        responses={201: s.ScriptSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request):
        data = s.ScriptCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        script = services.script_create(
            team=self.team,
            slug=data.validated_data["slug"],
            name=data.validated_data["name"],
            language=data.validated_data["language"],
            document=data.validated_data.get("document"),
            author=author_of(request),
        )
        return self.script_response(script, status.HTTP_201_CREATED)


class ScriptDetailView(ScriptView):
    serializer_class = s.ScriptSerializer
    roles = {"DELETE": Role.PUBLISHER}

    @extend_schema(
        summary="A script",
        parameters=[TEAM_PARAMETER],
        responses={200: s.ScriptSerializer, **errors(404)},
    )
    def get(self, request, slug):
        return Response(s.ScriptSerializer(self.get_script()).data)

    @extend_schema(
        summary="Rename a script",
        parameters=[TEAM_PARAMETER],
        request=s.ScriptUpdateSerializer,
        responses={200: s.ScriptSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request, slug):
        script = self.get_script()
        data = s.ScriptUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.script_update(script=script, name=data.validated_data["name"])
        return self.script_response(script)

    @extend_schema(
        summary="Delete a script that was never published",
        description="Scripts with published versions are kept for good (409).",
        parameters=[TEAM_PARAMETER],
        responses={204: None, **errors(403, 404, 409)},
    )
    def delete(self, request, slug):
        services.script_delete(script=self.get_script())
        return Response(status=status.HTTP_204_NO_CONTENT)


class DraftView(ScriptView):
    serializer_class = s.DraftSerializer
    parser_classes = (DocumentParser,)

    @extend_schema(
        summary="The script's draft",
        parameters=[TEAM_PARAMETER],
        responses={200: s.DraftSerializer, **errors(404)},
    )
    def get(self, request, slug):
        draft = self.get_script().draft
        return Response(s.DraftSerializer(draft).data)

    @extend_schema(
        summary="Save the draft",
        description="Drafts may be invalid. When someone saved since "
        "`base_revision`, nothing is saved and the answer is 409 with "
        "`current_revision`.",
        parameters=[TEAM_PARAMETER],
        request=s.DraftSaveSerializer,
        responses={200: s.DraftSerializer, **errors(400, 403, 404, 409)},
    )
    def put(self, request, slug):
        script = self.get_script()
        data = s.DraftSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = services.draft_save(
            script=script,
            document=data.validated_data["document"],
            author=author_of(request),
            base_revision=data.validated_data["base_revision"],
        )
        return Response(s.DraftSerializer(draft).data)


class DraftExportView(ScriptView):
    serializer_class = s.BundleSerializer

    @extend_schema(
        summary="Export the draft",
        parameters=[TEAM_PARAMETER, AUDIO_PARAMETER],
        responses={200: s.BundleSerializer, **errors(404)},
    )
    def get(self, request, slug):
        script = self.get_script()
        bundle = services.version_export(
            version=script.draft, audio=wants_audio(request)
        )
        return exported(bundle, f"{script.slug}-draft.json")


class ValidateView(ScriptView):
    serializer_class = s.ValidationResultSerializer
    parser_classes = (DocumentParser,)
    roles = {"POST": Role.VIEWER}

    @extend_schema(
        summary="Check the draft, or a document, for problems",
        parameters=[TEAM_PARAMETER],
        request=s.ValidateSerializer,
        responses={200: s.ValidationResultSerializer, **errors(400, 404)},
    )
    def post(self, request, slug):
        script = self.get_script()
        data = s.ValidateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        problems = services.script_validate(
            script=script, document=data.validated_data.get("document")
        )
        return Response(
            {
                "valid": not has_errors(problems),
                "problems": [p.as_dict() for p in problems],
            }
        )


class PublishView(ScriptView):
    serializer_class = s.VersionSerializer
    roles = {"POST": Role.PUBLISHER}

    @extend_schema(
        summary="Publish the draft as the next version",
        description="422 with every problem when the draft has errors.",
        parameters=[TEAM_PARAMETER],
        request=s.PublishSerializer,
        responses={201: s.VersionSerializer, **errors(400, 403, 404, 409, 422)},
    )
    def post(self, request, slug):
        script = self.get_script()
        data = s.PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.script_publish(
            script=script,
            author=author_of(request),
            base_revision=data.validated_data.get("base_revision"),
        )
        return Response(
            s.VersionSerializer(version).data, status=status.HTTP_201_CREATED
        )


class VersionListView(ScriptView):
    serializer_class = s.VersionSerializer

    @extend_schema(
        summary="The published versions, newest first",
        parameters=[TEAM_PARAMETER],
        responses={200: s.VersionSerializer(many=True), **errors(404)},
    )
    def get(self, request, slug):
        versions = selectors.version_list(script=self.get_script())
        return Response(s.VersionSerializer(versions, many=True).data)


class VersionDetailView(ScriptView):
    serializer_class = s.VersionDetailSerializer

    @extend_schema(
        summary="A published version with its document",
        parameters=[TEAM_PARAMETER],
        responses={200: s.VersionDetailSerializer, **errors(404)},
    )
    def get(self, request, slug, number):
        version = self.get_version(self.get_script())
        return Response(s.VersionDetailSerializer(version).data)


class VersionExportView(ScriptView):
    serializer_class = s.BundleSerializer

    @extend_schema(
        summary="Export a published version",
        parameters=[TEAM_PARAMETER, AUDIO_PARAMETER],
        responses={200: s.BundleSerializer, **errors(404)},
    )
    def get(self, request, slug, number):
        script = self.get_script()
        version = self.get_version(script)
        bundle = services.version_export(version=version, audio=wants_audio(request))
        return exported(bundle, f"{script.slug}-v{version.number}.json")


class ImportView(ScriptView):
    serializer_class = s.BundleSerializer
    parser_classes = (DocumentParser,)
    roles = {"POST": Role.AUTHOR}

    @extend_schema(
        summary="Import an exported bundle as a script's draft",
        description="The body is a bundle as the export endpoints give it. "
        "It creates the script, or replaces the draft of the team's script "
        "with that slug (201 or 200); published versions are never touched. "
        "The document must be valid (422 otherwise), and every recording it "
        "plays must come in the bundle's `audio` or be the script's already "
        "(422 `unknown_audio` names each missing one).",
        parameters=[
            TEAM_PARAMETER,
            OpenApiParameter(
                "slug", OpenApiTypes.STR, description="Import under this slug instead."
            ),
        ],
        request=s.BundleSerializer,
        responses={
            200: s.ScriptSerializer,
            201: s.ScriptSerializer,
            **errors(400, 403, 404, 422),
        },
    )
    def post(self, request):
        slug = request.query_params.get("slug") or None
        bundle = request.data
        # Only to choose between 200 and 201; the service decides the rest.
        existed = Script.objects.filter(
            team=self.team, slug=slug or _bundle_slug(bundle)
        ).exists()
        script = services.script_import(
            team=self.team, bundle=bundle, author=author_of(request), slug=slug
        )
        return self.script_response(
            script, status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )

    def requested_team(self) -> str | None:
        # The body is the bundle; the team comes from the query string only.
        team = self.request.query_params.get("team")
        return team or None


def _bundle_slug(bundle) -> str | None:
    meta = bundle.get("script") if isinstance(bundle, dict) else None
    return meta.get("slug") if isinstance(meta, dict) else None
