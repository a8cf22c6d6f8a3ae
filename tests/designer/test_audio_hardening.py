"""Recordings that cost far more than their size, a store whose file no
longer matches its name, and the small print of upload messages: each
through the API, on the test database and a store of the test's own."""

import hashlib
import io
import wave

import numpy as np
import pytest

from designer.audio_store import AudioStore
from designer.models import PromptAudio
from tests.designer.test_audio_api import error, post_file, stored_files  # noqa: F401

pytestmark = pytest.mark.django_db

AUDIO = "/api/scripts/card-offer/audio/"
RATES = ", ".join(
    str(r) for r in (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100,
                     48000, 88200, 96000, 176400, 192000)
)


@pytest.fixture(autouse=True)
def store(settings, tmp_path) -> AudioStore:
    settings.OUTCALL_PROMPT_AUDIO_STORE = tmp_path / "store"
    return AudioStore(tmp_path / "store")


def wav_bytes(frames: int, *, rate: int, channels: int = 1) -> bytes:
    """A 16-bit PCM WAV of a 440 Hz tone, built by hand."""
    t = np.arange(frames) / 8000
    tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2")
    pcm = np.repeat(tone[:, None], channels, axis=1)
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("rate", [2_147_483_647, 1_000_003, 8001])
def test_an_odd_sample_rate_is_a_clear_400(script, author, client_for, store, rate):
    response = post_file(client_for(author), wav_bytes(1000, rate=rate))
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid_audio",
        "reason": "unsupported_format",
        "message": f"The recording's sample rate, {rate} Hz, is not a standard "
        f"audio rate; export it at one of {RATES} Hz.",
    }
    assert PromptAudio.objects.count() == 0
    assert stored_files(store) == []


def test_a_wav_of_many_channels_is_a_clear_400(script, author, client_for, store):
    response = post_file(client_for(author), wav_bytes(800, rate=8000, channels=1024))
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid_audio",
        "reason": "unsupported_format",
        "message": "The recording has 1024 channels; a prompt recording may have "
        "at most 8 (mono is best).",
    }
    assert stored_files(store) == []


def test_eight_channels_at_a_standard_rate_are_accepted(script, author, client_for):
    response = post_file(client_for(author), wav_bytes(8000, rate=8000, channels=8))
    assert response.status_code == 201
    assert response.json()["original"]["channels"] == 8
