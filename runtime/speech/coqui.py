"""Coqui TTS (the ``coqui-tts`` package) as a text-to-speech source.

A model is given by path or by name, and is never downloaded:

- a directory in Coqui's own layout, ``config.json`` beside the checkpoint
  (``model.pth`` or another ``*.pth``), as Coqui's trainer writes it and
  its model manager unpacks it;
- a checkpoint file, with ``config.json`` in the same directory;
- the name of a model already in Coqui's model folder
  (``tts_models/ru/some-dataset/vits``, kept there as
  ``tts_models--ru--some-dataset--vits``).

``find_model`` only looks at files, so a bad setting is reported before
any call and without importing torch. The model itself is loaded once per
process, on the first synthesis, and every synthesis of the process goes
through it one at a time: the model is not made for concurrent use, and
on a small machine two at once would only slow each other down.
"""

import functools
import hashlib
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.audio.formats import resample

logger = logging.getLogger("outcall.speech")

# The checkpoint names Coqui's model manager looks for, in its order.
CHECKPOINT_NAMES = (
    "model_file.pth",
    "model_file.pth.tar",
    "model.pth",
    "checkpoint.pth",
)
# Models that load themselves from their whole directory (a checkpoint,
# a vocabulary, speakers), not from one checkpoint file.
DIRECTORY_MODELS = {"xtts", "tortoise", "bark"}


class CoquiError(RuntimeError):
    """The Coqui model cannot be found or used; the message says why."""


@dataclass(frozen=True)
class CoquiModel:
    """A model on disk: its checkpoint (a file, or the directory of a
    model that loads from one), its ``config.json`` and a digest of both,
    which changes whenever either file does."""

    checkpoint: Path
    config: Path
    kind: str
    identity: str


def find_model(spec: str, *, model_dir: Path, setting: str = "OUTCALL_COQUI_MODEL"):
    """The ``CoquiModel`` that ``spec`` (a path or a model name) names.

    Raises ``CoquiError`` naming ``setting`` and what was looked for.
    """
    spec = (spec or "").strip()
    if not spec:
        raise CoquiError(
            f"{setting} is not set: give a Coqui model directory, a checkpoint "
            f"file, or the name of a model in {model_dir}."
        )
    path = Path(spec).expanduser()
    if path.exists():
        return _model_at(path, setting=setting)
    if path.is_absolute() or spec.startswith((".", "~")):
        raise CoquiError(f"{setting}={spec!r}: there is no such file or directory.")

    folder = Path(model_dir) / spec.replace("/", "--")
    if folder.is_dir():
        return _model_at(folder, setting=setting)
    raise CoquiError(
        f"{setting}={spec!r} is neither a path nor a model in Coqui's model "
        f"folder (looked for {folder}). Models are never downloaded: put the "
        f"model's directory there, or set {setting} to its path."
    )


def _model_at(path: Path, *, setting: str) -> CoquiModel:
    directory = path if path.is_dir() else path.parent
    config = directory / "config.json"
    if not config.is_file():
        raise CoquiError(
            f"{setting}: {directory} has no config.json; a Coqui model is "
            "config.json beside its checkpoint (model.pth)."
        )
    kind = _model_kind(config, setting=setting)
    if kind in DIRECTORY_MODELS:
        checkpoint = directory
        files = sorted(p for p in directory.iterdir() if p.is_file())
    else:
        checkpoint = (
            path if path.is_file() else _checkpoint_in(directory, setting=setting)
        )
        files = [checkpoint, config]
    return CoquiModel(
        checkpoint=checkpoint.resolve(),
        config=config.resolve(),
        kind=kind,
        identity=_digest(files),
    )


def _model_kind(config: Path, *, setting: str) -> str:
    text = config.read_text(encoding="utf-8", errors="replace")
    try:
        kind = json.loads(text).get("model")
    except (ValueError, AttributeError):
        # Coqui's own configs may carry // comments, which json refuses.
        found = re.search(r'"model"\s*:\s*"([^"]+)"', text)
        kind = found.group(1) if found else None
    if not isinstance(kind, str) or not kind:
        raise CoquiError(f"{setting}: {config} does not name its model type ('model').")
    return kind.lower()


def _checkpoint_in(directory: Path, *, setting: str) -> Path:
    for name in CHECKPOINT_NAMES:
        if (directory / name).is_file():
            return directory / name
    found = sorted(p for p in directory.glob("*.pt*") if p.is_file())
    if len(found) == 1:
        return found[0]
    if not found:
        raise CoquiError(f"{setting}: {directory} has no checkpoint (model.pth).")
    names = ", ".join(p.name for p in found)
    raise CoquiError(
        f"{setting}: {directory} has several checkpoints ({names}); "
        "set it to the file to use."
    )


def _digest(files) -> str:
    """The model's identity: the content of its files, so a retrained
    checkpoint copied over the old one with the same size and time (cp -p,
    rsync -a) is still a different model."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(_content_digest(path.resolve(), *_stat_key(path)).encode())
    return digest.hexdigest()[:16]


def _stat_key(path: Path) -> tuple:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


@functools.lru_cache(maxsize=32)
def _content_digest(path: Path, *state) -> str:
    """SHA-256 of a file, read once per process per state of the file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class CoquiSource:
    """Coqui TTS with one model, and a speaker when the model has several.

    ``voice_for`` names the language and the model's identity, so rendered
    audio cached for one model is never served for another.
    """

    name = "coqui"

    def __init__(self, model: CoquiModel, *, speaker: str = "", threads: int = 1):
        self.model = model
        self.speaker = speaker or ""
        self.threads = max(1, int(threads))
        digest = hashlib.sha256(f"{model.identity}\0{self.speaker}".encode())
        self.identity = digest.hexdigest()[:16]

    def voice_for(self, language: str) -> str:
        return f"{language}@{self.identity}"

    def synthesize(self, text: str, *, voice: str, sample_rate: int) -> np.ndarray:
        language = voice.partition("@")[0]
        loaded = self.load()
        samples = loaded.speak(text, language=language)
        resampled = resample(samples, loaded.sample_rate, sample_rate)
        return np.clip(np.round(resampled * 32767.0), -32768, 32767).astype(np.int16)

    def load(self) -> "LoadedModel":
        """The process's loaded model, loading it on the first call."""
        key = (self.model, self.speaker)
        with _loaded_lock:
            loaded = _loaded.get(key)
            if loaded is None:
                try:
                    loaded = LoadedModel(
                        self.model, speaker=self.speaker, threads=self.threads
                    )
                except CoquiError as exc:
                    loaded = exc
                except Exception as exc:
                    logger.exception(
                        "Coqui model %s did not load", self.model.checkpoint
                    )
                    loaded = CoquiError(
                        f"the Coqui model {self.model.checkpoint} did not load: {exc}"
                    )
                _loaded[key] = loaded
        # A model that failed to load is not tried again in this process:
        # each prompt would wait for the same failure.
        if isinstance(loaded, Exception):
            raise loaded
        return loaded


_loaded = {}
_loaded_lock = threading.Lock()


class LoadedModel:
    """A model in memory, through Coqui's ``Synthesizer``."""

    def __init__(self, model: CoquiModel, *, speaker: str, threads: int):
        from TTS.utils.synthesizer import Synthesizer

        started = time.perf_counter()
        self.synthesizer = Synthesizer(
            tts_checkpoint=str(model.checkpoint), tts_config_path=str(model.config)
        )
        self.sample_rate = int(self.synthesizer.output_sample_rate)
        tts = self.synthesizer.tts_model
        self.speakers = _names(getattr(tts, "speaker_manager", None), "speaker_names")
        self.languages = _names(
            getattr(tts, "language_manager", None), "language_names"
        )
        if self.speakers and speaker not in self.speakers:
            shown = ", ".join(self.speakers[:10]) + (
                " …" if len(self.speakers) > 10 else ""
            )
            raise CoquiError(
                f"OUTCALL_COQUI_SPEAKER={speaker!r} is not a speaker of the model "
                f"{model.checkpoint}; it has {len(self.speakers)}: {shown}."
            )
        if speaker and not self.speakers:
            raise CoquiError(
                f"OUTCALL_COQUI_SPEAKER={speaker!r}, but the model "
                f"{model.checkpoint} has one voice; leave it empty."
            )
        self.speaker = speaker or None
        self.threads = threads
        self._lock = threading.Lock()
        logger.info(
            "Coqui model %s (%s, %d Hz) loaded in %.1f s",
            model.checkpoint,
            model.kind,
            self.sample_rate,
            time.perf_counter() - started,
        )

    def speak(self, text: str, *, language: str) -> np.ndarray:
        """``text`` as float samples at ``sample_rate``."""
        import torch

        with self._lock, torch.inference_mode():
            # Few threads keep a synthesis off the cores of the event loop
            # and recognition. Set each time: the setting belongs to the
            # calling thread, and syntheses run in whichever worker thread.
            if torch.get_num_threads() != self.threads:
                torch.set_num_threads(self.threads)
            wav = self.synthesizer.tts(
                text, speaker_name=self.speaker, language_name=self._language(language)
            )
        return np.asarray(wav, dtype=np.float32).reshape(-1)

    def _language(self, language: str) -> str | None:
        """The model's name for a script language; ``None`` for a model of
        one language, which speaks whatever it is given."""
        if len(self.languages) <= 1:
            return self.languages[0] if self.languages else None
        for name in self.languages:
            if name == language or name.split("-")[0] == language:
                return name
        raise CoquiError(
            f"the model speaks {', '.join(self.languages)}, not {language!r}"
        )


def _names(manager, attribute) -> list[str]:
    return list(getattr(manager, attribute, None) or []) if manager is not None else []
