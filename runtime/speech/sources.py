"""Where prompt audio comes from: recordings and speech synthesis."""

from pathlib import Path

import numpy as np

from runtime.audio.formats import AudioError, read_audio
from runtime.live.audio import int16_at

# espeak-ng voice per script language.
ESPEAK_VOICES = {"ru": "ru", "en": "en-us"}


class EspeakSource:
    """espeak-ng, offline, from the ``espeakng-loader`` wheel."""

    name = "espeak"

    def __init__(self, voices: dict | None = None):
        self.voices = dict(voices or ESPEAK_VOICES)

    def voice_for(self, language: str) -> str:
        return self.voices.get(language, language)

    def synthesize(self, text: str, *, voice: str, sample_rate: int) -> np.ndarray:
        from runtime.speech.espeak import espeak

        engine = espeak()
        samples = engine.render(text, voice=voice)
        return int16_at(samples, engine.sample_rate, sample_rate)


class RecordedPrompts:
    """Prompt audio the writer uploaded, per variant, under ``root``."""

    name = "recorded"

    def __init__(self, root: Path | None):
        self.root = Path(root) if root else None

    def path_of(self, audio: str | None) -> Path | None:
        if not audio or self.root is None:
            return None
        path = (self.root / audio).resolve()
        # A document names files under its root, never elsewhere.
        if self.root.resolve() not in path.parents or not path.is_file():
            return None
        return path

    def load(self, path: Path, *, sample_rate: int) -> np.ndarray:
        try:
            audio = read_audio(path)
        except AudioError:
            return None
        samples = np.clip(np.round(audio.samples * 32767.0), -32768, 32767)
        return int16_at(samples.astype(np.int16), audio.sample_rate, sample_rate)
