"""Recognition of finished utterances, off the event loop.

``ThreadTranscriber`` runs the process's recogniser in one worker thread
(CTranslate2 decodes one utterance at a time per model anyway). For many
calls per process, ``runtime.transports.asr.ChannelTranscriber`` sends the
utterances to ASR worker processes instead; both have the same method.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import numpy as np


class ThreadTranscriber:
    _shared = None

    def __init__(self, recognizer):
        self.recognizer = recognizer
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asr")

    @classmethod
    def shared(cls) -> "ThreadTranscriber":
        if cls._shared is None:
            cls._shared = cls(default_recognizer())
        return cls._shared

    async def transcribe(self, samples: np.ndarray, *, language: str):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor,
            lambda: self.recognizer.transcribe(samples, language=language),
        )


def default_recognizer():
    from django.conf import settings

    from runtime.asr import get_recognizer

    return get_recognizer(
        settings.OUTCALL_ASR_MODEL,
        model_dir=settings.OUTCALL_MODEL_DIR,
        compute_type=settings.OUTCALL_ASR_COMPUTE_TYPE,
        cpu_threads=settings.OUTCALL_ASR_THREADS,
    )
