"""The authoring API: routes, team scoping, roles, tokens and errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from designer import services
from designer.models import ApiToken, Membership, Script
from tests.designer.conftest import member
from tests.designer.documents import end, node, valid_document

pytestmark = pytest.mark.django_db

SCRIPT = "/api/scripts/card-offer/"


# -- authentication ------------------------------------------------------------


def test_a_request_without_credentials_is_401(script, client_for):
    response = client_for().get("/api/scripts/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "token"])
def test_a_team_token_authenticates_as_a_publisher_of_its_team(
    team, script, client_for, keyword
):
    _, key = ApiToken.issue(team=team, name="ci")
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    assert client.get(SCRIPT).json()["slug"] == "card-offer"
    assert client.post(f"{SCRIPT}publish/").status_code == 201


@pytest.mark.parametrize(
    "header, message",
    [
        ("Token oc_not-a-key", "Unknown or revoked API token."),
        ("Token", "Send the header as 'Authorization: Token <key>', with one key."),
        (
            "Bearer a b",
            "Send the header as 'Authorization: Token <key>', with one key.",
        ),
    ],
)
def test_a_bad_token_is_401(script, client_for, header, message):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(SCRIPT)
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "authentication_failed", "message": message}
    }


def test_a_revoked_token_is_401(team, script, client_for):
    token, key = ApiToken.issue(team=team)
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    response = client_for(key=key).get(SCRIPT)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Unknown or revoked API token."


def test_a_token_acts_for_no_user(team, script, client_for):
    client = client_for(token_team=team)
    response = client.put(
        f"{SCRIPT}draft/",
        {"document": valid_document(), "base_revision": 1},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["author"] is None


# -- team scoping --------------------------------------------------------------


def test_another_teams_script_does_not_exist_for_a_user(script, other_team, client_for):
    stranger = member(other_team, "gleb", Membership.Role.PUBLISHER)
    client = client_for(stranger)
    for path in ["", "draft/", "versions/", "draft/export/"]:
        response = client.get(f"{SCRIPT}{path}")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "script_not_found"
    assert client.post(f"{SCRIPT}publish/").status_code == 404
    assert client.get("/api/scripts/").json() == []


def test_another_teams_script_does_not_exist_for_a_token(
    script, other_team, client_for
):
    client = client_for(token_team=other_team)
    response = client.get(f"{SCRIPT}versions/1/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "script_not_found",
            "message": "Team globex has no script 'card-offer'.",
        }
    }
    assert (
        client.put(
            f"{SCRIPT}draft/", {"document": {}, "base_revision": None}, format="json"
        ).status_code
        == 404
    )


def test_naming_a_team_one_is_not_in_is_404(script, other_team, author, client_for):
    response = client_for(author).get(f"{SCRIPT}?team=globex")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "team_not_found",
        "message": "You are not in a team 'globex'.",
    }


def test_a_user_of_several_teams_says_which(
    script, other_script, other_team, author, client_for
):
    Membership.objects.create(user=author, team=other_team, role=Membership.Role.VIEWER)
    client = client_for(author)

    response = client.get(SCRIPT)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "team_required"
    assert "several teams (acme, globex)" in response.json()["error"]["message"]

    assert client.get(f"{SCRIPT}?team=globex").json()["name"] == "Their offer"
    assert client.get(f"{SCRIPT}?team=acme").json()["name"] == "Card offer"
    listed = client.get("/api/scripts/").json()
    assert [(s["team"], s["slug"]) for s in listed] == [
        ("acme", "card-offer"),
        ("globex", "card-offer"),
    ]
    assert len(client.get("/api/scripts/?team=globex").json()) == 1
    created = client.post(
        "/api/scripts/",
        {"team": "acme", "slug": "new", "name": "New", "language": "en"},
        format="json",
    )
    assert created.json()["team"] == "acme"


def test_a_user_in_no_team_is_told_so(client_for, db):
    from django.contrib.auth import get_user_model

    loner = get_user_model().objects.create_user("loner")
    response = client_for(loner).post(
        "/api/scripts/", {"slug": "x", "name": "X", "language": "ru"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "team_not_found"


# -- roles ---------------------------------------------------------------------


def test_a_viewer_reads_and_validates_but_does_not_edit(script, viewer, client_for):
    client = client_for(viewer)
    assert client.get(f"{SCRIPT}draft/").status_code == 200
    assert client.post(f"{SCRIPT}validate/", {}, format="json").status_code == 200

    response = client.put(
        f"{SCRIPT}draft/", {"document": {}, "base_revision": 1}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "message": "Your role in team acme is viewer; editing scripts needs "
            "the author or publisher role.",
        }
    }
    assert (
        client.post(
            "/api/scripts/", {"slug": "x", "name": "X", "language": "ru"}, format="json"
        ).status_code
        == 403
    )
    assert client.patch(SCRIPT, {"name": "Renamed"}, format="json").status_code == 403


def test_an_author_edits_but_does_not_publish(script, author, client_for):
    client = client_for(author)
    assert (
        client.patch(SCRIPT, {"name": "Renamed"}, format="json").json()["name"]
        == "Renamed"
    )

    response = client.post(f"{SCRIPT}publish/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Your role in team acme is author; publishing and deleting scripts need "
        "the publisher role."
    )
    assert client.delete(SCRIPT).status_code == 403


def test_a_publisher_publishes(script, publisher, client_for):
    response = client_for(publisher).post(f"{SCRIPT}publish/", {}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["revision"], body["author"]) == (1, 1, "polina")
    assert body["checksum"] == script.draft.checksum


# -- scripts -------------------------------------------------------------------


def test_the_list_summarises_each_script(script, publisher, client_for):
    services.script_publish(script=script, author=publisher)
    services.draft_save(
        script=script,
        document={"work": "in progress"},
        author=publisher,
        base_revision=1,
    )
    [summary] = client_for(publisher).get("/api/scripts/").json()
    assert {k: v for k, v in summary.items() if not k.endswith("_at")} == {
        "team": "acme",
        "slug": "card-offer",
        "name": "Card offer",
        "language": "ru",
        "draft_revision": 2,
        "last_editor": "polina",
        "latest_version": 1,
        "has_unpublished_changes": True,
    }


def test_the_list_takes_a_fixed_number_of_queries(team, author, client_for):
    client = client_for(author)
    for slug in ["a", "b", "c", "d"]:
        services.script_create(
            team=team, slug=slug, name=slug, language="ru", author=author
        )
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get("/api/scripts/").json()) == 4
    # session, user, memberships, the scripts
    assert len(queries) == 4


def test_creating_a_script(team, author, client_for):
    response = client_for(author).post(
        "/api/scripts/",
        {"slug": "hello", "name": "Hello", "language": "en"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["draft_revision"], body["latest_version"]) == (
        "hello",
        1,
        None,
    )
    assert Script.objects.get(slug="hello").draft.document["language"] == "en"


def test_creating_a_script_with_a_taken_slug_is_409(script, author, client_for):
    response = client_for(author).post(
        "/api/scripts/",
        {"slug": "card-offer", "name": "Again", "language": "ru"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slug_taken"


def test_a_request_with_bad_fields_names_them(team, author, client_for):
    response = client_for(author).post(
        "/api/scripts/", {"slug": "ok", "language": "xx"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert set(error["fields"]) == {"name", "language"}


def test_only_a_never_published_script_can_be_deleted(script, publisher, client_for):
    client = client_for(publisher)
    client.post(f"{SCRIPT}publish/")
    response = client.delete(SCRIPT)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "script_protected"
    assert Script.objects.filter(slug="card-offer").exists()


# -- the draft -----------------------------------------------------------------


def test_reading_and_saving_the_draft(script, author, client_for):
    client = client_for(author)
    draft = client.get(f"{SCRIPT}draft/").json()
    assert (draft["revision"], draft["author"], draft["document"]) == (
        1,
        "artem",
        valid_document(),
    )

    document = valid_document()
    document["nodes"].append(end("spare"))
    response = client.put(
        f"{SCRIPT}draft/", {"document": document, "base_revision": 1}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["revision"], response.json()["document"]) == (2, document)


def test_saving_over_someone_elses_save_is_409_with_the_current_revision(
    script, author, client_for
):
    client = client_for(author)
    client.put(
        f"{SCRIPT}draft/", {"document": {"a": 1}, "base_revision": 1}, format="json"
    )
    response = client.put(
        f"{SCRIPT}draft/", {"document": {"b": 2}, "base_revision": 1}, format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["current_revision"]) == ("draft_conflict", 2)
    assert script.draft.document == {"a": 1}


def test_a_draft_save_must_say_its_base_revision(script, author, client_for):
    response = client_for(author).put(
        f"{SCRIPT}draft/", {"document": {}}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["base_revision"]


def test_a_draft_document_must_be_an_object(script, author, client_for):
    response = client_for(author).put(
        f"{SCRIPT}draft/", {"document": [1], "base_revision": None}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_input",
        "message": "A script document must be a JSON object.",
    }


# -- validate and publish ------------------------------------------------------


def test_validate_answers_every_problem(script, viewer, client_for):
    document = valid_document()
    node(document, "offer")["routes"][0]["to"] = "nowhere"
    document["nodes"].append(end("orphan"))
    response = client_for(viewer).post(
        f"{SCRIPT}validate/", {"document": document}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "valid": False,
        "problems": [
            {
                "code": "unknown_target",
                "message": "The route goes to 'nowhere', which is not a node "
                "of the script.",
                "node": "offer",
                "field": "routes[0].to",
                "severity": "error",
            },
            {
                "code": "unreachable_node",
                "message": "No route leads here from the start node.",
                "node": "orphan",
                "field": None,
                "severity": "warning",
            },
        ],
    }


def test_validate_without_a_document_checks_the_draft(script, viewer, client_for):
    response = client_for(viewer).post(f"{SCRIPT}validate/")
    assert response.json() == {"valid": True, "problems": []}


def test_publishing_an_invalid_draft_is_422_with_the_problems(
    script, publisher, client_for
):
    document = valid_document()
    del node(document, "end_refusal")["outcome"]
    services.draft_save(
        script=script, document=document, author=publisher, base_revision=None
    )

    response = client_for(publisher).post(f"{SCRIPT}publish/")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"] == "The script has 1 error(s); fix them and try again."
    assert [(p["code"], p["node"], p["field"]) for p in error["problems"]] == [
        ("missing_outcome", "end_refusal", "outcome")
    ]
    assert not script.versions.filter(number__isnull=False).exists()


def test_publish_with_a_stale_base_revision_is_409(script, publisher, client_for):
    response = client_for(publisher).post(
        f"{SCRIPT}publish/", {"base_revision": 3}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "draft_conflict",
        "message": "The draft changed after revision 3, which you meant to "
        "publish; it is now at revision 1. Nothing was published: review the "
        "draft and publish with base_revision 1.",
        "current_revision": 1,
    }


def test_publishing_an_unchanged_draft_is_409(script, publisher, client_for):
    client = client_for(publisher)
    assert client.post(f"{SCRIPT}publish/").status_code == 201
    response = client.post(f"{SCRIPT}publish/")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "nothing_to_publish",
        "message": "The draft is the same as version 1; change it before "
        "publishing again.",
    }


# -- versions and export -------------------------------------------------------


def test_versions_are_listed_newest_first_without_documents(
    script, publisher, client_for
):
    client = client_for(publisher)
    client.post(f"{SCRIPT}publish/")
    edited = {**valid_document(), "start": "offer"}
    client.put(
        f"{SCRIPT}draft/", {"document": edited, "base_revision": 1}, format="json"
    )
    client.post(f"{SCRIPT}publish/")
    listed = client.get(f"{SCRIPT}versions/").json()
    assert [v["number"] for v in listed] == [2, 1]
    assert "document" not in listed[0]

    detail = client.get(f"{SCRIPT}versions/1/").json()
    assert (detail["number"], detail["document"]) == (1, valid_document())
    missing = client.get(f"{SCRIPT}versions/3/")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": "version_not_found",
        "message": "Script 'card-offer' has no version 3.",
    }


def test_exports_are_bundles_to_download(script, publisher, client_for):
    client = client_for(publisher)
    version = client.post(f"{SCRIPT}publish/").json()

    response = client.get(f"{SCRIPT}versions/1/export/")
    assert (
        response["Content-Disposition"] == 'attachment; filename="card-offer-v1.json"'
    )
    bundle = response.json()
    assert bundle["outcall_export"] == 1
    assert bundle["version"]["checksum"] == version["checksum"]
    assert bundle["document"] == valid_document()

    draft = client.get(f"{SCRIPT}draft/export/").json()
    assert (draft["version"]["number"], draft["version"]["published_at"]) == (
        None,
        None,
    )
    assert draft["document"] == bundle["document"]


def test_import_creates_a_script_then_replaces_its_draft(
    script, publisher, other_team, client_for
):
    bundle = client_for(publisher).get(f"{SCRIPT}draft/export/").json()
    theirs = client_for(member(other_team, "gleb", Membership.Role.AUTHOR))

    created = theirs.post("/api/scripts/import/", bundle, format="json")
    assert created.status_code == 201
    assert (created.json()["team"], created.json()["draft_revision"]) == ("globex", 1)

    replaced = theirs.post("/api/scripts/import/", bundle, format="json")
    assert replaced.status_code == 200
    assert replaced.json()["draft_revision"] == 2

    renamed = theirs.post("/api/scripts/import/?slug=copy", bundle, format="json")
    assert (renamed.status_code, renamed.json()["slug"]) == (201, "copy")


def test_a_bad_import_is_refused(team, author, client_for):
    client = client_for(author)
    response = client.post("/api/scripts/import/", {"script": {}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"
    assert response.json()["error"]["message"].startswith(
        "This is not an Outcall export"
    )

    bundle = {
        "outcall_export": 1,
        "script": {"slug": "x", "name": "X", "language": "ru"},
        "document": {"format": "outcall-graph"},
    }
    response = client.post("/api/scripts/import/", bundle, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"
    assert not Script.objects.exists()


def test_a_viewer_cannot_import(team, viewer, client_for):
    response = client_for(viewer).post("/api/scripts/import/", {}, format="json")
    assert response.status_code == 403


# -- the schema ----------------------------------------------------------------


def test_the_openapi_schema_is_served(author, client_for):
    response = client_for(author).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/scripts/{slug}/versions/{number}/export/" in paths
    assert "teamToken" in response.json()["components"]["securitySchemes"]


def test_the_openapi_schema_generates_without_warnings(capsys):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    assert "Warning" not in capsys.readouterr().err


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_assets_from_this_server(client):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("reader"))

    page = client.get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
