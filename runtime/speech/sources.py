"""Where prompt audio comes from: recordings and speech synthesis."""

import logging
from pathlib import Path

import numpy as np

from designer.audio_store import AudioStore, is_reference, sha256_of
from runtime.audio.formats import AudioError, read_audio
from runtime.live.audio import int16_at

# espeak-ng voice per script language.
ESPEAK_VOICES = {"ru": "ru", "en": "en-us"}

logger = logging.getLogger("outcall.speech")


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
    """Prompt audio the writer uploaded, per variant.

    A variant's ``audio`` is either a reference, ``sha256:<hex>``, to a
    recording in the store (``designer.audio_store``: uploaded through the
    API and kept with the script version), or, the older form, a path
    under ``root``.
    """

    name = "recorded"

    def __init__(self, root: Path | None = None, *, store: Path | None = None):
        self.root = Path(root) if root else None
        self.store = AudioStore(store) if store else None

    def path_of(self, audio: str | None) -> Path | None:
        """The file of ``audio``, or ``None`` when there is none."""
        if not audio:
            return None
        if is_reference(audio):
            sha256 = sha256_of(audio)
            if sha256 is None or self.store is None:
                return None
            path = self.store.wav_path(sha256)
            if not path.is_file():
                return None
            if not self.store.holds(path, sha256):
                # Changed or cut on disk: never play it, as if it were gone.
                logger.warning(
                    "prompt audio %s: the file %s does not match its digest "
                    "(changed on disk); upload the recording again",
                    audio, path,
                )
                return None
            return path
        if self.root is None:
            return None
        path = (self.root / audio).resolve()
        # A document names files under its root, never elsewhere.
        if self.root.resolve() not in path.parents or not path.is_file():
            return None
        return path

    def load(self, path: Path, *, sample_rate: int) -> np.ndarray:
        try:
            audio = read_audio(path)
        except AudioError as exc:
            logger.warning("prompt audio not played: %s", exc)
            return None
        samples = np.clip(np.round(audio.samples * 32767.0), -32768, 32767)
        return int16_at(samples.astype(np.int16), audio.sample_rate, sample_rate)
