"""A live call over ``/ws/call/`` plays the recording uploaded for a
variant, not the text-to-speech of its text."""

import asyncio
import json

import numpy as np
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from designer import prompt_audio, services
from designer.models import ApiToken, Team
from outcall.asgi import application
from runtime.audio.formats import decode_mulaw, read_audio, resample
from runtime.live import setup
from runtime.models import CallSession

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

RECORDING = "asterisk-sounds-ru/vm-nobodyavail.wav"  # 2.98 s
TEXT = "В данный момент никто не может принять ваш звонок."


def document(reference: str) -> dict:
    return {
        "format": "outcall-graph",
        "format_version": 1,
        "language": "ru",
        "start": "notice",
        "variables": {},
        "intents": {},
        "global_routes": [],
        "nodes": [
            {
                "id": "notice",
                "type": "say",
                "barge_in": False,
                "prompt": {"variants": [{"id": "a", "text": TEXT, "audio": reference}]},
                "routes": [{"event": "next", "to": "end"}],
            },
            {"id": "end", "type": "end", "outcome": "no_response"},
        ],
    }


def publish_recorded_script(shared_data):
    """A team's script whose only prompt plays an uploaded recording."""
    team = Team.objects.create(slug="studio", name="Studio")
    script = services.script_create(
        team=team, slug="recorded", name="Recorded", language="ru"
    )
    upload = prompt_audio.prompt_audio_upload(
        script=script,
        data=(shared_data / RECORDING).read_bytes(),
        name="nobody.wav",
        uploaded_by=None,
    )
    services.draft_save(
        script=script,
        document=document(upload.audio.reference),
        author=None,
        base_revision=None,
    )
    services.script_publish(script=script, author=None)
    _, key = ApiToken.issue(team=team, name="telephony")
    return key, upload.audio


async def call(key: str) -> tuple[bytes, dict]:
    """Start a call, send silence at real-time pace, and collect the audio
    the server plays until it hangs up."""
    communicator = WebsocketCommunicator(application, f"/ws/call/?token={key}")
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    await communicator.send_json_to(
        {
            "type": "start",
            "script": "recorded",
            "call_id": "recorded-1",
            "format": {"encoding": "mulaw", "sample_rate": 8000},
        }
    )

    async def send_silence():
        for _ in range(500):
            await communicator.send_to(bytes_data=b"\xff" * 160)
            await asyncio.sleep(0.02)

    sender = asyncio.create_task(send_silence())
    audio, hangup = bytearray(), None
    try:
        while True:
            output = await communicator.receive_output(timeout=15)
            if output["type"] == "websocket.close":
                break
            if output.get("bytes") is not None:
                audio += output["bytes"]
            elif json.loads(output["text"]).get("type") == "hangup":
                hangup = json.loads(output["text"])
    finally:
        sender.cancel()
        await communicator.disconnect()
    return bytes(audio), hangup


async def test_the_uploaded_recording_is_what_the_caller_hears(
    shared_data, monkeypatch
):
    # The process's speech output is made afresh, on this test's settings.
    monkeypatch.setattr(setup, "_speech", None)
    key, audio = await sync_to_async(publish_recorded_script)(shared_data)

    received, hangup = await call(key)

    assert hangup["outcome"] == "no_response"
    heard = decode_mulaw(received)
    # 20 ms frames of 160 bytes, the last one padded with silence.
    assert len(received) % 160 == 0
    assert abs(len(heard) / 8000 - audio.duration) < 0.02
    # Sample for sample the recording, through the 8 kHz mu-law line.
    uploaded = read_audio(shared_data / RECORDING).samples
    expected = resample(uploaded, 16000, 8000)
    heard = heard[: len(expected)]
    correlation = np.corrcoef(heard, expected[: len(heard)])[0, 1]
    assert correlation > 0.99
    session = await CallSession.objects.aget(call_id="recorded-1")
    assert session.outcome == "no_response"
