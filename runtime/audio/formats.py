"""Reading recordings and converting telephony audio.

Everything downstream (VAD, ASR) works on one representation: mono float32
samples at 16 kHz in [-1, 1]. ``read_audio`` turns a WAV (PCM, mu-law,
A-law) or FLAC file into that; the G.711 codecs and ``resample`` are public
because the live pipeline converts each telephony frame the same way.

File decoding is done by libsndfile (through ``soundfile``), which reads
mu-law and A-law WAV natively. The numpy G.711 tables below produce exactly
the codes and levels libsndfile does, so a frame decoded live and the same
audio read from a file give identical samples.
"""

import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

SAMPLE_RATE = 16000

# libsndfile subtype -> the name used in ``Audio.source_format`` and by
# ``write_wav``. Only WAV family containers and FLAC are accepted; the
# ADPCM and GSM subtypes are listed because PBXs record voicemail in them.
WAV_SUBTYPES = {
    "PCM_U8": "pcm_u8",
    "PCM_16": "pcm_s16le",
    "PCM_24": "pcm_s24le",
    "PCM_32": "pcm_s32le",
    "FLOAT": "pcm_f32le",
    "DOUBLE": "pcm_f64le",
    "ULAW": "mulaw",
    "ALAW": "alaw",
    "IMA_ADPCM": "adpcm_ima",
    "MS_ADPCM": "adpcm_ms",
    "GSM610": "gsm",
}
_WAV_CONTAINERS = {"WAV", "WAVEX", "RF64"}
_WRITE_SUBTYPES = {"pcm_s16le": "PCM_16", "mulaw": "ULAW", "alaw": "ALAW"}

# The sample rates recordings are made at. Any other rate is refused: the
# resampling filter's size grows with the rates' ratio in lowest terms, so
# a file at e.g. 1,000,003 Hz would need a filter of gigabytes.
STANDARD_RATES = (
    8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000,
    88200, 96000, 176400, 192000,
)
# The largest ratio term between two standard rates is 2560 (11025 to
# 192000); ``_polyphase_filter`` refuses anything beyond this bound.
MAX_RESAMPLE_FACTOR = 4096
# libsndfile's frame count for a file whose header does not give its length
# (a FLAC written as a stream); such a count cannot be allocated.
UNKNOWN_LENGTH = 2**62


class AudioError(ValueError):
    """A recording cannot be used; the message says why in one line.

    ``code`` is one of ``not_found``, ``unreadable``, ``empty``,
    ``bad_channel`` and ``unsupported_format`` (a container, encoding or
    sample rate that is not accepted).
    """

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono 16 kHz float32 samples and what the source file was."""

    samples: np.ndarray
    sample_rate: int
    duration: float
    source_rate: int
    source_channels: int
    source_format: str

    def between(self, start: float, end: float) -> np.ndarray:
        """Return the samples from ``start`` to ``end`` seconds (a view)."""
        first = max(0, round(start * self.sample_rate))
        last = min(len(self.samples), round(end * self.sample_rate))
        return self.samples[first:last]


def read_audio(path: str | os.PathLike, *, channel: int | None = None) -> Audio:
    """Read a WAV or FLAC recording as mono 16 kHz float32 samples.

    ``channel`` (0-based) picks one channel of a multi-channel recording,
    e.g. the caller's leg of a two-leg call recording. It defaults to 0, the
    left channel; channels are never mixed, since mixing the robot's voice
    into the caller's would confuse VAD and ASR.

    Raise ``AudioError`` for a missing file, unreadable or corrupt data, an
    unsupported format, a recording without samples or a channel that does
    not exist.
    """
    [audio] = _read(path, None if channel is None else [channel])
    return audio


def read_audio_channels(path: str | os.PathLike) -> list[Audio]:
    """Every channel of a recording, each as ``read_audio`` reads it, from
    one pass over the file. Raise ``AudioError`` as ``read_audio`` does."""
    return _read(path, "all")


def _read(path, channels) -> list[Audio]:
    """The ``Audio`` of each channel index in ``channels`` (``None``: the
    first; ``"all"``: every one)."""
    path = Path(path)
    if path.is_dir():
        raise AudioError(f"not an audio file but a directory: {path}", code="not_found")
    if not path.is_file():
        raise AudioError(f"audio file not found: {path}", code="not_found")

    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, EOFError):
        raise _unreadable(path) from None
    source_format = _source_format(info.format, info.subtype)
    if source_format is None:
        raise AudioError(
            f"unsupported audio format {info.format}/{info.subtype}: {path} "
            "(use WAV with PCM, mu-law or A-law, or FLAC)",
            code="unsupported_format",
        )
    if info.frames == 0:
        raise AudioError(f"recording has no audio samples: {path}", code="empty")
    check_sample_rate(info.samplerate, path)
    if info.frames >= UNKNOWN_LENGTH:
        raise AudioError(
            f"recording does not say how long it is (written as a stream): {path} "
            "(export it again so that its header gives the length)",
            code="unsupported_format",
        )

    if channels == "all":
        channels = range(info.channels)
    elif channels is None:
        channels = [0]
    for index in channels:
        if not 0 <= index < info.channels:
            raise AudioError(
                _bad_channel_message(info.channels, index), code="bad_channel"
            )

    try:
        frames, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, EOFError):
        raise _unreadable(path) from None
    if len(frames) == 0:
        raise AudioError(f"recording has no audio samples: {path}", code="empty")

    found = []
    for index in channels:
        if not np.isfinite(frames[:, index]).all():
            # Float WAV can hold NaN or infinity, which no microphone records.
            raise AudioError(
                f"corrupt audio in {path}: samples that are not numbers",
                code="unreadable",
            )
        samples = np.clip(frames[:, index], -1.0, 1.0)
        samples = resample(samples, rate, SAMPLE_RATE)
        found.append(
            Audio(
                samples=samples,
                sample_rate=SAMPLE_RATE,
                duration=len(samples) / SAMPLE_RATE,
                source_rate=rate,
                source_channels=info.channels,
                source_format=source_format,
            )
        )
    return found


def check_sample_rate(rate: int, path: str | os.PathLike = "") -> None:
    """Raise ``AudioError`` (``unsupported_format``) unless ``rate`` is one
    of ``STANDARD_RATES``."""
    if rate not in STANDARD_RATES:
        where = f": {path}" if path else ""
        raise AudioError(
            f"unsupported sample rate {rate} Hz{where} (use one of "
            f"{', '.join(str(r) for r in STANDARD_RATES)} Hz)",
            code="unsupported_format",
        )


def write_wav(
    path: str | os.PathLike,
    samples: np.ndarray,
    *,
    sample_rate: int,
    encoding: str = "pcm_s16le",
) -> None:
    """Write float samples in [-1, 1] as a WAV file.

    ``samples`` is 1-D for mono or (frames, channels). ``encoding`` is one
    of ``pcm_s16le``, ``mulaw`` and ``alaw``; no resampling is done.
    """
    if encoding not in _WRITE_SUBTYPES:
        raise ValueError(
            f"unknown encoding {encoding!r}; use one of {', '.join(_WRITE_SUBTYPES)}"
        )
    samples = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    soundfile.write(
        str(path),
        samples,
        sample_rate,
        format="WAV",
        subtype=_WRITE_SUBTYPES[encoding],
    )


def write_wav_mulaw(
    path: str | os.PathLike,
    samples: np.ndarray,
    sample_rate: int = SAMPLE_RATE,
    *,
    rate: int = 8000,
) -> None:
    """Write mono samples as a mu-law WAV at ``rate``, as telephony does.

    ``samples`` are at ``sample_rate`` (by default the 16 kHz of
    ``Audio.samples``) and are resampled to ``rate`` first.
    """
    samples = resample(samples, sample_rate, rate)
    write_wav(path, samples, sample_rate=rate, encoding="mulaw")


def encode_mulaw(samples: np.ndarray) -> np.ndarray:
    """Encode float samples in [-1, 1] (or int16) as G.711 mu-law codes."""
    return _mulaw_encode_table()[_to_int16(samples).astype(np.int32) + 32768]


def encode_alaw(samples: np.ndarray) -> np.ndarray:
    """Encode float samples in [-1, 1] (or int16) as G.711 A-law codes."""
    return _alaw_encode_table()[_to_int16(samples).astype(np.int32) + 32768]


def decode_mulaw(data: bytes | np.ndarray) -> np.ndarray:
    """Decode G.711 mu-law codes (bytes or uint8) to float32 in [-1, 1]."""
    return _mulaw_decode_table()[_codes(data)]


def decode_alaw(data: bytes | np.ndarray) -> np.ndarray:
    """Decode G.711 A-law codes (bytes or uint8) to float32 in [-1, 1]."""
    return _alaw_decode_table()[_codes(data)]


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Resample mono float samples from ``src_rate`` to ``dst_rate``.

    A polyphase windowed-sinc filter: the signal is (conceptually) upsampled
    by ``dst/g``, low-pass filtered below the lower of the two Nyquist
    frequencies and downsampled by ``src/g``, with ``g`` their greatest
    common divisor. The output has ``ceil(len * dst / src)`` samples and no
    delay. The whole input is treated as one signal: resampling a stream
    frame by frame this way leaves small discontinuities at frame edges.
    """
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim != 1:
        raise ValueError("resample() takes mono samples (a 1-D array)")
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError("sample rates must be positive")
    if src_rate == dst_rate or len(samples) == 0:
        return samples.copy()

    common = math.gcd(src_rate, dst_rate)
    up, down = dst_rate // common, src_rate // common
    phases, half = _polyphase_filter(up, down)
    taps = phases.shape[1]
    count = -(-len(samples) * up // down)

    # Output n reads the input ending at q = (n*down + half) // up with the
    # filter phase (n*down + half) % up. Outputs n, n+up, n+2*up... share a
    # phase and step through the input by ``down``, so each phase is a
    # strided dot product over a sliding window.
    left = taps
    right = taps + half // up + down + 1
    padded = np.concatenate(
        [np.zeros(left, np.float32), samples, np.zeros(right, np.float32)]
    )
    windows = np.lib.stride_tricks.sliding_window_view(padded, taps)
    out = np.empty(count, dtype=np.float32)
    for first in range(min(up, count)):
        position = first * down + half
        start = position // up + left - taps + 1
        n = len(range(first, count, up))
        block = windows[start : start + (n - 1) * down + 1 : down]
        out[first::up] = block @ phases[position % up]
    return out


@functools.lru_cache(maxsize=16)
def _polyphase_filter(up: int, down: int) -> tuple[np.ndarray, int]:
    """Design the low-pass filter for ``resample`` and split it into phases.

    Return ``(phases, half)``: ``phases[p]`` holds the taps of phase ``p``
    reversed, ready for a dot product with a window of input samples, and
    ``half`` is the filter's half length in upsampled samples.
    """
    # 32 zero crossings each side and a Kaiser window (beta 8.6) keep the
    # passband flat to within 1e-4 up to 85% of the lower Nyquist frequency
    # (3.4 kHz, the top of a telephone channel, at 8 kHz) and attenuate
    # aliases by about 90 dB.
    zero_crossings = 32
    rolloff = 0.94
    factor = max(up, down)
    if factor > MAX_RESAMPLE_FACTOR:
        raise ValueError(
            f"cannot resample by {up}/{down}: the rates' ratio needs a filter "
            f"over {MAX_RESAMPLE_FACTOR} phases (use standard sample rates)"
        )
    half = zero_crossings * factor
    t = np.arange(-half, half + 1, dtype=np.float64)
    kernel = np.sinc(rolloff * t / factor) * np.kaiser(2 * half + 1, 8.6)
    kernel *= up / kernel.sum()

    taps = -(-len(kernel) // up)
    kernel = np.concatenate([kernel, np.zeros(taps * up - len(kernel))])
    phases = kernel.reshape(taps, up).T[:, ::-1]
    return np.ascontiguousarray(phases, dtype=np.float32), half


def _source_format(container: str, subtype: str) -> str | None:
    if container == "FLAC":
        return "flac"
    if container in _WAV_CONTAINERS:
        return WAV_SUBTYPES.get(subtype)
    return None


def _unreadable(path: Path) -> AudioError:
    return AudioError(
        f"not a readable audio file (corrupt or truncated): {path}",
        code="unreadable",
    )


def _bad_channel_message(channels: int, index: int) -> str:
    noun = "channel" if channels == 1 else "channels"
    valid = [str(i) for i in range(channels)]
    if len(valid) == 1:
        choices = valid[0]
    else:
        choices = f"{', '.join(valid[:-1])} or {valid[-1]}"
    return (
        f"recording has {channels} {noun}; channel {index} does not exist "
        f"(use {choices})"
    )


def _to_int16(samples: np.ndarray) -> np.ndarray:
    samples = np.asarray(samples)
    if samples.dtype == np.int16:
        return samples
    scaled = np.round(np.asarray(samples, dtype=np.float64) * 32768.0)
    return np.clip(scaled, -32768, 32767).astype(np.int16)


def _codes(data: bytes | np.ndarray) -> np.ndarray:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return np.frombuffer(data, dtype=np.uint8)
    return np.asarray(data, dtype=np.uint8)


# G.711 tables. Codes are stored inverted (mu-law) or with the even bits
# flipped (A-law) so that silence does not produce long runs of zero bits on
# the line; both decoders undo that first.


@functools.cache
def _mulaw_decode_table() -> np.ndarray:
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    linear = np.where(code & 0x80, -magnitude, magnitude)
    return (linear / 32768.0).astype(np.float32)


@functools.cache
def _alaw_decode_table() -> np.ndarray:
    code = np.arange(256, dtype=np.int32) ^ 0x55
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = np.where(
        exponent == 0,
        (mantissa << 4) + 8,
        ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0),
    )
    linear = np.where(code & 0x80, magnitude, -magnitude)
    return (linear / 32768.0).astype(np.float32)


@functools.cache
def _mulaw_encode_table() -> np.ndarray:
    linear = np.arange(-32768, 32768, dtype=np.int32)
    sign = np.where(linear < 0, 0x80, 0)
    # Clip, then add the bias that makes every segment start at a power of
    # two, so the segment number is the position of the highest bit.
    biased = np.minimum(np.abs(linear), 32635) + 0x84
    exponent = np.clip(np.floor(np.log2(biased)).astype(np.int32) - 7, 0, 7)
    mantissa = (biased >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


@functools.cache
def _alaw_encode_table() -> np.ndarray:
    linear = np.arange(-32768, 32768, dtype=np.int32)
    sign = np.where(linear >= 0, 0x80, 0)
    magnitude = np.minimum(np.abs(linear), 32767) >> 3
    exponent = np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int32) - 4
    exponent = np.clip(exponent, 0, 7)
    mantissa = np.where(exponent == 0, magnitude >> 1, magnitude >> exponent) & 0x0F
    return ((sign | (exponent << 4) | mantissa) ^ 0x55).astype(np.uint8)
