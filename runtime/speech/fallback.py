"""``SpeechWithFallback``: speech output whose synthesis, when it fails for
a prompt, falls back to another source for that prompt."""

import logging

import numpy as np

from .output import SpeechError, SpeechOutput

logger = logging.getLogger("outcall.speech")


class SpeechWithFallback(SpeechOutput):
    """``SpeechOutput`` with a second text-to-speech source (espeak-ng, say)
    for the prompts the first cannot say: a model that did not load, a
    text it refuses. The caller hears the prompt in the other voice rather
    than silence. The fallback's audio is cached under the fallback's own
    key, never as the first source's."""

    def __init__(self, *, tts, fallback, recorded=None, cache=None):
        super().__init__(tts=tts, recorded=recorded, cache=cache)
        self.fallback = SpeechOutput(tts=fallback, cache=self.cache)

    def render_sync(self, say, *, language: str, sample_rate: int) -> np.ndarray:
        try:
            return super().render_sync(say, language=language, sample_rate=sample_rate)
        except SpeechError as exc:
            logger.warning("%s; %s speaks it instead", exc, self.fallback.tts.name)
        return self.fallback.render_sync(
            say, language=language, sample_rate=sample_rate
        )
