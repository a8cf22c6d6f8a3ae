"""``SpeechOutput``: prompt audio for a ``Say``, cached."""

import asyncio
import contextlib
import hashlib
import logging
from collections import OrderedDict
from pathlib import Path

import numpy as np

from designer.audio_store import is_reference

logger = logging.getLogger("outcall.speech")


class SpeechError(RuntimeError):
    """No audio could be made for a prompt; the message says why."""


class SpeechCache:
    """Rendered audio by key: an LRU in memory, backed by files on disk."""

    def __init__(self, *, directory: Path | None = None, max_items: int = 512):
        self.directory = Path(directory) if directory else None
        self.max_items = max_items
        self._items = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(*parts) -> str:
        return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()

    def get(self, key: str) -> np.ndarray | None:
        samples = self._items.get(key)
        if samples is None and self.directory is not None:
            path = self.directory / f"{key}.pcm"
            if path.is_file():
                samples = np.frombuffer(path.read_bytes(), dtype="<i2").astype(np.int16)
                self._remember(key, samples)
        if samples is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return samples

    def put(self, key: str, samples: np.ndarray) -> None:
        """Keep ``samples`` in memory, and on disk when it can be written:
        a full disk or a bad cache directory costs the cache, never the
        prompt."""
        self._remember(key, samples)
        if self.directory is None:
            return
        partial = self.directory / f"{key}.part"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(samples.astype("<i2").tobytes())
            partial.replace(self.directory / f"{key}.pcm")
        except OSError as exc:
            logger.warning("speech cache: %s could not be written (%s)", partial, exc)
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)

    def _remember(self, key, samples):
        self._items[key] = samples
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)


class SpeechOutput:
    """The audio of each prompt: the recording when there is one, else TTS."""

    def __init__(self, *, tts, recorded=None, cache: SpeechCache | None = None):
        self.tts = tts
        self.recorded = recorded
        self.cache = cache if cache is not None else SpeechCache()

    def render_sync(self, say, *, language: str, sample_rate: int) -> np.ndarray:
        samples = self._recorded(say, sample_rate=sample_rate)
        if samples is not None:
            return samples

        voice = self.tts.voice_for(language)
        key = self.cache.key(self.tts.name, voice, say.text, sample_rate)
        samples = self.cache.get(key)
        if samples is not None:
            return samples
        try:
            samples = self.tts.synthesize(say.text, voice=voice, sample_rate=sample_rate)
        except Exception as exc:
            raise SpeechError(f"no audio for {say.node}/{say.variant}: {exc}") from exc
        self.cache.put(key, samples)
        return samples

    def _recorded(self, say, *, sample_rate: int) -> np.ndarray | None:
        """The variant's recording at ``sample_rate``; ``None`` (logged)
        when it has none or its file is missing or unreadable."""
        if not say.audio or self.recorded is None:
            return None
        path = self.recorded.path_of(say.audio)
        if is_reference(say.audio):
            # The reference names the content, so what was rendered once
            # stays right even if the file has gone since.
            # Only audio checked against its reference is ever cached
            # ("verified" keeps out what older versions cached unchecked).
            key = self.cache.key("recorded", "verified", say.audio, sample_rate)
        elif path is not None:
            key = self.cache.key("recorded", path, path.stat().st_mtime_ns, sample_rate)
        else:
            key = None
        samples = self.cache.get(key) if key is not None else None
        if samples is not None:
            return samples

        if path is None:
            logger.warning(
                "prompt audio %s of %s/%s not found; speaking the text",
                say.audio, say.node, say.variant,
            )
            return None
        samples = self.recorded.load(path, sample_rate=sample_rate)
        if samples is None:
            logger.warning(
                "prompt audio %s of %s/%s unreadable; speaking the text",
                path, say.node, say.variant,
            )
            return None
        self.cache.put(key, samples)
        return samples

    async def render(self, say, *, language: str, sample_rate: int) -> np.ndarray:
        """Off the event loop: synthesis takes milliseconds to seconds."""
        return await asyncio.to_thread(
            self.render_sync, say, language=language, sample_rate=sample_rate
        )
