"""System checks (``manage.py check``, run before ``runserver`` and the
other commands): settings that would fail every live call."""

from django.conf import settings
from django.core.checks import Error, register

from runtime.speech.configure import SpeechConfigError, tts_source


@register()
def check_speech_output(app_configs, **kwargs):
    """``OUTCALL_TTS`` and, for Coqui, that its model is where it is said
    to be. Nothing is loaded."""
    try:
        tts_source(settings)
    except SpeechConfigError as exc:
        return [Error(str(exc), hint="Live calls cannot start.", id="runtime.E001")]
    return []
