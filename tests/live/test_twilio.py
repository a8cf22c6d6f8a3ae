"""Twilio Media Streams at ``/ws/twilio/``, with streamdouble as Twilio
playing real recordings against daphne on 127.0.0.1."""

import base64
import json

import numpy as np
import pytest
from channels.testing import WebsocketCommunicator
from streamdouble.api import call, run_scenario
from streamdouble.scenario import Dtmf, Expect, Hangup, Say, Scenario, Wait, WaitFor
from streamdouble.session import SessionConfig

from outcall.asgi import application
from tests.live.conftest import http_get, mulaw_frames, silence

pytestmark = pytest.mark.asyncio

PARAMETERS = {
    "script": "bank-card-offer",
    "segment": "active",
    "phone": "+70000000002",
    "var_name": "Ольга",
    "var_limit": "120 000",
}


def config(token, call_id, **extra):
    return SessionConfig(
        custom_parameters={**PARAMETERS, "token": token, "call_id": call_id, **extra},
        response_timeout_s=15.0,
        quiet_period_s=4.0,
        max_drain_s=25.0,
    )


@pytest.fixture(scope="module")
def vm_intro_mulaw(caller_audio):
    """The Russian voicemail greeting as Twilio carries it: 160-byte frames
    of 8 kHz mu-law."""
    return mulaw_frames(np.concatenate([caller_audio["vm_intro_ru"], silence(8.0)]))


@pytest.mark.asr
async def test_a_voicemail_greeting_over_twilio_ends_as_answering_machine(
    daphne_server, vm_intro_mulaw
):
    url, token, database = daphne_server
    report = await call(
        f"{url}/ws/twilio/", frames=vm_intro_mulaw, config=config(token, "tw-vm-1")
    )

    assert report.spoke
    assert report.violations == []
    clears = report.result.events_of("clear_received")
    assert len(clears) == 1  # the voicemail talked over the greeting
    marks = [e.detail.get("name") for e in report.result.events_of("mark_received")]
    assert "outcall:hangup:answering_machine" in marks
    session = database.session("tw-vm-1")
    assert session["outcome"] == "answering_machine"
    assert session["source"] == "live"
    assert session["end_node"] == "end_answering_machine"
    kinds = [e["kind"] for e in database.events("tw-vm-1")]
    assert kinds[0] == "node_entered" and kinds[-1] == "call_ended"


async def test_a_digit_over_twilio_answers_the_amd_question(daphne_server, tmp_path):
    """Silence through the greeting's no-input reprompt, then «1» at… the
    greeting has no digit route, so the caller stays silent until the
    script gives up: the no-input escalation ends the call as no_response."""
    url, token, database = daphne_server
    scenario = Scenario(name="silent caller", steps=[Wait(seconds=14.0)])
    report = await run_scenario(
        f"{url}/ws/twilio/", scenario, config=config(token, "tw-silent-1")
    )

    assert report.spoke
    session = database.session("tw-silent-1")
    assert session["outcome"] == "no_response"
    kinds = [e["kind"] for e in database.events("tw-silent-1")]
    assert kinds.count("no_input") == 2
    assert kinds[-1] == "call_ended"


async def test_hanging_up_during_the_greeting_logs_the_seconds_heard(daphne_server):
    url, token, database = daphne_server
    scenario = Scenario(
        name="drops", steps=[WaitFor(event="audio", timeout_s=10.0), Wait(seconds=1.0), Hangup()]
    )
    await run_scenario(f"{url}/ws/twilio/", scenario, config=config(token, "tw-drop-1"))

    import asyncio

    for _ in range(50):
        session = database.session("tw-drop-1")
        if session and session["ended_at"]:
            break
        await asyncio.sleep(0.1)
    assert session["outcome"] == "dropped"
    hangup = [e for e in database.events("tw-drop-1") if e["kind"] == "hangup"][0]
    data = json.loads(hangup["data"])
    assert hangup["node"] == "greeting"
    assert data["during_prompt"] is True
    assert 0.8 <= data["heard"] <= 1.6


# Conformance, in process.


def twilio(token=None):
    path = "/ws/twilio/" + (f"?token={token}" if token else "")
    return WebsocketCommunicator(application, path)


def start_message(**parameters):
    return {
        "event": "start",
        "sequenceNumber": "1",
        "streamSid": "MZ1",
        "start": {
            "streamSid": "MZ1",
            "callSid": "CA1",
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": parameters,
        },
    }


async def closed_with(communicator, *messages):
    connected, _ = await communicator.connect()
    assert connected
    for message in messages:
        await communicator.send_to(
            text_data=message if isinstance(message, str) else json.dumps(message)
        )
    while True:
        output = await communicator.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            await communicator.disconnect()
            return output["code"]


@pytest.mark.django_db(transaction=True)
async def test_twilio_media_is_answered_with_base64_mulaw_and_string_numbers(demo_token):
    communicator = twilio(demo_token)
    await communicator.connect()
    await communicator.send_json_to({"event": "connected", "protocol": "Call", "version": "1.0.0"})
    await communicator.send_json_to(start_message(**PARAMETERS, call_id="tw-conf-1"))
    await communicator.send_json_to({
        "event": "media", "sequenceNumber": "2", "streamSid": "MZ1",
        "media": {"track": "inbound", "chunk": "1", "timestamp": "20",
                  "payload": base64.b64encode(b"\xff" * 160).decode()},
    })
    first = json.loads(await communicator.receive_from(timeout=10))
    assert first["event"] == "media" and first["streamSid"] == "MZ1"
    assert len(base64.b64decode(first["media"]["payload"])) == 160
    await communicator.send_json_to({"event": "stop", "sequenceNumber": "3", "streamSid": "MZ1",
                                     "stop": {"callSid": "CA1"}})
    while (await communicator.receive_output(timeout=10))["type"] != "websocket.close":
        pass
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "messages, code",
    [
        (["not json"], 4400),
        ([{"no": "event"}], 4400),
        ([{"event": "media", "media": {"payload": ""}}], 4400),
        ([{"event": "dance"}], 4400),
    ],
    ids=["not-json", "no-event", "media-before-start", "unknown-event"],
)
async def test_malformed_twilio_messages_close_the_stream(demo_token, messages, code):
    assert await closed_with(twilio(demo_token), *messages) == code


@pytest.mark.django_db(transaction=True)
async def test_a_bad_base64_payload_closes_the_stream(demo_token):
    media = {"event": "media", "media": {"track": "inbound", "payload": "%%%"}}
    code = await closed_with(
        twilio(demo_token), start_message(**PARAMETERS, call_id="tw-b64"), media
    )
    assert code == 4400


@pytest.mark.django_db(transaction=True)
async def test_twilio_token_as_a_custom_parameter_or_refused(demo_token):
    assert await closed_with(twilio(), start_message(**PARAMETERS, token="oc_wrong")) == 4401
    assert await closed_with(twilio(), start_message(**PARAMETERS)) == 4401
    unknown = start_message(**{**PARAMETERS, "script": "no-such"}, token=demo_token)
    assert await closed_with(twilio(), unknown) == 4404


async def test_a_transfer_over_twilio_is_read_back_once_the_stream_has_ended(
    daphne_server,
):
    """A mark carries only the target; the TwiML application's <Connect>
    action reads the summary and context from the call-result API."""
    url, token, database = daphne_server
    presses = [Dtmf(digits="1"), Wait(seconds=1.0)] * 4
    scenario = Scenario(
        name="to the operator",
        steps=[WaitFor(event="audio", timeout_s=10.0), *presses, Wait(seconds=20.0)],
    )
    report = await run_scenario(
        f"{url}/ws/twilio/", scenario, config=config(token, "tw-transfer-1")
    )

    marks = [e.detail.get("name") for e in report.result.events_of("mark_received")]
    assert marks[-2:] == ["outcall:transfer:operators-cards", "outcall:hangup:transfer"]
    assert report.result.closed_by == "agent"
    base = url.replace("ws://", "http://")
    status, _, body = http_get(base, "/api/live/calls/tw-transfer-1/", token)
    assert status == 200
    answer = json.loads(body)
    assert answer["status"] == "ended" and answer["outcome"] == "transfer"
    assert answer["transfer"]["target"] == "operators-cards"
    assert answer["transfer"]["summary"] == (
        "Ольга, сегмент active, одобренный лимит 120 000 ₽. "
        "Интересуется кредитной картой."
    )
    assert answer["transfer"]["context"]["phone"] == "+70000000002"
    assert http_get(base, "/api/live/calls/tw-transfer-1/transfer-target/", token) == (
        200, "text/plain", "operators-cards"
    )
