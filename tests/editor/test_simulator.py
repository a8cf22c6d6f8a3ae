"""The chat simulator's WebSocket: the engine over the draft or a version,
calls of published versions logged with source ``simulation``."""

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from designer import services
from designer.models import Membership
from designer.routing import websocket_urlpatterns
from runtime.models import CallEvent, CallSession
from tests.editor.helpers import demo_document, make_script, make_team, member, node

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

application = URLRouter(websocket_urlpatterns)
VARIABLES = {"name": "Ann", "limit": 5000}


@database_sync_to_async
def setup(publish=False):
    team = make_team()
    user = member(team, "vera", Membership.Role.VIEWER)
    script = make_script(team)
    if publish:
        services.script_publish(script=script, author=None)
    return user, script


async def connect(user, slug="offer"):
    communicator = WebsocketCommunicator(application, f"/ws/simulator/{slug}/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


async def turn(communicator, message):
    await communicator.send_json_to(message)
    return await communicator.receive_json_from(timeout=10)


def says(answer):
    return [(a["node"], a["variant"]) for a in answer["actions"] if a["type"] == "say"]


async def test_a_call_of_the_draft_reaches_the_transfer_and_is_not_logged():
    user, _ = await setup()
    ws, connected, _ = await connect(user)
    assert connected
    await ws.send_json_to(
        {"type": "start", "version": "draft", "variables": {"name": "Ann"}}
    )
    started = await ws.receive_json_from(timeout=10)
    assert started["type"] == "started"
    assert started["version"] == "draft"
    assert started["logged"] is False
    first = await ws.receive_json_from(timeout=10)
    assert first["node"] == "greeting"
    assert [a["type"] for a in first["actions"]] == ["say", "listen"]

    answer = await turn(ws, {"type": "say", "text": "hello"})
    utterance = next(e for e in answer["events"] if e["kind"] == "utterance")
    assert utterance["data"]["intent"] == "hello"
    assert answer["node"] == "check_person"
    answer = await turn(ws, {"type": "dtmf", "digit": "1"})
    assert answer["node"] == "offer"
    assert [n for n, _ in says(answer)] == ["disclaimer", "offer"]
    answer = await turn(ws, {"type": "say", "text": "yes, put me through"})
    assert answer["finished"] is True
    assert answer["outcome"] == "transfer"
    assert answer["node"] == "transfer"
    transfer = next(a for a in answer["actions"] if a["type"] == "transfer")
    assert transfer["summary"].startswith("Ann")
    assert answer["path"] == [
        "greeting",
        "check_person",
        "disclaimer",
        "offer",
        "say_connect",
        "transfer",
    ]
    await ws.disconnect()
    assert await database_sync_to_async(CallSession.objects.count)() == 0


async def test_a_call_of_a_published_version_is_logged_as_a_simulation():
    user, _ = await setup(publish=True)
    ws, _, _ = await connect(user)
    await ws.send_json_to(
        {
            "type": "start",
            "version": 1,
            "segment": "active",
            "variables": VARIABLES,
        }
    )
    started = await ws.receive_json_from(timeout=10)
    assert started["logged"] is True
    await ws.receive_json_from(timeout=10)
    await turn(ws, {"type": "silence"})
    answer = await turn(ws, {"type": "silence"})
    assert answer["finished"] is True
    assert answer["outcome"] == "no_response"
    await ws.disconnect()

    @database_sync_to_async
    def stored():
        session = CallSession.objects.select_related("version").get()
        kinds = list(
            CallEvent.objects.filter(session=session)
            .order_by("seq")
            .values_list("kind", flat=True)
        )
        return session, kinds

    session, kinds = await stored()
    assert session.source == "simulation"
    assert session.call_id == started["call_id"]
    assert session.version.number == 1
    assert session.segment == "active"
    assert session.outcome == "no_response"
    assert session.end_node == "end_no_response"
    assert kinds[0] == "node_entered"
    assert kinds.count("no_input") == 2
    assert kinds[-1] == "call_ended"


async def test_leaving_in_the_middle_of_a_logged_call_hangs_it_up():
    user, _ = await setup(publish=True)
    ws, _, _ = await connect(user)
    await ws.send_json_to({"type": "start", "version": 1, "variables": VARIABLES})
    await ws.receive_json_from(timeout=10)
    await ws.receive_json_from(timeout=10)
    await ws.disconnect()
    session = await database_sync_to_async(CallSession.objects.get)()
    assert session.outcome == "dropped"
    assert session.end_node == "greeting"


async def test_the_page_may_simulate_its_unsaved_document():
    user, _ = await setup()
    document = demo_document()
    node(document, "greeting")["prompt"]["variants"] = [
        {"id": "z", "text": "Unsaved hello"}
    ]
    ws, _, _ = await connect(user)
    await ws.send_json_to({"type": "start", "version": "draft", "document": document})
    await ws.receive_json_from(timeout=10)
    first = await ws.receive_json_from(timeout=10)
    assert first["actions"][0]["text"] == "Unsaved hello"
    assert first["actions"][0]["variant"] == "z"
    await ws.disconnect()


@pytest.mark.parametrize(
    "message, code",
    [
        ({"type": "say", "text": "hi"}, "no_call"),
        ({"type": "start", "version": 7}, "version_not_found"),
        (
            {"type": "start", "version": "draft", "document": {"nodes": []}},
            "script_compile_error",
        ),
        ({"type": "dance"}, "invalid_input"),
        ({"type": "start", "variables": ["name"]}, "invalid_input"),
        ({"type": "start", "version": "draft", "document": "{}"}, "invalid_input"),
        ({"type": "start", "version": True}, "version_not_found"),
        (["start"], "invalid_input"),
        (
            {"type": "start", "document": {**demo_document(), "language": "xx"}},
            "script_compile_error",
        ),
    ],
)
async def test_bad_messages_get_an_error_and_change_nothing(message, code):
    user, _ = await setup()
    ws, _, _ = await connect(user)
    answer = await turn(ws, message)
    assert answer["type"] == "error"
    assert answer["code"] == code
    await ws.disconnect()
    assert await database_sync_to_async(CallSession.objects.count)() == 0


async def test_a_bad_turn_in_a_call_is_refused_and_the_call_goes_on():
    user, _ = await setup()
    ws, _, _ = await connect(user)
    await ws.send_json_to({"type": "start"})
    await ws.receive_json_from(timeout=10)
    await ws.receive_json_from(timeout=10)
    answer = await turn(ws, {"type": "dtmf", "digit": "12"})
    assert answer == {
        "type": "error",
        "code": "invalid_input",
        "message": "not a DTMF digit: '12'",
    }
    answer = await turn(ws, {"type": "say", "text": "hello"})
    assert answer["node"] == "check_person"
    await ws.disconnect()


async def test_strangers_and_other_teams_cannot_connect():
    user, _ = await setup()
    _, connected, code = await connect(AnonymousUser())
    assert (connected, code) == (False, 4401)
    other = await database_sync_to_async(make_team)("globex")
    await database_sync_to_async(make_script)(other, slug="theirs")
    _, connected, code = await connect(user, slug="theirs")
    assert (connected, code) == (False, 4404)


@pytest.mark.parametrize(
    "text",
    ["hello{", "\x00", "[" * 100_000, "nul\x00{}"],
    ids=["malformed", "nul", "deeply-nested", "nul-inside"],
)
async def test_text_that_is_not_json_gets_an_error_and_the_connection_stays(text):
    user, _ = await setup()
    ws, _, _ = await connect(user)
    await ws.send_to(text_data=text)
    answer = await ws.receive_json_from(timeout=10)
    assert answer == {
        "type": "error",
        "code": "invalid_input",
        "message": "A message is a JSON object, sent as text.",
    }
    await ws.send_to(bytes_data=b"\x00\x01")
    assert (await ws.receive_json_from(timeout=10))["code"] == "invalid_input"
    await ws.send_json_to({"type": "start"})
    assert (await ws.receive_json_from(timeout=10))["type"] == "started"
    await ws.disconnect()


@pytest.mark.parametrize("value", [["Ann"], {"first": "Ann"}, None, True])
async def test_a_variable_is_a_string_or_a_number(value):
    user, _ = await setup(publish=True)
    ws, _, _ = await connect(user)
    answer = await turn(
        ws, {"type": "start", "version": 1, "variables": {"name": value}}
    )
    assert answer["type"] == "error"
    assert answer["code"] == "invalid_input"
    assert answer["message"].startswith("variable 'name' is a string or a number")
    await ws.disconnect()
    assert await database_sync_to_async(CallSession.objects.count)() == 0


async def test_a_published_version_refuses_a_contact_without_its_variables():
    user, _ = await setup(publish=True)
    ws, _, _ = await connect(user)
    answer = await turn(
        ws, {"type": "start", "version": 1, "variables": {"name": "Ann"}}
    )
    assert answer == {
        "type": "error",
        "code": "contact_missing_variables",
        "message": "the contact lacks variables the script uses: limit "
        "(pass them, or give the variables a default in the script)",
    }
    await ws.disconnect()
    assert await database_sync_to_async(CallSession.objects.count)() == 0


async def test_a_draft_fills_missing_variables_with_the_examples():
    user, _ = await setup()
    ws, _, _ = await connect(user)
    await ws.send_json_to({"type": "start", "variables": {"limit": 7500}})
    await ws.receive_json_from(timeout=10)
    await ws.receive_json_from(timeout=10)
    await turn(ws, {"type": "say", "text": "hello"})
    answer = await turn(ws, {"type": "dtmf", "digit": "1"})
    offer = next(a for a in answer["actions"] if a["node"] == "offer")
    assert "7500" in offer["text"]
    answer = await turn(ws, {"type": "say", "text": "yes, put me through"})
    transfer = next(a for a in answer["actions"] if a["type"] == "transfer")
    assert transfer["summary"].startswith("Emily")
    await ws.disconnect()


async def test_a_second_start_ends_the_running_call_as_dropped():
    user, _ = await setup(publish=True)
    ws, _, _ = await connect(user)
    await ws.send_json_to({"type": "start", "version": 1, "variables": VARIABLES})
    first = await ws.receive_json_from(timeout=10)
    await ws.receive_json_from(timeout=10)
    await turn(ws, {"type": "say", "text": "hello"})

    # A start that is refused leaves the running call alone.
    answer = await turn(ws, {"type": "start", "version": 1, "variables": {}})
    assert answer["code"] == "contact_missing_variables"
    assert await database_sync_to_async(CallSession.objects.count)() == 1

    await ws.send_json_to({"type": "start", "version": 1, "variables": VARIABLES})
    second = await ws.receive_json_from(timeout=10)
    assert second["type"] == "started"
    assert second["replaced"] == first["call_id"]
    assert first["replaced"] is None
    answer = await ws.receive_json_from(timeout=10)
    assert answer["node"] == "greeting"
    await ws.disconnect()

    @database_sync_to_async
    def stored():
        return {
            s.call_id: (s.outcome, s.end_node, s.ended_at is not None)
            for s in CallSession.objects.all()
        }

    assert await stored() == {
        first["call_id"]: ("dropped", "check_person", True),
        second["call_id"]: ("dropped", "greeting", True),
    }
