"""The API endpoints the editor adds: preview, diff, built-in intents."""

import pytest
from rest_framework.test import APIClient

from designer import services
from designer.models import Membership
from nlu.packs import BUILTIN_INTENTS, load_pack
from tests.editor.helpers import demo_document, make_script, make_team, member, node

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


@pytest.fixture
def viewer(team):
    return member(team, "vera", Membership.Role.VIEWER)


@pytest.fixture
def client(viewer):
    client = APIClient()
    client.force_login(viewer)
    return client


@pytest.fixture
def offer(team):
    return make_script(team)


def preview(client, **body):
    return client.post("/api/scripts/offer/preview/", body, format="json")


def test_a_preview_renders_with_the_drafts_sample_contact(client, offer):
    answer = preview(client, template="Hello {{ name }}, up to ${{ limit }}.")
    assert answer.status_code == 200
    assert answer.json() == {"text": "Hello Emily, up to $5,000.", "error": None}


def test_a_preview_uses_the_given_document_variables_and_segment(client, offer):
    document = demo_document()
    document["variables"]["name"]["example"] = "Oliver"
    answer = preview(
        client,
        template="{{ name }} {{ limit }} {{ segment }} {{ phone }}",
        document=document,
        variables={"limit": "9,000"},
        segment="active",
    )
    assert answer.json() == {"text": "Oliver 9,000 active +10000000000", "error": None}


def test_a_template_that_does_not_compile_says_where(client, offer):
    answer = preview(client, template="Hello {{ name ")
    assert answer.status_code == 200
    assert answer.json()["text"] is None
    assert answer.json()["error"].startswith("line 1: ")


def test_an_unknown_variable_in_a_preview_is_named(client, offer):
    answer = preview(client, template="Hi {{ surname }}")
    assert answer.json() == {"text": None, "error": "'surname' is undefined"}


def test_a_preview_needs_a_template(client, offer):
    answer = preview(client)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_input"


def test_previews_are_scoped_to_the_team(client, offer):
    other = make_team("globex")
    make_script(other, slug="theirs")
    answer = client.post(
        "/api/scripts/theirs/preview/", {"template": "x"}, format="json"
    )
    assert answer.status_code == 404


def test_built_in_intents_come_with_their_examples(client):
    answer = client.get("/api/intents/?language=en")
    assert answer.status_code == 200
    intents = answer.json()["intents"]
    assert [i["id"] for i in intents] == list(BUILTIN_INTENTS)
    assert len(intents) == 15
    assert intents[0]["examples"] == load_pack("en")["yes"]


def test_built_in_intents_of_an_unknown_language_are_refused(client):
    answer = client.get("/api/intents/?language=de")
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "invalid_input",
        "message": "No built-in intents for language 'de'; use ru or en.",
    }


def test_built_in_intents_need_a_login():
    assert APIClient().get("/api/intents/?language=en").status_code == 401


def _publish_changed(offer, change):
    document = demo_document()
    change(document)
    services.draft_save(
        script=offer, document=document, author=None, base_revision=None
    )


def test_the_diff_of_a_version_and_the_draft_lists_what_changed(client, offer):
    services.script_publish(script=offer, author=None)

    def change(document):
        node(document, "greeting")["prompt"]["variants"][0]["text"] = "Hi there!"
        node(document, "greeting")["prompt"]["variants"].pop()
        node(document, "offer")["routes"].append({"intent": "hold_on", "to": "offer"})
        node(document, "offer")["position"] = {"x": 1, "y": 2}
        node(document, "end_refusal")["outcome"] = "do_not_call"
        document["nodes"] = [n for n in document["nodes"] if n["id"] != "say_robot"]
        node(document, "offer_confirm")["routes"] = [
            r
            for r in node(document, "offer_confirm")["routes"]
            if r.get("intent") != "is_robot"
        ]
        document["intents"]["hello"]["examples"].append("howdy")
        document["intents"]["thanks"] = {"examples": ["thank you"]}

    _publish_changed(offer, change)
    answer = client.get("/api/scripts/offer/diff/?from=1&to=draft")
    assert answer.status_code == 200
    diff = answer.json()
    assert diff["same"] is False
    assert diff["nodes_added"] == []
    assert diff["nodes_removed"] == ["say_robot"]
    assert diff["intents_added"] == ["thanks"]
    assert diff["intents_changed"] == ["hello"]
    assert diff["start"] is None
    changed = {entry["node"]: entry["changes"] for entry in diff["nodes_changed"]}
    assert sorted(changed) == ["end_refusal", "greeting", "offer", "offer_confirm"]
    assert changed["greeting"] == [
        {
            "what": "variant_removed",
            "variant": "d",
            "old": "Hello! Vector Bank here, this is Emma, a virtual assistant. "
            "This will only take a minute.",
        },
        {
            "what": "variant_changed",
            "variant": "a",
            "field": "text",
            "old": "Hello! My name is Emma, I'm the virtual assistant of Vector Bank.",
            "new": "Hi there!",
        },
    ]
    assert changed["offer"] == [
        {"what": "route_added", "route": "intent hold_on → offer"}
    ]
    assert changed["offer_confirm"] == [
        {"what": "route_removed", "route": "intent is_robot → say_robot"}
    ]
    assert changed["end_refusal"] == [
        {"what": "field", "field": "outcome", "old": "refusal", "new": "do_not_call"}
    ]


def test_a_version_and_an_unchanged_draft_have_no_differences(client, offer):
    services.script_publish(script=offer, author=None)
    diff = client.get("/api/scripts/offer/diff/?from=1&to=draft").json()
    assert diff["same"] is True


@pytest.mark.parametrize(
    "query, status, code",
    [
        ("from=1&to=draft", 404, "version_not_found"),
        ("from=x&to=draft", 400, "invalid_input"),
        ("to=draft", 400, "invalid_input"),
    ],
)
def test_a_diff_of_versions_that_do_not_exist_is_refused(
    client, offer, query, status, code
):
    answer = client.get(f"/api/scripts/offer/diff/?{query}")
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
