"""The audio formats a live call speaks: 20 ms frames of 16-bit PCM at 8 or
16 kHz, or of G.711 mu-law at 8 kHz."""

from dataclasses import dataclass

import numpy as np

from runtime.audio.formats import decode_mulaw, encode_mulaw, resample

FRAME_SECONDS = 0.02
ENCODINGS = ("pcm16", "mulaw")


class FormatError(ValueError):
    """A call asked for an audio format the runtime does not speak."""


@dataclass(frozen=True)
class AudioFormat:
    encoding: str = "pcm16"
    sample_rate: int = 8000

    def __post_init__(self):
        if self.encoding not in ENCODINGS:
            raise FormatError(
                f"encoding must be one of {', '.join(ENCODINGS)}, not {self.encoding!r}"
            )
        if self.sample_rate not in (8000, 16000):
            raise FormatError(f"sample_rate must be 8000 or 16000, not {self.sample_rate!r}")
        if self.encoding == "mulaw" and self.sample_rate != 8000:
            raise FormatError("mulaw audio is 8000 Hz only")

    @property
    def frame_samples(self) -> int:
        return int(self.sample_rate * FRAME_SECONDS)

    @property
    def frame_bytes(self) -> int:
        width = 1 if self.encoding == "mulaw" else 2
        return self.frame_samples * width

    def decode(self, data: bytes) -> np.ndarray:
        """One frame as float32 samples at ``sample_rate``."""
        if self.encoding == "mulaw":
            return decode_mulaw(data)
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0

    def encode(self, samples: np.ndarray) -> bytes:
        """int16 samples at ``sample_rate`` as bytes of this format."""
        if self.encoding == "mulaw":
            return encode_mulaw(samples).astype(np.uint8).tobytes()
        return samples.astype("<i2").tobytes()

    def frames(self, samples: np.ndarray) -> list[bytes]:
        """int16 samples cut into encoded 20 ms frames, the last one padded
        with silence."""
        size = self.frame_samples
        padded = -len(samples) % size
        if padded:
            samples = np.concatenate([samples, np.zeros(padded, dtype=np.int16)])
        return [self.encode(samples[i : i + size]) for i in range(0, len(samples), size)]


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """A frame at ``rate`` as 16 kHz samples for the VAD; cheap linear
    interpolation, which the VAD does not mind."""
    if rate == 16000:
        return samples
    count = len(samples) * 16000 // rate
    return np.interp(
        np.arange(count) * (rate / 16000), np.arange(len(samples)), samples
    ).astype(np.float32)


def int16_at(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """int16 samples resampled with the project's polyphase filter."""
    floats = samples.astype(np.float32) / 32768.0
    out = resample(floats, src_rate, dst_rate)
    return np.clip(np.round(out * 32767.0), -32768, 32767).astype(np.int16)
