"""Streaming voice activity detection with per-node endpointing.

The Silero model that faster-whisper ships (the one ``runtime.audio.vad``
uses on whole recordings) is run window by window as the frames arrive,
carrying its recurrent state, so a call knows within 32 ms that the caller
started speaking and within the node's ``endpoint_silence`` that they
stopped. The ONNX session is shared by every call of a process; each call
keeps only its own state.
"""

import functools
from collections import deque
from dataclasses import dataclass

import numpy as np

WINDOW = 512  # samples at 16 kHz: 32 ms
CONTEXT = 64
RATE = 16000
# The level gate. Callers listen most of a call, and a model run costs about
# 0.1 ms of CPU, 31 times a second per call; so a window that is plainly the
# line's own noise is taken as silence without asking the model:
# - anything quieter than -55 dBFS (RMS): a quiet line sits at -60 or
#   below, speech at -35 to -15, and the model says about 0 to such windows;
# - anything less than 6 dB above the line's noise floor, the quietest of
#   the last 3 s of windows heard while the caller was silent;
# - but never anything louder than -35 dBFS, however noisy the line.
SILENCE_RMS = 10 ** (-55 / 20)
NOISE_WINDOWS = 94  # 3 s of windows
NOISE_MARGIN_DB = 6.0
GATE_CEILING_RMS = 10 ** (-35 / 20)
_SILENCE_ENERGY = SILENCE_RMS**2 * WINDOW
_NOISE_MARGIN = 10 ** (NOISE_MARGIN_DB / 10)
_GATE_CEILING = GATE_CEILING_RMS**2 * WINDOW


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
        self._noise = deque(maxlen=NOISE_WINDOWS)  # energies of silent windows

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

    def _gate(self) -> float:
        if len(self._noise) < 16:  # half a second of line heard
            return _SILENCE_ENERGY
        floor = min(self._noise) * _NOISE_MARGIN
        return max(_SILENCE_ENERGY, min(floor, _GATE_CEILING))

    def _run(self, window: np.ndarray) -> float:
        energy = float(np.dot(window, window))
        gate = self._gate()
        if not self.speaking:
            self._noise.append(energy)
        if energy < gate:
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
