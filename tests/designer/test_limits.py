"""Bad input at the edges of the designer: nesting, size, unrouted paths."""

import json

import pytest

from designer import services
from designer.errors import InvalidInput
from tests.designer.documents import valid_document

pytestmark = pytest.mark.django_db

SCRIPT = "/api/scripts/card-offer/"
TOO_DEEP = (
    "The document nests objects and lists more than 32 levels deep; "
    "a script document needs far fewer."
)
UNREAD = (
    "The body nests objects and lists too deeply to read; a script document "
    "needs far fewer than 32 levels."
)


def nested(levels: int) -> dict:
    """A valid document with an object ``levels`` deep in it, all told."""
    document = valid_document()
    inner = {}
    document["variables"]["name"]["deep"] = inner
    for _ in range(levels - 4):  # document, variables, name, deep
        inner["x"] = {}
        inner = inner["x"]
    return document


def deep_json(levels: int) -> str:
    """An object ``levels`` deep as JSON text, too deep for json.dumps."""
    return '{"x":' * (levels - 1) + "{}" + "}" * (levels - 1)


def post_json(client, method, url, payload, deep=None):
    """Send ``payload`` with ``deep`` (JSON text) in place of "DEEP"."""
    body = json.dumps(payload)
    if deep is not None:
        body = body.replace('"DEEP"', deep)
    return getattr(client, method)(url, body, content_type="application/json")


def test_32_levels_are_accepted_33_are_not(script, author):
    services.script_validate(document=nested(32))
    with pytest.raises(InvalidInput) as caught:
        services.draft_save(
            script=script, document=nested(33), author=author, base_revision=None
        )
    assert caught.value.message == TOO_DEEP
    assert script.draft.revision == 1


def test_the_depth_check_does_not_recurse(script):
    with pytest.raises(InvalidInput):
        services.script_validate(script=script, document=nested(100_000))


@pytest.mark.parametrize(
    "method, url, wrap",
    [
        ("put", f"{SCRIPT}draft/", lambda d: {"document": d, "base_revision": None}),
        ("post", f"{SCRIPT}validate/", lambda d: {"document": d}),
    ],
)
def test_a_deeply_nested_document_is_400(
    script, publisher, client_for, method, url, wrap
):
    client = client_for(publisher)
    response = post_json(client, method, url, wrap(nested(200)))
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_input", "message": TOO_DEEP}}

    response = post_json(client, method, url, wrap("DEEP"), deep=deep_json(990))
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_input", "message": UNREAD}}
    assert script.draft.revision == 1


def test_a_deeply_nested_bundle_is_400_and_imports_nothing(
    script, publisher, client_for
):
    client = client_for(publisher)
    bundle = client.get(f"{SCRIPT}draft/export/").json()
    bundle["document"]["variables"]["name"]["deep"] = "DEEP"
    bundle["version"].pop("checksum")
    for levels, message in [
        (
            200,
            (
                "The bundle nests objects and lists more than 32 levels deep; "
                "a script document needs far fewer."
            ),
        ),
        (990, UNREAD),
    ]:
        response = post_json(
            client, "post", "/api/scripts/import/", bundle, deep=deep_json(levels)
        )
        assert response.status_code == 400
        assert response.json() == {
            "error": {"code": "invalid_input", "message": message}
        }
    assert script.draft.revision == 1


def test_the_document_endpoints_take_json_only(author, client_for):
    schema = (
        client_for(author).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    )
    paths = schema["paths"]
    bodies = {
        ("put", "/api/scripts/{slug}/draft/"),
        ("post", "/api/scripts/{slug}/validate/"),
        ("post", "/api/scripts/import/"),
    }
    for method, path in bodies:
        assert list(paths[path][method]["requestBody"]["content"]) == [
            "application/json"
        ], (method, path)


def test_a_form_body_is_415(script, author, client_for):
    response = client_for(author).put(
        f"{SCRIPT}draft/",
        "document=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


# -- errors that never reach a view --------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"{SCRIPT}versions/-1/",
        f"{SCRIPT}versions/abc/",
        "/api/nothing-here/",
        "/api/analytics/nothing-here/",
        "/api/live/nothing-here/",
    ],
)
def test_an_unrouted_api_path_is_a_json_404(script, author, client_for, path):
    for method in ("get", "post", "delete"):
        response = getattr(client_for(author), method)(path)
        assert response.status_code == 404
        assert response.json() == {
            "error": {
                "code": "not_found",
                "message": f"No API endpoint at {path}. The endpoints are listed "
                "at /api/docs/.",
            }
        }


def test_a_path_without_its_slash_is_told_so(author, client_for):
    response = client_for(author).get("/api/scripts")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "No API endpoint at /api/scripts. API paths end with '/'. The endpoints "
        "are listed at /api/docs/."
    )


def test_the_routes_of_other_apps_stay_reachable(author, client_for):
    client = client_for(author)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/analytics/funnel/").status_code != 404
    assert client.post("/api/live/routes/", {}, format="json").status_code != 404


def test_a_body_over_5_mb_is_413(script, author, client_for):
    text = "x" * (5 * 1024 * 1024)
    response = post_json(
        client_for(author), "put", f"{SCRIPT}draft/", {"document": {"t": text}}
    )
    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "too_large",
            "message": "The request body is over 5242880 bytes, the most the API "
            "accepts.",
        }
    }
    assert script.draft.revision == 1


def test_a_body_just_under_the_limit_is_read(script, author, client_for):
    document = valid_document()
    document["variables"]["name"]["description"] = "x" * (5 * 1024 * 1024 - 10_000)
    response = post_json(
        client_for(author),
        "put",
        f"{SCRIPT}draft/",
        {"document": document, "base_revision": 1},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "source, message",
    [
        (
            "{% for i in range(9) %}{% for j in range(9) %}{% endfor %}{% endfor %}",
            "line 1: a prompt cannot nest one loop in another",
        ),
        ("{% for i in range(99999) %}{% endfor %}", "line 1: the number 99999 is too large"),
        ("{{ name|center(100000000) }}", "line 1: the number 100000000 is too large"),
        ("{% macro f() %}x{% endmacro %}{{ f() }}", "line 1: a prompt cannot define macros"),
        ("{% for i in [1] recursive %}{{ loop([]) }}{% endfor %}", "line 1: a prompt cannot loop"),
    ],
)
def test_templates_that_could_run_for_long_are_refused_before_running(source, message):
    from designer.graph.templates import TemplateError, check_template, render_template

    with pytest.raises(TemplateError, match=message):
        check_template(source)
    with pytest.raises(TemplateError, match=message):
        render_template(source, {"name": "Анна"})


def test_a_single_loop_and_a_large_number_in_a_comparison_still_work():
    from designer.graph.templates import render_template

    source = "{% for i in range(3) %}{{ i }}{% endfor %}{% if limit|int > 100000 %}!{% endif %}"

    assert render_template(source, {"limit": "150000"}) == "012!"
