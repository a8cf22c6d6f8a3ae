"""Coqui TTS as the speech source: a tiny VITS model built here (model hubs
are out of reach), loaded by path and by name through real coqui-tts and
torch, the cache, clear errors for bad settings, espeak-ng for what the
model cannot say, and a live call whose prompt the model speaks."""

import asyncio
import json
import logging
import shutil
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from designer import services
from designer.models import ApiToken, Team
from outcall.asgi import application
from runtime.engine import Say
from runtime.live import setup
from runtime.live.audio import AudioFormat
from runtime.models import CallSession
from runtime.speech import EspeakSource, SpeechCache, SpeechOutput
from runtime.speech.configure import SpeechConfigError, tts_source
from runtime.speech.coqui import CoquiError, CoquiSource, find_model
from runtime.speech.coqui_tiny import build_tiny_model
from runtime.speech.fallback import SpeechWithFallback

RU = "Добрый день! Вас беспокоит банк."
EN = "Good afternoon, this is the bank."
NAME = "tts_models/multilingual/outcall/tiny"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """The directory of a tiny VITS model, as Coqui's trainer saves one."""
    return build_tiny_model(tmp_path_factory.mktemp("coqui") / "tiny")


@pytest.fixture
def model_folder(tiny_model, tmp_path):
    """Coqui's model folder holding the tiny model under ``NAME``."""
    folder = tmp_path / "tts"
    shutil.copytree(tiny_model, folder / NAME.replace("/", "--"))
    return folder


def say(text, node="greeting"):
    return Say(node=node, text=text, variant="a", barge_in=True, audio=None)


class Settings:
    def __init__(self, **values):
        self.OUTCALL_TTS = "coqui"
        self.OUTCALL_COQUI_MODEL = ""
        self.OUTCALL_COQUI_MODEL_DIR = "/nonexistent/tts"
        self.OUTCALL_COQUI_SPEAKER = ""
        self.OUTCALL_COQUI_THREADS = 1
        self.__dict__.update(values)


def test_the_tiny_model_is_a_coqui_model_directory(tiny_model):
    assert sorted(p.name for p in tiny_model.iterdir()) == ["config.json", "model.pth"]
    config = json.loads((tiny_model / "config.json").read_text())
    assert config["model"] == "vits" and config["use_phonemes"] is False
    assert "ж" in config["characters"]["characters"]
    assert (tiny_model / "model.pth").stat().st_size < 3_000_000


@pytest.mark.parametrize("rate", [8000, 16000])
def test_a_model_by_path_speaks_russian_and_english(tiny_model, rate):
    source = CoquiSource(find_model(str(tiny_model), model_dir=tiny_model.parent))

    for text, language in ((RU, "ru"), (EN, "en")):
        samples = source.synthesize(
            text, voice=source.voice_for(language), sample_rate=rate
        )
        assert samples.dtype == np.int16
        # Each character is about 80 ms in the tiny model; a sentence
        # break adds a pause.
        seconds = len(samples) / rate
        assert 0.06 * len(text) < seconds < 0.12 * len(text)
        assert np.abs(samples).max() > 1000
        assert np.sqrt(np.mean(samples.astype(np.float64) ** 2)) > 300


def test_synthesis_uses_one_torch_thread_in_any_worker_thread(tiny_model):
    import torch

    source = CoquiSource(find_model(str(tiny_model), model_dir=tiny_model.parent))

    def speak():
        source.synthesize(EN, voice=source.voice_for("en"), sample_rate=8000)
        return torch.get_num_threads()

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert [f.result() for f in [pool.submit(speak) for _ in range(4)]] == [1] * 4


def test_the_same_text_has_the_same_length_at_8_and_16_khz(tiny_model):
    source = CoquiSource(find_model(str(tiny_model), model_dir=tiny_model.parent))
    voice = source.voice_for("ru")

    narrow = source.synthesize(RU, voice=voice, sample_rate=8000)
    wide = source.synthesize(RU, voice=voice, sample_rate=16000)

    assert abs(len(wide) - 2 * len(narrow)) <= 2


def test_a_model_by_name_is_found_in_coquis_model_folder(tiny_model, model_folder):
    model = find_model(NAME, model_dir=model_folder)

    assert model.checkpoint == (
        model_folder / "tts_models--multilingual--outcall--tiny" / "model.pth"
    )
    assert model.kind == "vits"
    source = CoquiSource(model)
    samples = source.synthesize(EN, voice=source.voice_for("en"), sample_rate=8000)
    assert len(samples) > 8000
    # The checkpoint file itself, with its config.json beside it.
    assert find_model(str(model.checkpoint), model_dir=model_folder) == model


def test_rendered_audio_is_cached_by_model(tiny_model, model_folder, tmp_path):
    by_path = CoquiSource(find_model(str(tiny_model), model_dir=model_folder))
    by_name = CoquiSource(find_model(NAME, model_dir=model_folder))
    cache = SpeechCache(directory=tmp_path / "cache")
    output = SpeechOutput(tts=by_path, cache=cache)

    first = output.render_sync(say(RU), language="ru", sample_rate=8000)
    again = output.render_sync(say(RU), language="ru", sample_rate=8000)
    assert again is first
    assert (cache.hits, cache.misses) == (1, 1)

    # A model is known by its files' content: a copy of the same files
    # shares the audio rendered by the first.
    assert by_name.voice_for("ru") == by_path.voice_for("ru")
    SpeechOutput(tts=by_name, cache=cache).render_sync(
        say(RU), language="ru", sample_rate=8000
    )
    assert (cache.hits, cache.misses) == (2, 1)
    assert len(list((tmp_path / "cache").glob("*.pcm"))) == 1


def test_a_changed_checkpoint_is_another_model(tiny_model, tmp_path):
    copy = shutil.copytree(tiny_model, tmp_path / "model")
    before = CoquiSource(find_model(str(copy), model_dir=tmp_path))

    (copy / "model.pth").write_bytes((copy / "model.pth").read_bytes() + b"\0")

    after = CoquiSource(find_model(str(copy), model_dir=tmp_path))
    assert after.voice_for("ru") != before.voice_for("ru")


def test_a_retrained_checkpoint_of_the_same_size_and_time_is_another_model(
    tiny_model, tmp_path
):
    """As cp -p or rsync -a would put a retrained model in place."""
    import os

    copy = shutil.copytree(tiny_model, tmp_path / "model")
    checkpoint = copy / "model.pth"
    before = CoquiSource(find_model(str(copy), model_dir=tmp_path))
    stat = checkpoint.stat()

    data = bytearray(checkpoint.read_bytes())
    data[len(data) // 2] ^= 0xFF
    checkpoint.write_bytes(bytes(data))
    os.utime(checkpoint, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert checkpoint.stat().st_size == stat.st_size

    after = CoquiSource(find_model(str(copy), model_dir=tmp_path))
    assert after.voice_for("ru") != before.voice_for("ru")


def test_model_settings_that_name_no_model_are_clear_errors(tiny_model, tmp_path):
    folder = tmp_path / "tts"

    with pytest.raises(CoquiError, match="OUTCALL_COQUI_MODEL is not set"):
        find_model("", model_dir=folder)
    with pytest.raises(CoquiError, match="'/nonexistent/model': there is no such file"):
        find_model("/nonexistent/model", model_dir=folder)
    looked_for = folder / "tts_models--ru--nowhere--vits"
    with pytest.raises(CoquiError) as error:
        find_model("tts_models/ru/nowhere/vits", model_dir=folder)
    assert str(error.value) == (
        "OUTCALL_COQUI_MODEL='tts_models/ru/nowhere/vits' is neither a path nor a "
        f"model in Coqui's model folder (looked for {looked_for}). Models are never "
        "downloaded: put the model's directory there, or set OUTCALL_COQUI_MODEL "
        "to its path."
    )

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CoquiError, match="empty has no config.json"):
        find_model(str(empty), model_dir=folder)
    shutil.copy(tiny_model / "config.json", empty)
    with pytest.raises(CoquiError, match=r"empty has no checkpoint \(model.pth\)"):
        find_model(str(empty), model_dir=folder)
    for name in ("best_model.pth", "checkpoint_1000.pth"):
        shutil.copy(tiny_model / "model.pth", empty / name)
    with pytest.raises(
        CoquiError, match=r"several checkpoints \(best_model.pth, check"
    ):
        find_model(str(empty), model_dir=folder)


def test_the_tts_setting_names_espeak_or_coqui(tiny_model):
    assert isinstance(tts_source(Settings(OUTCALL_TTS="espeak")), EspeakSource)
    coqui = tts_source(Settings(OUTCALL_COQUI_MODEL=str(tiny_model)))
    assert isinstance(coqui, CoquiSource) and coqui.threads == 1

    with pytest.raises(SpeechConfigError, match="OUTCALL_TTS='festival': use one of"):
        tts_source(Settings(OUTCALL_TTS="festival"))
    with pytest.raises(SpeechConfigError, match="OUTCALL_COQUI_MODEL is not set"):
        tts_source(Settings())


def test_a_bad_coqui_setting_fails_the_system_check(settings):
    settings.OUTCALL_TTS = "coqui"
    settings.OUTCALL_COQUI_MODEL = "/nonexistent/model"

    with pytest.raises(
        SystemCheckError, match="'/nonexistent/model': there is no such"
    ):
        call_command("check")


def test_a_speaker_for_a_model_of_one_voice_is_refused(tiny_model):
    source = CoquiSource(
        find_model(str(tiny_model), model_dir=tiny_model), speaker="anna"
    )

    with pytest.raises(CoquiError, match="OUTCALL_COQUI_SPEAKER='anna', but the model"):
        source.synthesize(RU, voice=source.voice_for("ru"), sample_rate=8000)


def test_a_model_that_does_not_load_leaves_the_prompt_to_espeak(
    tiny_model, tmp_path, caplog
):
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(tiny_model / "config.json", broken)
    (broken / "model.pth").write_bytes(b"not a checkpoint")
    coqui = CoquiSource(find_model(str(broken), model_dir=tmp_path))
    cache = SpeechCache()
    output = SpeechWithFallback(tts=coqui, fallback=EspeakSource(), cache=cache)

    with caplog.at_level(logging.WARNING, logger="outcall.speech"):
        samples = output.render_sync(say(RU), language="ru", sample_rate=8000)

    spoken = EspeakSource().synthesize(RU, voice="ru", sample_rate=8000)
    assert abs(len(samples) - len(spoken)) < 0.01 * len(spoken)
    assert "did not load" in caplog.text and "espeak speaks it instead" in caplog.text
    # Cached as espeak-ng's audio, never as the model's.
    assert cache.get(cache.key("espeak", "ru", RU, 8000)) is samples
    assert cache.get(cache.key("coqui", coqui.voice_for("ru"), RU, 8000)) is None
    # The model is not loaded again for the next prompt.
    with pytest.raises(CoquiError, match="did not load") as first:
        coqui.load()
    with pytest.raises(CoquiError) as second:
        coqui.load()
    assert second.value is first.value


# A live call whose only prompt the model speaks.

TEXT = "Здравствуйте! Это проверка синтеза речи."


def publish_spoken_script():
    team = Team.objects.create(slug="voices", name="Voices")
    script = services.script_create(
        team=team, slug="spoken", name="Spoken", language="ru"
    )
    document = {
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
                "prompt": {"variants": [{"id": "a", "text": TEXT}]},
                "routes": [{"event": "next", "to": "end"}],
            },
            {"id": "end", "type": "end", "outcome": "no_response"},
        ],
    }
    services.draft_save(
        script=script, document=document, author=None, base_revision=None
    )
    services.script_publish(script=script, author=None)
    return ApiToken.issue(team=team, name="telephony")[1]


async def call(key: str) -> tuple[bytes, dict | None]:
    """Start a call, send silence at real-time pace, and collect what the
    server plays until it closes the call."""
    communicator = WebsocketCommunicator(application, f"/ws/call/?token={key}")
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    await communicator.send_json_to(
        {
            "type": "start",
            "script": "spoken",
            "call_id": "coqui-1",
            "format": {"encoding": "mulaw", "sample_rate": 8000},
        }
    )

    async def send_silence():
        for _ in range(1000):
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


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_live_call_plays_the_prompt_the_coqui_model_spoke(
    tiny_model, settings, monkeypatch, tmp_path
):
    settings.OUTCALL_TTS = "coqui"
    settings.OUTCALL_COQUI_MODEL = str(tiny_model)
    settings.OUTCALL_SPEECH_CACHE_DIR = tmp_path / "cache"
    # The process's speech output is made afresh, on this test's settings.
    monkeypatch.setattr(setup, "_speech", None)
    key = await sync_to_async(publish_spoken_script)()

    received, hangup = await call(key)

    assert hangup["outcome"] == "no_response"
    speech = setup.speech_output()
    assert isinstance(speech.tts, CoquiSource)
    spoken = speech.cache.get(
        speech.cache.key("coqui", speech.tts.voice_for("ru"), TEXT, 8000)
    )
    assert spoken is not None, "the model's audio is in the cache"
    # What the caller heard is that audio, frame for frame.
    mulaw = AudioFormat(encoding="mulaw", sample_rate=8000)
    assert received == b"".join(mulaw.frames(spoken))
    assert 0.06 * len(TEXT) < len(spoken) / 8000 < 0.12 * len(TEXT)
    session = await CallSession.objects.aget(call_id="coqui-1")
    assert session.outcome == "no_response"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_call_on_a_missing_model_ends_at_its_start_with_a_clear_error(
    settings, monkeypatch
):
    settings.OUTCALL_TTS = "coqui"
    settings.OUTCALL_COQUI_MODEL = "/nonexistent/model"
    monkeypatch.setattr(setup, "_speech", None)
    key = await sync_to_async(publish_spoken_script)()
    communicator = WebsocketCommunicator(application, f"/ws/call/?token={key}")
    connected, _ = await communicator.connect(timeout=10)
    assert connected

    await communicator.send_json_to(
        {
            "type": "start",
            "script": "spoken",
            "call_id": "coqui-missing",
            "format": {"encoding": "mulaw", "sample_rate": 8000},
        }
    )

    assert await communicator.receive_json_from(timeout=10) == {
        "type": "error",
        "code": "internal",
        "message": "Speech output is not configured correctly on the server.",
    }
    closed = await communicator.receive_output(timeout=10)
    assert closed == {"type": "websocket.close", "code": 4500}
    assert not await CallSession.objects.filter(call_id="coqui-missing").aexists()
    await communicator.disconnect()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["{file}"], "is a file, not a directory"),
        (["{file}/sub"], "cannot write the model into"),
        ([""], "Give the directory"),
        (["{dir}/m", "--seed", "99999999999999999999"], "--seed must be between"),
    ],
)
def test_building_a_tiny_model_with_bad_arguments_is_a_clear_error(
    tmp_path, arguments, message
):
    from django.core.management import CommandError, call_command

    file = tmp_path / "a-file"
    file.write_text("not a directory")
    arguments = [a.format(file=file, dir=tmp_path) for a in arguments]
    with pytest.raises(CommandError, match=message):
        call_command("build_tiny_tts_model", *arguments)
    assert not (tmp_path / "m").exists()
