"""Speech output: the audio of a prompt, from one interface.

``SpeechOutput.render(say, language=..., sample_rate=...)`` returns int16
samples. Its sources, in order: the recorded audio the writer uploaded for
the variant (``Say.audio``: ``sha256:<hex>``, a recording in the store kept
with the script version, or a legacy path under the prompt audio
directory), then the text-to-speech engine of the installation (espeak-ng
by default, ``runtime.speech.sources``; or Coqui TTS,
``runtime.speech.coqui``; chosen in ``runtime.speech.configure``). A
recording that is missing is logged and the text is spoken instead.
Rendered audio is cached by source, voice, text and format, in memory and
on disk, so a prompt heard before starts playing in milliseconds.
"""

from .output import SpeechCache, SpeechOutput, SpeechError
from .sources import EspeakSource, RecordedPrompts

__all__ = ["EspeakSource", "RecordedPrompts", "SpeechCache", "SpeechError", "SpeechOutput"]
