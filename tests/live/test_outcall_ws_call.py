"""Whole calls through ``/ws/call/``: real recordings as the caller, the
real base Whisper model, the demo scripts, the event log."""

import pytest
from channels.testing import WebsocketCommunicator

from outcall.asgi import application
from runtime.models import CallSession
from tests.live.conftest import mulaw_frames, stream_call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

START = {
    "type": "start",
    "script": "bank-card-offer",
    "call_id": "ws-vm-1",
    "contact": {"phone": "+70000000001", "segment": "active",
                "variables": {"name": "Ольга", "limit": "120 000"}},
    "format": {"encoding": "mulaw", "sample_rate": 8000},
    "monitor": True,
}


def communicator(token):
    return WebsocketCommunicator(application, f"/ws/call/?token={token}")


@pytest.mark.asr
async def test_the_russian_voicemail_greeting_ends_as_answering_machine(
    demo_token, caller_audio
):
    frames = mulaw_frames(caller_audio["vm_intro_ru"])
    result = await stream_call(communicator(demo_token), frames, start=START)

    started = result.of("started")[0]
    assert started["script"] == "bank-card-offer" and started["version"] == 1
    assert result.hangup["outcome"] == "answering_machine"
    assert result.hangup["node"] == "end_answering_machine"
    assert result.closed == 1000
    # The greeting allows barge-in: the voicemail talks over it, so it stops.
    assert len(result.of("clear")) == 1
    text = result.of("transcript")[0]["text"].lower()
    assert "оставьте сообщение" in text
    session = await CallSession.objects.aget(call_id="ws-vm-1")
    assert session.source == "live"
    assert session.outcome == "answering_machine"
    kinds = [k async for k in session.events.values_list("kind", flat=True)]
    assert kinds[0] == "node_entered" and kinds[-1] == "call_ended"
    assert "utterance" in kinds
