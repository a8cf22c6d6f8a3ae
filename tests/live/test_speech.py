"""Speech output: espeak-ng from the wheel, recorded prompts, the cache."""

import time

import numpy as np
import pytest

from designer.audio_store import AudioStore, reference_of
from designer.audio_upload import normalise_upload
from runtime.audio.formats import write_wav
from runtime.engine import Say
from runtime.speech import EspeakSource, RecordedPrompts, SpeechCache, SpeechOutput
from runtime.speech.espeak import EspeakError, espeak


def say(text, audio=None):
    return Say(node="greeting", text=text, variant="a", barge_in=True, audio=audio)


def test_espeak_speaks_russian_and_english():
    engine = espeak()
    ru = engine.render("Добрый день! Вас беспокоит банк.", voice="ru")
    en = engine.render("Good afternoon, this is the bank.", voice="en-us")
    assert engine.sample_rate == 22050
    for samples in (ru, en):
        assert samples.dtype == np.int16
        assert 1.0 < len(samples) / engine.sample_rate < 4.0
        assert np.abs(samples).max() > 3000


def test_an_unknown_voice_is_a_clear_error():
    with pytest.raises(EspeakError, match="no voice 'xx-nowhere'"):
        espeak().render("text", voice="xx-nowhere")


def test_rendered_audio_is_cached_by_text_voice_and_rate(tmp_path):
    output = SpeechOutput(tts=EspeakSource(), cache=SpeechCache(directory=tmp_path))
    first = output.render_sync(say("Проверка кэша."), language="ru", sample_rate=8000)
    started = time.perf_counter()
    again = output.render_sync(say("Проверка кэша."), language="ru", sample_rate=8000)
    assert time.perf_counter() - started < 0.005
    assert again is first
    assert output.cache.hits == 1 and output.cache.misses == 1
    wide = output.render_sync(say("Проверка кэша."), language="ru", sample_rate=16000)
    assert abs(len(wide) - 2 * len(first)) <= 10  # ceil() at each rate
    # A fresh process finds it on disk.
    cold = SpeechOutput(tts=EspeakSource(), cache=SpeechCache(directory=tmp_path))
    assert np.array_equal(
        cold.render_sync(say("Проверка кэша."), language="ru", sample_rate=8000), first
    )
    assert cold.cache.hits == 1 and len(list(tmp_path.glob("*.pcm"))) == 2


def test_a_variants_recorded_audio_is_played_instead_of_tts(tmp_path):
    tone = (0.3 * np.sin(np.arange(16000) * 2 * np.pi * 440 / 16000)).astype(np.float32)
    (tmp_path / "v1").mkdir()
    write_wav(tmp_path / "v1" / "greeting-a.wav", tone, sample_rate=16000)
    output = SpeechOutput(tts=EspeakSource(), recorded=RecordedPrompts(tmp_path))

    samples = output.render_sync(
        say("Текст не звучит.", audio="v1/greeting-a.wav"), language="ru", sample_rate=8000
    )
    assert len(samples) == 8000
    # Outside the prompt directory, or missing: the text is spoken.
    for audio in ("../elsewhere.wav", "v1/missing.wav"):
        spoken = output.render_sync(say("Текст звучит.", audio=audio), language="ru",
                                    sample_rate=8000)
        assert len(spoken) != 8000


def test_a_variants_uploaded_audio_is_found_in_the_store_by_its_digest(
    tmp_path, shared_data, caplog
):
    upload = normalise_upload(
        (shared_data / "asterisk-sounds-ru/vm-nobodyavail.wav").read_bytes()
    )
    AudioStore(tmp_path / "store").put_wav(upload.sha256, upload.wav)
    output = SpeechOutput(
        tts=EspeakSource(),
        recorded=RecordedPrompts(store=tmp_path / "store"),
        cache=SpeechCache(directory=tmp_path / "cache"),
    )
    reference = reference_of(upload.sha256)
    frames = (len(upload.wav) - 44) // 2  # 16 kHz 16-bit mono after the header

    for rate in (8000, 16000):
        samples = output.render_sync(
            say("Текст не звучит.", audio=reference), language="ru", sample_rate=rate
        )
        assert len(samples) == -(-frames * rate // 16000)
    # The digest names the content: the rendering is cached under it.
    assert len(list((tmp_path / "cache").glob("*.pcm"))) == 2

    # A reference to audio the store lacks is spoken, and logged.
    missing = reference_of("0" * 64)
    with caplog.at_level("WARNING", logger="outcall.speech"):
        spoken = output.render_sync(
            say("Текст звучит.", audio=missing), language="ru", sample_rate=8000
        )
    assert abs(len(spoken) - frames // 2) > 800
    assert f"prompt audio {missing} of greeting/a not found; speaking the text" in (
        caplog.text
    )


def test_a_cache_that_cannot_be_written_costs_the_cache_not_the_prompt(tmp_path, caplog):
    from runtime.speech import EspeakSource, SpeechCache, SpeechOutput

    not_a_directory = tmp_path / "cache"
    not_a_directory.write_text("a file where the cache directory should be")
    speech = SpeechOutput(tts=EspeakSource(), cache=SpeechCache(directory=not_a_directory))
    say = type("Say", (), {"node": "greeting", "variant": "a", "audio": None,
                           "text": "Добрый день"})()

    samples = speech.render_sync(say, language="ru", sample_rate=8000)

    assert len(samples) > 4000 and int(abs(samples).max()) > 1000
    assert "could not be written" in caplog.text
    # Still served from memory the second time.
    assert speech.render_sync(say, language="ru", sample_rate=8000) is samples
