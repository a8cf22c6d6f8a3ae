"""Live-call fixtures: the demo scripts, a team token, caller audio as the
telephony layer sends it, and a client that streams it at real-time pace."""

import asyncio
import io
import json

import numpy as np
import pytest
from django.core.management import call_command

from designer.models import ApiToken, Team
from runtime.audio.formats import encode_mulaw, read_audio, resample
from runtime.speech.espeak import espeak

FRAME = 0.02


@pytest.fixture
def demo_token(db):
    call_command("load_demo", stdout=io.StringIO())
    _, key = ApiToken.issue(team=Team.objects.get(slug="demo"), name="telephony")
    return key


def mulaw_frames(samples_16k: np.ndarray) -> list[bytes]:
    """16 kHz float samples as 20 ms frames of 8 kHz mu-law."""
    codes = encode_mulaw(resample(samples_16k, 16000, 8000)).astype(np.uint8).tobytes()
    codes += b"\xff" * (-len(codes) % 160)
    return [codes[i : i + 160] for i in range(0, len(codes), 160)]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), dtype=np.float32)


def spoken(text: str, voice: str) -> np.ndarray:
    """``text`` said by espeak-ng, at 16 kHz."""
    engine = espeak()
    samples = engine.render(text, voice=voice).astype(np.float32) / 32768.0
    return resample(samples, engine.sample_rate, 16000)


@pytest.fixture(scope="session")
def caller_audio(shared_data):
    """Real recordings at 16 kHz, by name."""
    return {
        "vm_intro_ru": read_audio(shared_data / "asterisk-sounds-ru/vm-intro.wav").samples,
        "vm_intro_en": read_audio(shared_data / "asterisk-sounds-en/vm-intro.wav").samples,
    }


class Transcript:
    """What the server sent during a call, with the time of each message."""

    def __init__(self):
        self.t0 = asyncio.get_running_loop().time()
        self.messages = []  # (seconds, dict)
        self.audio_at = []  # seconds of each audio frame received
        self.closed = None

    def add(self, at, message):
        self.messages.append((at - self.t0, message))

    def of(self, kind):
        return [m for _, m in self.messages if m.get("type") == kind]

    def times(self, kind):
        return [t for t, m in self.messages if m.get("type") == kind]

    @property
    def hangup(self):
        found = self.of("hangup")
        return found[0] if found else None


async def stream_call(
    communicator, frames, *, start: dict, dtmf_at: dict | None = None,
    hangup_after: float | None = None, tail: float = 20.0,
):
    """Send ``start``, then ``frames`` at real-time pace followed by silence
    (or hang up after ``hangup_after`` seconds), reading everything the
    server sends until it closes the call."""
    loop = asyncio.get_running_loop()
    result = Transcript()
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to(start)
    quiet = b"\xff" * 160

    async def send():
        t0 = loop.time()
        total = len(frames) + int(tail / FRAME)
        for index in range(total):
            if hangup_after is not None and index * FRAME >= hangup_after:
                await communicator.send_json_to({"type": "hangup"})
                return
            if dtmf_at and index in dtmf_at:
                await communicator.send_json_to({"type": "dtmf", "digit": dtmf_at[index]})
            await communicator.send_to(bytes_data=frames[index] if index < len(frames) else quiet)
            delay = t0 + (index + 1) * FRAME - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)

    sender = asyncio.create_task(send())
    try:
        while True:
            output = await communicator.receive_output(timeout=tail + 10)
            now = loop.time()
            if output["type"] == "websocket.close":
                result.closed = output.get("code", 1000)
                break
            if output.get("bytes") is not None:
                result.audio_at.append(now - result.t0)
            else:
                result.add(now, json.loads(output["text"]))
    finally:
        sender.cancel()
    return result
