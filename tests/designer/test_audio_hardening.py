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


# -- a store file that no longer matches its name --------------------------------

NOBODY = "asterisk-sounds-ru/vm-nobodyavail.wav"


def damage(path) -> None:
    """Swap the file for other audio of the same length, as a bad restore
    or a stray copy would: still a WAV, no longer the recording."""
    data = bytearray(path.read_bytes())
    data[44:] = bytes(len(data) - 44)
    path.write_bytes(bytes(data))


def test_a_damaged_file_is_not_served_and_uploading_again_repairs_it(
    script, author, client_for, shared_data, store
):
    client = client_for(author)
    data = (shared_data / NOBODY).read_bytes()
    sha = post_file(client, data, "nobody.wav").json()["sha256"]
    path = store.wav_path(sha)
    good = path.read_bytes()
    damage(path)

    served = client.get(f"{AUDIO}{sha}/file/")
    assert served.status_code == 404
    assert "is damaged in the audio store; upload the recording again" in (
        error(served)["message"]
    )

    again = post_file(client, data, "nobody.wav")
    assert again.status_code == 200
    assert path.read_bytes() == good
    served = client.get(f"{AUDIO}{sha}/file/")
    assert served.status_code == 200
    assert hashlib.sha256(b"".join(served.streaming_content)).hexdigest() == sha


def test_a_damaged_file_is_not_exported(script, shared_data, store, caplog):
    from designer import prompt_audio, services
    from tests.designer.test_prompt_audio import play

    recording = prompt_audio.prompt_audio_upload(
        script=script, data=(shared_data / NOBODY).read_bytes(),
        name="nobody.wav", uploaded_by=None,
    ).audio
    play(script, recording.reference)
    version = services.script_publish(script=script, author=None)
    damage(store.wav_path(recording.sha256))

    bundle = services.version_export(version=version, audio=True)
    assert "audio" not in bundle
    assert f"recording {recording.reference} is damaged in" in caplog.text


def test_a_call_speaks_the_text_for_a_damaged_file_and_caches_nothing_of_it(
    script, shared_data, store, tmp_path, caplog
):
    from designer import prompt_audio
    from runtime.engine.messages import Say
    from runtime.speech import EspeakSource, RecordedPrompts, SpeechCache, SpeechOutput

    data = (shared_data / NOBODY).read_bytes()
    recording = prompt_audio.prompt_audio_upload(
        script=script, data=data, name="nobody.wav", uploaded_by=None
    ).audio
    path = store.wav_path(recording.sha256)
    damage(path)
    cache = SpeechCache(directory=tmp_path / "cache")
    output = SpeechOutput(
        tts=EspeakSource(), recorded=RecordedPrompts(store=store.root), cache=cache
    )
    say = Say("greeting", "Здравствуйте.", "a", True, recording.reference)

    spoken = output.render_sync(say, language="ru", sample_rate=8000)
    # The text, spoken (about a second), not 2.98 s of the damaged file.
    assert len(spoken) < 2 * 8000
    assert f"prompt audio {recording.reference}: the file" in caplog.text
    assert "does not match its digest" in caplog.text

    # Uploading again repairs the file; only now is the recording played,
    # and cached.
    prompt_audio.prompt_audio_upload(
        script=script, data=data, name="nobody.wav", uploaded_by=None
    )
    played = SpeechOutput(
        tts=EspeakSource(), recorded=RecordedPrompts(store=store.root), cache=cache
    ).render_sync(say, language="ru", sample_rate=8000)
    assert abs(len(played) / 8000 - recording.duration) < 0.01


# -- legacy audio paths when publishing ---------------------------------------------


def test_a_legacy_path_outside_the_directory_is_never_published(script, settings):
    from designer import services
    from designer.errors import ValidationFailed
    from designer.models import ScriptVersion
    from tests.designer.test_prompt_audio import play

    settings.OUTCALL_PROMPT_AUDIO_DIR = None
    play(script, "../../etc/passwd")
    with pytest.raises(ValidationFailed):
        services.script_publish(script=script, author=None)
    published = ScriptVersion.objects.filter(script=script, number__isnull=False)
    assert not published.exists()

    play(script, "prompts/greeting.wav")
    problems = services.script_validate(script=script)
    # The fixture's "greeting-vip.wav" as well as the new path.
    assert [(p.code, p.severity) for p in problems] == [
        ("legacy_audio_unplayable", "warning")
    ] * 2
    settings.OUTCALL_PROMPT_AUDIO_DIR = "/srv/prompts"
    assert services.script_validate(script=script) == []


# -- the small print ---------------------------------------------------------------


def test_a_recording_just_over_the_limit_says_by_how_much(
    script, author, client_for, settings, store
):
    settings.OUTCALL_PROMPT_AUDIO_MAX_SECONDS = 300
    # 300.01 s at 8 kHz.
    response = post_file(client_for(author), wav_bytes(2_400_080, rate=8000))
    assert response.status_code == 400
    assert error(response)["message"] == (
        "The recording lasts 300.01 s; a prompt recording may last at most 300 s."
    )


def test_two_files_in_one_upload_are_refused(
    script, author, client_for, shared_data, store
):
    from tests.designer.test_audio_api import named

    first = (shared_data / NOBODY).read_bytes()
    second = wav_bytes(8000, rate=8000)
    response = client_for(author).post(
        AUDIO, {"file": [named(first, "a.wav"), named(second, "b.wav")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert error(response)["message"] == (
        "Send one recording per upload: the form has more than one `file` "
        "field. Nothing was stored."
    )
    assert stored_files(store) == []


def streamed_flac() -> bytes:
    """A real FLAC whose STREAMINFO says 0 total samples, as an encoder
    writing to a pipe leaves it."""
    import soundfile

    out = io.BytesIO()
    tone = np.sin(np.arange(16000) / 5).astype(np.float32) * 0.3
    soundfile.write(out, tone, 16000, format="FLAC")
    data = bytearray(out.getvalue())
    assert data[:4] == b"fLaC"
    # Bytes 18-25: sample rate (20 bits), channels, bits, total (36 bits).
    packed = int.from_bytes(data[18:26], "big") & ~((1 << 36) - 1)
    data[18:26] = packed.to_bytes(8, "big")
    return bytes(data)


def test_a_flac_that_does_not_give_its_length_is_refused_clearly(
    script, author, client_for, store, tmp_path
):
    from runtime.audio.formats import AudioError, read_audio

    data = streamed_flac()
    response = post_file(client_for(author), data, "streamed.flac")
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid_audio",
        "reason": "unsupported_format",
        "message": "The file does not say how long it is (it was written as a "
        "stream, its header gives 0 samples); export it again from the "
        "recording program so that its header holds the length.",
    }
    assert stored_files(store) == []
    path = tmp_path / "streamed.flac"
    path.write_bytes(data)
    with pytest.raises(AudioError, match="does not say how long it is"):
        read_audio(path)


def test_a_call_speaks_the_text_for_a_legacy_file_at_an_odd_rate(tmp_path, caplog):
    from runtime.engine.messages import Say
    from runtime.speech import EspeakSource, RecordedPrompts, SpeechOutput

    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "odd.wav").write_bytes(wav_bytes(1000, rate=1_000_003))
    output = SpeechOutput(tts=EspeakSource(), recorded=RecordedPrompts(prompts))
    say = Say("greeting", "Здравствуйте.", "a", True, "odd.wav")

    spoken = output.render_sync(say, language="ru", sample_rate=8000)
    assert len(spoken) > 8000 // 4  # the text, not a thousandth of a second
    assert "prompt audio not played: unsupported sample rate 1000003 Hz" in caplog.text


def test_an_import_carrying_audio_at_an_odd_rate_is_refused(script):
    import base64

    from designer import prompt_audio
    from designer.errors import InvalidInput

    reference = "sha256:" + "ab" * 32
    data = wav_bytes(1000, rate=2_147_483_647)
    with pytest.raises(InvalidInput) as refused:
        prompt_audio.read_bundle_audio(
            {reference: {"name": "odd.wav",
                         "wav_base64": base64.b64encode(data).decode()}}
        )
    assert refused.value.message == (
        f"The bundle's recording {reference} cannot be used: The recording's "
        "sample rate, 2147483647 Hz, is not a standard audio rate; export it at "
        f"one of {RATES} Hz."
    )
