"""The text-to-speech source an installation is configured for."""

from .coqui import CoquiError, CoquiSource, find_model
from .sources import EspeakSource

ENGINES = ("espeak", "coqui")


class SpeechConfigError(RuntimeError):
    """The speech settings name no usable source; the message says which
    setting to fix."""


def tts_source(settings):
    """``EspeakSource`` or ``CoquiSource``, as ``settings`` (Django's, or
    any object with the ``OUTCALL_TTS`` and ``OUTCALL_COQUI_*`` values)
    say. Only looks at files: a Coqui model is loaded later, once."""
    engine = settings.OUTCALL_TTS
    if engine == "espeak":
        return EspeakSource()
    if engine != "coqui":
        raise SpeechConfigError(
            f"OUTCALL_TTS={engine!r}: use one of {', '.join(ENGINES)}."
        )
    try:
        model = find_model(
            settings.OUTCALL_COQUI_MODEL, model_dir=settings.OUTCALL_COQUI_MODEL_DIR
        )
    except CoquiError as exc:
        raise SpeechConfigError(str(exc)) from None
    return CoquiSource(
        model,
        speaker=settings.OUTCALL_COQUI_SPEAKER,
        threads=settings.OUTCALL_COQUI_THREADS,
    )
