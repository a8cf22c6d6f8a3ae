"""What an uploaded recording must be, and the one form it is kept in.

``normalise_upload`` accepts what the runtime's reader accepts
(``runtime.audio.formats.read_audio``: WAV with PCM, float, mu-law, A-law,
ADPCM or GSM samples, and FLAC), checks it whole, and returns it as mono
16-bit PCM WAV at 16 kHz (channels averaged), the form the runtime plays
at any call rate. The same audio always gives the same bytes, so the
SHA-256 of those bytes names the recording. Bad input raises
``AudioRejected`` (or ``AudioTooLarge``) with a message for the writer.

Plain Python: no database, no Django.
"""

import hashlib
import io
import math
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

from designer.errors import AudioRejected, AudioTooLarge
from runtime.audio.formats import (
    STANDARD_RATES,
    UNKNOWN_LENGTH,
    WAV_SUBTYPES,
    AudioError,
    read_audio_channels,
)

SAMPLE_RATE = 16000
MAX_BYTES = 20 * 1024 * 1024
MAX_SECONDS = 300.0
# More channels than a surround recording has are not a prompt.
MAX_CHANNELS = 8
# A recording whose loudest sample is below this is taken for silence.
SILENT_DBFS = -50.0

ACCEPTED = "a WAV (PCM, mu-law or A-law) or FLAC recording"

# The first bytes of common audio files, to name what was sent.
_SIGNATURES = (
    (0, b"RIFF", "WAV"),
    (0, b"RF64", "WAV"),
    (0, b"fLaC", "FLAC"),
    (0, b"OggS", "OGG"),
    (0, b"ID3", "MP3"),
    (0, b"FORM", "AIFF"),
    (0, b".snd", "AU"),
    (0, b"\x1aE\xdf\xa3", "WebM"),
    (0, b"#!AMR", "AMR"),
    (4, b"ftyp", "MP4/M4A"),
)


@dataclass(frozen=True)
class NormalisedAudio:
    """A checked recording: the WAV to store and what it was made from."""

    wav: bytes
    sha256: str
    duration: float
    peak_dbfs: float
    original_sha256: str
    original_format: str
    original_sample_rate: int
    original_channels: int
    original_size: int
    warnings: list = field(default_factory=list)

    @property
    def silent(self) -> bool:
        return self.peak_dbfs < SILENT_DBFS


def normalise_upload(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_seconds: float = MAX_SECONDS
) -> NormalisedAudio:
    """Check ``data`` (a whole uploaded file) and return its normalised form."""
    if not data:
        raise AudioRejected("empty", "The file is empty; upload " + ACCEPTED + ".")
    if len(data) > max_bytes:
        raise AudioTooLarge(
            f"The file is {_megabytes(len(data))}; a recording may be at most "
            f"{_megabytes(max_bytes)}."
        )
    kind = _signature(data)
    with tempfile.TemporaryDirectory(prefix="outcall-upload-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        info = _info(path, kind)
        source_format = _check_format(info, kind)
        _check_shape(info)
        if kind == "WAV":
            _check_wav_length(data, info)
        if info.frames == 0:
            raise AudioRejected("empty", "The recording has no audio samples.")
        if info.duration > max_seconds:
            lasts, limit = _seconds(info.duration), _seconds(max_seconds)
            if lasts == limit:  # just over: "300.01 s", not "5 min" twice
                lasts = _exact_seconds(info.duration)
                limit = _exact_seconds(max_seconds)
            raise AudioRejected(
                "too_long",
                f"The recording lasts {lasts}; a prompt recording may last at "
                f"most {limit}.",
            )
        samples = _decode(path, info, kind)

    pcm = np.clip(np.round(samples.astype(np.float64) * 32768.0), -32768, 32767)
    pcm = pcm.astype("<i2")
    wav = _wav_bytes(pcm)
    peak = int(np.abs(pcm.astype(np.int32)).max())
    peak_dbfs = 20 * math.log10(peak / 32768) if peak else -math.inf
    result = NormalisedAudio(
        wav=wav,
        sha256=hashlib.sha256(wav).hexdigest(),
        duration=round(len(pcm) / SAMPLE_RATE, 3),
        peak_dbfs=round(peak_dbfs, 1) if peak else -math.inf,
        original_sha256=hashlib.sha256(data).hexdigest(),
        original_format=source_format,
        original_sample_rate=info.samplerate,
        original_channels=info.channels,
        original_size=len(data),
    )
    if result.silent:
        result.warnings.append(silence_warning(result.peak_dbfs))
    return result


def silence_warning(peak_dbfs: float) -> dict:
    level = "no sound at all" if peak_dbfs == -math.inf else f"{peak_dbfs:.0f} dBFS"
    return {
        "code": "silent",
        "message": f"The recording sounds silent (its loudest moment is "
        f"{level}); callers would hear nothing. Check the microphone and "
        "record it again.",
    }


def read_wav_duration(data: bytes) -> float:
    """Seconds of a normalised WAV, from its header."""
    with wave.open(io.BytesIO(data)) as wav:
        return wav.getnframes() / wav.getframerate()


# -- the checks ---------------------------------------------------------------


def _signature(data: bytes) -> str | None:
    for offset, magic, kind in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return "WAV" if kind == "WAV" and data[8:12] != b"WAVE" else kind
    if len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:
        return "MP3"
    return None


def _info(path: Path, kind: str | None):
    try:
        return soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, EOFError):
        pass
    if kind in ("WAV", "FLAC"):
        raise AudioRejected(
            "corrupt",
            f"The {kind} file is corrupt or truncated: its header cannot be "
            "read. Export it again from the recording program.",
        )
    if kind is not None:
        raise _unsupported(kind)
    raise AudioRejected(
        "not_audio", f"The file is not audio Outcall can read; upload {ACCEPTED}."
    )


def _check_format(info, kind: str | None) -> str:
    container = info.format
    if container == "FLAC":
        return "flac"
    if container in ("WAV", "WAVEX", "RF64"):
        if info.subtype in WAV_SUBTYPES:
            return WAV_SUBTYPES[info.subtype]
        raise AudioRejected(
            "unsupported_format",
            f"WAV with {info.subtype_info or info.subtype} samples is not "
            f"accepted; upload {ACCEPTED}.",
        )
    raise _unsupported(kind or info.format_info or container)


def _check_shape(info) -> None:
    """Refuse odd sample rates and channel counts before decoding: both
    make decoding cost far more than the file's size suggests."""
    if info.samplerate not in STANDARD_RATES:
        rates = ", ".join(str(rate) for rate in STANDARD_RATES)
        raise AudioRejected(
            "unsupported_format",
            f"The recording's sample rate, {info.samplerate} Hz, is not a "
            f"standard audio rate; export it at one of {rates} Hz.",
        )
    if info.frames >= UNKNOWN_LENGTH:
        raise AudioRejected(
            "unsupported_format",
            "The file does not say how long it is (it was written as a stream, "
            "its header gives 0 samples); export it again from the recording "
            "program so that its header holds the length.",
        )
    if info.channels > MAX_CHANNELS:
        raise AudioRejected(
            "unsupported_format",
            f"The recording has {info.channels} channels; a prompt recording "
            f"may have at most {MAX_CHANNELS} (mono is best).",
        )


def _unsupported(kind: str) -> AudioRejected:
    return AudioRejected(
        "unsupported_format",
        f"{kind} files are not accepted; upload {ACCEPTED} (convert it first, "
        "e.g. with `ffmpeg -i INPUT -ac 1 recording.wav`).",
    )


def _check_wav_length(data: bytes, info) -> None:
    """A WAV cut short still opens (libsndfile reads what is there), so
    compare the size its ``data`` chunk declares with the bytes present."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return
    position = 12
    byte_rate = 0
    while position + 8 <= len(data):
        chunk = data[position : position + 4]
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        if chunk == b"fmt " and size >= 12:
            byte_rate = int.from_bytes(data[position + 16 : position + 20], "little")
        if chunk == b"data":
            # 0 and 0xFFFFFFFF: written while streaming, length unknown.
            present = len(data) - position - 8
            if size not in (0, 0xFFFFFFFF) and present < size:
                declared = f" {_seconds(size / byte_rate)}" if byte_rate else ""
                raise AudioRejected(
                    "corrupt",
                    f"The WAV file is truncated: it declares{declared} of audio "
                    f"but holds {_seconds(info.duration)}. Upload the whole file.",
                )
            return
        position += 8 + size + (size & 1)


def _decode(path: Path, info, kind: str | None) -> np.ndarray:
    """Mono 16 kHz float samples: the channels averaged."""
    try:
        channels = [audio.samples for audio in read_audio_channels(path)]
    except AudioError:
        raise AudioRejected(
            "corrupt",
            f"The {kind or 'audio'} file is corrupt or truncated: its audio "
            "cannot be decoded to the end. Export it again.",
        ) from None
    samples = channels[0] if len(channels) == 1 else np.mean(channels, axis=0)
    expected = math.ceil(info.frames * SAMPLE_RATE / info.samplerate)
    if len(samples) < expected - 1:
        raise AudioRejected(
            "corrupt",
            f"The {kind or 'audio'} file is truncated: it declares "
            f"{_seconds(info.duration)} of audio but only "
            f"{_seconds(len(samples) / SAMPLE_RATE)} can be decoded.",
        )
    return samples


# -- output and wording -------------------------------------------------------


def _wav_bytes(pcm: np.ndarray) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())
    return out.getvalue()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _exact_seconds(seconds: float) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + " s"


def _seconds(seconds: float) -> str:
    if seconds >= 60:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    return f"{seconds:.1f} s"
