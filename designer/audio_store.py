"""Uploaded prompt audio on disk, addressed by content.

A recording is stored once, as the normalised WAV whose SHA-256 names it
(``wav/ab/abcdef….wav``), with the file as it was uploaded beside it
under its own digest (``original/12/1234…``). A script version refers to a
recording as ``sha256:<hex>``, so the audio a published version plays can
never change: new audio is a new name.

Files are written to a temporary name and renamed into place, so a reader
sees a whole file or none. Writers and removers take the store's lock
(``locked()``) around their database transaction and file changes, so a
file is never removed while another process is adding a row that needs it.
The lock is an ``flock`` on ``.lock`` in the store: it serialises the
processes of one host sharing the directory.

A file is checked against its name before it is played, served or
exported (``holds``): a file changed or cut on disk is treated as missing,
and uploading the recording again replaces it.

Plain Python: the runtime resolves references with it, without Django.
"""

import contextlib
import fcntl
import hashlib
import os
import threading
import re
import tempfile
from pathlib import Path

REFERENCE_PREFIX = "sha256:"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def reference_of(sha256: str) -> str:
    """The ``audio`` value a variant holds for the recording ``sha256``."""
    return REFERENCE_PREFIX + sha256


def is_reference(audio) -> bool:
    """Whether ``audio`` names stored audio (rather than a legacy path)."""
    return isinstance(audio, str) and audio.startswith(REFERENCE_PREFIX)


def sha256_of(reference) -> str | None:
    """The digest a well-formed ``sha256:<64 hex>`` reference names."""
    if not is_reference(reference):
        return None
    digest = reference[len(REFERENCE_PREFIX) :]
    return digest if _SHA256.fullmatch(digest) else None


def is_sha256(value) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


class AudioStore:
    """The directory ``root`` holding the recordings of every team."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def wav_path(self, sha256: str) -> Path:
        return self._path("wav", sha256, ".wav")

    def original_path(self, sha256: str) -> Path:
        return self._path("original", sha256, "")

    def _path(self, kind: str, sha256: str, suffix: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / kind / sha256[:2] / f"{sha256}{suffix}"

    @contextlib.contextmanager
    def locked(self):
        """Hold the store's lock (one writer at a time, across processes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def put_wav(self, sha256: str, data: bytes) -> Path:
        return _write_once(self.wav_path(sha256), data)

    def put_original(self, sha256: str, data: bytes) -> Path:
        return _write_once(self.original_path(sha256), data)

    def holds(self, path: Path, sha256: str) -> bool:
        """Whether ``path`` is a file whose SHA-256 is ``sha256``."""
        return file_has_digest(path, sha256)

    def remove_wav(self, sha256: str) -> None:
        self.wav_path(sha256).unlink(missing_ok=True)

    def remove_original(self, sha256: str) -> None:
        self.original_path(sha256).unlink(missing_ok=True)


# (path, mtime_ns, size, sha256) of files already checked, and the answer.
_checked: dict[tuple, bool] = {}
_checked_lock = threading.Lock()
_CHECKED_MAX = 4096


def file_has_digest(path: Path, sha256: str) -> bool:
    """Whether the file at ``path`` hashes to ``sha256``; the answer is
    remembered while the file's mtime and size stay the same."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    key = (str(path), stat.st_mtime_ns, stat.st_size, sha256)
    with _checked_lock:
        if key in _checked:
            return _checked[key]
    try:
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return False
    with _checked_lock:
        if len(_checked) >= _CHECKED_MAX:
            _checked.clear()
        _checked[key] = digest == sha256
    return digest == sha256


def _write_once(path: Path, data: bytes) -> Path:
    """Write ``data`` at ``path`` atomically. A file already there is kept
    when it holds ``data`` (its name is its content); one that does not (a
    file changed or cut on disk) is replaced, which repairs the store."""
    if path.is_file():
        with contextlib.suppress(OSError):
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return path
