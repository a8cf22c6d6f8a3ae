"""Voice activity detection: where in a recording the caller speaks.

A thin layer over the Silero VAD model that faster-whisper ships
(``faster_whisper/assets/silero_vad_v6.onnx``, run by onnxruntime), so no
model has to be fetched. ``find_utterances`` turns its per-window speech
probabilities into utterances, in seconds, with our own names for the
knobs: ``min_silence`` is the endpointing silence a node waits for before
it takes the caller's turn as finished.

The ONNX session is created once per process and shared; onnxruntime
allows concurrent ``run`` calls, so ``find_utterances`` may be called from
several threads.
"""

from dataclasses import dataclass

from faster_whisper.vad import VadOptions, get_speech_timestamps

from runtime.audio.formats import SAMPLE_RATE, Audio


@dataclass(frozen=True)
class Span:
    """A stretch of a recording, in seconds from its start."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def find_utterances(
    audio: Audio,
    *,
    min_silence: float = 0.5,
    min_speech: float = 0.2,
    threshold: float = 0.5,
    pad: float = 0.1,
) -> list[Span]:
    """Split a recording into the utterances spoken in it.

    An utterance ends after ``min_silence`` seconds without speech; a burst
    of speech shorter than ``min_speech`` seconds (a click, a cough) is
    dropped. ``threshold`` is the speech probability above which a 32 ms
    window counts as speech; it is lowered by 0.15 while inside speech, so
    one quiet syllable does not end an utterance. Each utterance is widened
    by ``pad`` seconds on both sides (never past its neighbours or the
    recording) so that ASR hears the first and last phonemes whole.
    """
    if audio.sample_rate != SAMPLE_RATE:
        raise ValueError(
            f"find_utterances() needs {SAMPLE_RATE} Hz audio; "
            "read it with read_audio() or resample() it first"
        )
    _check_range("min_silence", min_silence, 0.0, None)
    _check_range("min_speech", min_speech, 0.0, None)
    _check_range("threshold", threshold, 0.0, 1.0)
    _check_range("pad", pad, 0.0, None)
    if len(audio.samples) == 0:
        return []

    options = VadOptions(
        threshold=threshold,
        min_speech_duration_ms=round(min_speech * 1000),
        min_silence_duration_ms=round(min_silence * 1000),
        speech_pad_ms=round(pad * 1000),
    )
    chunks = get_speech_timestamps(audio.samples, options, sampling_rate=SAMPLE_RATE)
    return [
        Span(start=chunk["start"] / SAMPLE_RATE, end=chunk["end"] / SAMPLE_RATE)
        for chunk in chunks
    ]


def _check_range(name: str, value: float, low: float, high: float | None) -> None:
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bound}, got {value}")
