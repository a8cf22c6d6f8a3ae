"""Shared test set-up.

Recordings come from ../shared/data and are converted, once per session, to
the formats the runtime receives (8 kHz mu-law above all), in a temporary
directory, never into the repository.
"""

from pathlib import Path

import numpy as np
import pytest

from runtime.audio.formats import read_audio, resample, write_wav, write_wav_mulaw

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"test recordings not found at {SHARED_DATA}")
    return SHARED_DATA


def _stereo(path: Path) -> list[np.ndarray]:
    return [read_audio(path, channel=index).samples for index in (0, 1)]


def _write_stereo(path: Path, channels, *, rate: int, encoding: str) -> Path:
    frames = np.stack([resample(c, 16000, rate) for c in channels], axis=1)
    write_wav(path, frames, sample_rate=rate, encoding=encoding)
    return path


@pytest.fixture(scope="session")
def recordings(shared_data: Path, tmp_path_factory) -> dict[str, Path]:
    """Paths of the converted recordings, by a name saying what each is."""
    out = tmp_path_factory.mktemp("recordings")
    paths = {}

    for name, source in (
        ("ru_num", "silero-vad/ru_num.wav"),
        ("vm_intro_ru", "asterisk-sounds-ru/vm-intro.wav"),
        ("beep", "asterisk-sounds-ru/beep.wav"),
        ("jfk", "faster-whisper/jfk.flac"),
    ):
        audio = read_audio(shared_data / source)
        paths[f"{name}_mulaw8k"] = out / f"{name}_mulaw8k.wav"
        write_wav_mulaw(paths[f"{name}_mulaw8k"], audio.samples)

    vm_intro = read_audio(shared_data / "asterisk-sounds-ru/vm-intro.wav")
    paths["vm_intro_ru_alaw8k"] = out / "vm_intro_ru_alaw8k.wav"
    write_wav(
        paths["vm_intro_ru_alaw8k"],
        resample(vm_intro.samples, 16000, 8000),
        sample_rate=8000,
        encoding="alaw",
    )

    stereo = _stereo(shared_data / "faster-whisper/stereo_diarization.wav")
    for key, rate, encoding in (
        ("stereo_mulaw8k", 8000, "mulaw"),
        ("stereo_alaw8k", 8000, "alaw"),
        ("stereo_pcm8k", 8000, "pcm_s16le"),
        ("stereo_pcm44k", 44100, "pcm_s16le"),
        ("stereo_pcm48k", 48000, "pcm_s16le"),
    ):
        paths[key] = _write_stereo(
            out / f"{key}.wav", stereo, rate=rate, encoding=encoding
        )
    return paths


@pytest.fixture(scope="session", autouse=True)
def prompt_audio_store(tmp_path_factory) -> Path:
    """Uploaded recordings go to a temporary store, never into ``var/``."""
    from django.test.utils import override_settings

    store = tmp_path_factory.mktemp("prompt-audio")
    override = override_settings(OUTCALL_PROMPT_AUDIO_STORE=store)
    override.enable()
    yield store
    override.disable()
