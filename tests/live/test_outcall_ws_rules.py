"""The rules of a live call through ``/ws/call/``: barge-in, backchannels,
no-input escalation, digits, hang-up during a prompt, a vanished client.
Caller speech is espeak-ng's, recognised by the real base model."""

import asyncio
import json

import numpy as np
import pytest
from channels.testing import WebsocketCommunicator

from outcall.asgi import application
from runtime.live.pipeline import BARGE_IN_SECONDS, is_backchannel
from runtime.models import CallSession
from tests.live.conftest import mulaw_frames, silence, spoken, stream_call

pytestmark = [pytest.mark.django_db(transaction=True)]

CONTACT = {"segment": "active", "variables": {"name": "Ольга", "limit": "120 000"}}


def start(call_id, script="bank-card-offer"):
    return {
        "type": "start", "script": script, "call_id": call_id, "contact": CONTACT,
        "format": {"encoding": "mulaw", "sample_rate": 8000}, "monitor": True,
    }


def communicator(token):
    return WebsocketCommunicator(application, "/ws/call/", headers=[
        (b"authorization", f"Token {token}".encode()),
    ])


async def events_of(call_id):
    session = await CallSession.objects.aget(call_id=call_id)
    return session, [e async for e in session.events.order_by("seq")]


@pytest.mark.parametrize(
    "text, language, expected",
    [("угу", "ru", True), ("Да-да", "ru", True), ("Ага.", "ru", True),
     ("Mhm.", "en", True), ("Uh uh", "en", True), ("да", "ru", False),
     ("Yes.", "en", False), ("Нет, не интересно", "ru", False), ("", "ru", False)],
)
def test_backchannel_words(text, language, expected):
    assert is_backchannel(text, language) is expected


@pytest.mark.asyncio
async def test_silence_escalates_to_a_reprompt_then_no_response(demo_token):
    result = await stream_call(communicator(demo_token), [], start=start("ws-silent"))

    assert result.hangup["outcome"] == "no_response"
    session, events = await events_of("ws-silent")
    kinds = [e.kind for e in events]
    assert kinds.count("no_input") == 2
    prompts = [e.data["text"] for e in events if e.kind == "prompt_played"]
    assert prompts[1] == "Алло! Вы меня слышите?"
    assert session.end_node == "end_no_response"
    # Each silence is the greeting's no_input_timeout (4 s) after the prompt.
    played = [t for t in result.audio_at]
    assert played, "the robot spoke"


@pytest.mark.asyncio
async def test_digits_stop_the_prompt_and_route_then_a_hang_up_mid_prompt(demo_token):
    """«1» at the greeting (no digit route: no match, the AMD question),
    «1» again (the AMD question's digit route: check_person), then the
    caller hangs up one second into that prompt."""
    result = await stream_call(
        communicator(demo_token), [], start=start("ws-dtmf"),
        dtmf_at={25: "1", 100: "1"}, hangup_after=3.0,
    )

    assert len(result.of("clear")) == 2
    session, events = await events_of("ws-dtmf")
    assert [e.data["digit"] for e in events if e.kind == "dtmf"] == ["1", "1"]
    entered = [e.node for e in events if e.kind == "node_entered"]
    assert entered == ["greeting", "amd_check", "check_person"]
    hangup = next(e for e in events if e.kind == "hangup")
    assert hangup.node == "check_person"
    assert hangup.data["during_prompt"] is True
    assert 0.8 <= hangup.data["heard"] <= 1.3
    assert session.outcome == "dropped"


@pytest.mark.asyncio
async def test_a_transfer_is_sent_then_kept_for_the_call_result_api(demo_token):
    """Four presses of 1 take bank-card-offer from the greeting to its
    transfer; the transfer message and the call-result API agree."""
    from asgiref.sync import sync_to_async
    from django.test import Client

    result = await stream_call(
        communicator(demo_token), [], start=start("ws-transfer"),
        dtmf_at={50: "1", 100: "1", 150: "1", 200: "1"},
    )

    (sent,) = result.of("transfer")
    assert sent["target"] == "operators-cards" and sent["summary"]
    assert result.hangup["outcome"] == "transfer"
    answer = await sync_to_async(
        lambda: Client().get(
            "/api/live/calls/ws-transfer/", HTTP_AUTHORIZATION=f"Token {demo_token}"
        ).json()
    )()
    assert answer["status"] == "ended"
    assert answer["transfer"]["target"] == "operators-cards"
    assert answer["transfer"]["summary"] == sent["summary"]
    assert answer["transfer"]["context"]["path"][-1] == "transfer"


@pytest.mark.asyncio
@pytest.mark.asr
async def test_speech_over_a_barge_in_prompt_clears_it_at_once(demo_token):
    caller = np.concatenate([silence(1.0), spoken(
        "Нет, спасибо, мне это совсем не интересно, до свидания.", "ru"), silence(1.0)])
    result = await stream_call(
        communicator(demo_token), mulaw_frames(caller), start=start("ws-barge"), tail=3.0
    )

    clear_at = result.times("clear")[0]
    # Speech starts at 1.0 s; the clear follows once it has lasted
    # BARGE_IN_SECONDS, within a few frames.
    assert 1.0 + BARGE_IN_SECONDS - 0.1 <= clear_at <= 1.0 + BARGE_IN_SECONDS + 0.25
    # No greeting audio after the clear until the next prompt's.
    transcripts = result.times("transcript")
    assert transcripts and transcripts[0] > clear_at
    silent = [t for t in result.audio_at if clear_at + 0.05 < t < transcripts[0]]
    assert silent == []
    _, events = await events_of("ws-barge")
    assert [e.node for e in events if e.kind == "node_entered"][1] != "greeting"


@pytest.mark.asyncio
@pytest.mark.asr
async def test_backchannels_do_not_stop_the_prompt(demo_token):
    """«угу» and «да-да» while the greeting plays, then "mhm" and "uh-huh"
    on the English script: the prompts play to the end."""
    ru = np.concatenate([silence(0.6), spoken("угу", "ru"), silence(1.2),
                         spoken("да-да", "ru")])
    result = await stream_call(
        communicator(demo_token), mulaw_frames(ru), start=start("ws-bc-ru"), tail=4.5
    )
    assert result.of("clear") == [], result.messages
    _, events = await events_of("ws-bc-ru")
    kinds = [e.kind for e in events]
    assert "utterance" not in kinds and kinds.count("no_input") >= 1

    en = np.concatenate([silence(0.6), spoken("mhm", "en-us"), silence(1.0),
                         spoken("uh-huh", "en-us")])
    result = await stream_call(
        communicator(demo_token), mulaw_frames(en),
        start=start("ws-bc-en", script="bank-card-offer-en"), tail=4.5,
    )
    assert result.of("clear") == []
    _, events = await events_of("ws-bc-en")
    assert "utterance" not in [e.kind for e in events]


@pytest.mark.asyncio
async def test_a_vanished_client_is_closed_and_logged(demo_token):
    client = communicator(demo_token)
    await client.connect()
    await client.send_json_to(start("ws-vanish"))
    await client.receive_from(timeout=5)  # started
    for _ in range(40):
        await client.send_to(bytes_data=b"\xff" * 160)
        await asyncio.sleep(0.02)
    await client.disconnect(code=1006)

    for _ in range(100):
        session = await CallSession.objects.aget(call_id="ws-vanish")
        if session.ended_at:
            break
        await asyncio.sleep(0.05)
    assert session.outcome == "dropped"
    _, events = await events_of("ws-vanish")
    hangup = next(e for e in events if e.kind == "hangup")
    assert hangup.node == "greeting" and hangup.data["during_prompt"] is True
    assert events[-1].kind == "call_ended"


# Errors and close codes.


async def closed_with(client, *messages):
    connected, _ = await client.connect()
    assert connected
    for message in messages:
        if isinstance(message, bytes):
            await client.send_to(bytes_data=message)
        else:
            await client.send_to(
                text_data=message if isinstance(message, str) else json.dumps(message)
            )
    error = None
    while True:
        output = await client.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            await client.disconnect()
            return error, output["code"]
        if output.get("text"):
            body = json.loads(output["text"])
            if body["type"] == "error":
                error = body["code"]


@pytest.mark.asyncio
async def test_a_bad_or_missing_token_is_refused_with_4401(demo_token):
    bad = WebsocketCommunicator(application, "/ws/call/?token=oc_nope")
    assert await closed_with(bad, start("t1")) == ("unauthorized", 4401)
    none = WebsocketCommunicator(application, "/ws/call/")
    assert await closed_with(none, start("t2")) == ("unauthorized", 4401)
    assert await CallSession.objects.acount() == 0


@pytest.mark.asyncio
async def test_a_call_runs_only_its_own_teams_published_scripts(demo_token):
    from designer.models import ApiToken, Team

    other = await Team.objects.acreate(slug="other", name="Other")
    from asgiref.sync import sync_to_async

    _, key = await sync_to_async(ApiToken.issue)(team=other)
    assert await closed_with(communicator(key), start("t3")) == ("not_found", 4404)
    missing = {**start("t4"), "version": 9}
    assert await closed_with(communicator(demo_token), missing) == ("not_found", 4404)
    unknown = {**start("t5"), "script": "no-such-script"}
    assert await closed_with(communicator(demo_token), unknown) == ("not_found", 4404)
    assert await CallSession.objects.acount() == 0


@pytest.mark.parametrize(
    "messages, expected",
    [
        (["{not json"], ("malformed_frame", 4400)),
        ([{"kind": "start"}], ("malformed_frame", 4400)),
        ([b"\xff" * 160], ("bad_request", 4400)),
        ([{"type": "dtmf", "digit": "1"}], ("bad_request", 4400)),
        ([{"type": "start"}], ("bad_request", 4400)),
        ([{**start("t6"), "format": {"encoding": "mp3"}}], ("bad_request", 4400)),
        ([start("t7"), b"\xff" * 100], ("malformed_frame", 4400)),
        ([start("t8"), {"type": "dtmf", "digit": "12"}], ("malformed_frame", 4400)),
        ([start("t9"), {"type": "jump"}], ("malformed_frame", 4400)),
    ],
    ids=["not-json", "no-type", "audio-first", "dtmf-first", "no-script", "bad-format",
         "short-frame", "bad-digit", "unknown-type"],
)
@pytest.mark.asyncio
async def test_malformed_input_gets_an_error_and_a_close_code(demo_token, messages, expected):
    assert await closed_with(communicator(demo_token), *messages) == expected


@pytest.mark.asyncio
async def test_a_refused_frame_still_logs_the_call_it_ended(demo_token):
    await closed_with(communicator(demo_token), start("t10"), b"\x00" * 7)
    for _ in range(100):
        session = await CallSession.objects.aget(call_id="t10")
        if session.ended_at:
            break
        await asyncio.sleep(0.05)
    assert session.outcome == "dropped"
