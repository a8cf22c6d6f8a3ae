"""Streaming voice activity detection with per-node endpointing.

The Silero model that faster-whisper ships (the one ``runtime.audio.vad``
uses on whole recordings) is run window by window as the frames arrive,
carrying its recurrent state, so a call knows within 32 ms that the caller
started speaking and within the node's ``endpoint_silence`` that they
stopped. The ONNX session is shared by every call of a process; each call
keeps only its own state.
"""

import functools
from dataclasses import dataclass

import numpy as np

WINDOW = 512  # samples at 16 kHz: 32 ms
CONTEXT = 64
RATE = 16000
# A window quieter than this (RMS, -55 dBFS) is silence without asking the
# model: a quiet telephone line sits at -60 dBFS or below and speech at -35
# to -15, and the model gives such windows a speech probability of about 0
# anyway. Callers listen most of a call, so this spares most model runs
# (about 0.1 ms of CPU each, 31 a second per call).
SILENCE_RMS = 10 ** (-55 / 20)


@functools.lru_cache(maxsize=1)
def _session():
    from faster_whisper.vad import get_vad_model

    return get_vad_model().session


@dataclass(frozen=True)
class SpeechStarted:
    at: float  # seconds of caller audio since the call started


@dataclass(frozen=True)
class SpeechEnded:
    start: float
    end: float


class StreamingVad:
    """Feed 16 kHz float samples; get ``SpeechStarted`` / ``SpeechEnded``.

    Speech starts when a window's probability passes ``threshold``; it ends
    once ``endpoint_silence`` seconds pass with every window below
    ``threshold - 0.15``. Bursts shorter than ``min_speech`` are dropped
    without an event of their end (their start was reported, so the caller
    sees ``SpeechEnded`` with ``end - start < min_speech`` only never).
    """

    def __init__(self, *, threshold: float = 0.5, endpoint_silence: float = 0.8):
        self.threshold = threshold
        self.endpoint_silence = endpoint_silence
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._consumed = 0  # samples run through the model
        self.speaking = False
        self._speech_start = 0.0
        self._last_voice = 0.0
        self.probability = 0.0
        self.skipped = 0  # windows judged silent by their level alone

    @property
    def position(self) -> float:
        return self._consumed / RATE

    def speech_seconds(self) -> float:
        """How long the current speech has lasted, 0 when silent."""
        return self._last_voice - self._speech_start if self.speaking else 0.0

    def feed(self, samples: np.ndarray) -> list:
        events = []
        self._pending = np.concatenate([self._pending, samples.astype(np.float32)])
        while len(self._pending) >= WINDOW:
            window, self._pending = self._pending[:WINDOW], self._pending[WINDOW:]
            probability = self._run(window)
            self._consumed += WINDOW
            end = self.position
            if not self.speaking:
                if probability >= self.threshold:
                    self.speaking = True
                    self._speech_start = end - WINDOW / RATE
                    self._last_voice = end
                    events.append(SpeechStarted(at=self._speech_start))
            elif probability >= self.threshold - 0.15:
                self._last_voice = end
            elif end - self._last_voice >= self.endpoint_silence:
                self.speaking = False
                events.append(SpeechEnded(start=self._speech_start, end=self._last_voice))
        return events

    def _run(self, window: np.ndarray) -> float:
        if float(np.dot(window, window)) < SILENCE_RMS**2 * WINDOW:
            # The model's recurrent state is kept as it was: the next
            # window it hears continues from the last one it heard.
            self._context = window[-CONTEXT:]
            self.skipped += 1
            self.probability = 0.0
            return 0.0
        batch = np.concatenate([self._context, window])[None, :]
        self._context = window[-CONTEXT:]
        output, self._h, self._c = _session().run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self.probability = float(output.reshape(-1)[0])
        return self.probability
