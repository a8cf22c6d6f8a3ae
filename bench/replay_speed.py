"""Replay time as a share of the recording's length, with the ``base`` model.

Each recording of ../shared/data is converted to 8 kHz mu-law (what the
telephony layer delivers), then replayed against the demo script of its
language: decoding, voice activity detection, recognition of every
utterance and the engine, without the database. The model is loaded once,
before timing.

    .venv/bin/python bench/replay_speed.py
"""

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outcall.settings")

import django  # noqa: E402  (the settings give the model's location)

django.setup()

from django.conf import settings  # noqa: E402

from runtime.asr import get_recognizer  # noqa: E402
from runtime.audio.formats import read_audio, write_wav_mulaw  # noqa: E402
from runtime.engine import Contact, compile_script  # noqa: E402
from runtime.replay import replay_recording  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
RECORDINGS = [
    ("asterisk-sounds-ru/vm-intro.wav", "ru"),
    ("asterisk-sounds-ru/vm-nobodyavail.wav", "ru"),
    ("asterisk-sounds-ru/ss-noservice.wav", "ru"),
    ("silero-vad/ru_num.wav", "ru"),
    ("picovoice-rhino/test_within_context_ru.wav", "ru"),
    ("faster-whisper/jfk.flac", "en"),
    ("asterisk-sounds-en/vm-intro.wav", "en"),
]
SCRIPTS = {
    "ru": ROOT / "designer" / "demo" / "bank-card-offer.json",
    "en": ROOT / "designer" / "demo" / "bank-card-offer-en.json",
}


def main():
    threads = settings.OUTCALL_ASR_THREADS
    recognizer = get_recognizer(
        settings.OUTCALL_ASR_MODEL,
        model_dir=settings.OUTCALL_MODEL_DIR,
        compute_type=settings.OUTCALL_ASR_COMPUTE_TYPE,
        cpu_threads=threads,
    )
    compiled = {
        lang: compile_script(json.loads(path.read_text(encoding="utf-8")))
        for lang, path in SCRIPTS.items()
    }
    contact = Contact(segment="active", variables={"name": "Анна", "limit": "150000"})
    # Warm-up: the first transcription pays for lazy initialisation.
    warm = read_audio(DATA / RECORDINGS[0][0])
    recognizer.transcribe(warm.samples[: warm.sample_rate], language="ru")

    total_audio = total_time = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, lang) in enumerate(RECORDINGS):
            source = read_audio(DATA / name)
            telephony = Path(tmp) / f"{i}.wav"
            write_wav_mulaw(telephony, source.samples, source.sample_rate)
            started = time.perf_counter()
            audio = read_audio(telephony)
            result = replay_recording(
                compiled[lang],
                audio,
                recognizer,
                call_id=f"bench-{i}",
                contact=contact,
                language=lang,
            )
            elapsed = time.perf_counter() - started
            total_audio += audio.duration
            total_time += elapsed
            print(
                f"{name:45s} {audio.duration:5.2f}s audio  {elapsed:5.2f}s  "
                f"ratio {elapsed / audio.duration:.3f}  outcome {result.outcome}"
            )
    print(
        f"TOTAL {total_audio:.2f}s of audio replayed in {total_time:.2f}s: "
        f"ratio {total_time / total_audio:.3f} (model {settings.OUTCALL_ASR_MODEL}, "
        f"{settings.OUTCALL_ASR_COMPUTE_TYPE}, threads {threads or 'default'}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
