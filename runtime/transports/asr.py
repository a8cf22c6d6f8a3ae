"""Recognition in separate worker processes, over the channel layer.

A call process sends ``{"type": "asr.transcribe", "reply_to", "language",
"pcm", "deadline"}`` (16 kHz 16-bit PCM; ``deadline`` in Unix seconds) to
the ``asr`` channel; any ``run_asr_worker`` process takes it and answers on
``reply_to``. ASR capacity then grows with the number of workers,
independently of the number of connections. Needs a channel layer shared
between processes (``REDIS_URL``).

When utterances come in faster than the workers decode them, they wait in
the channel. One that has waited past its deadline is dropped unheard: its
call has stopped waiting (and re-prompts), and decoding it would only delay
the utterances behind it.
"""

import asyncio
import functools
import logging
import time

import numpy as np
from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer

from runtime.asr import Transcript

logger = logging.getLogger("outcall.asr")

ASR_CHANNEL = "asr"
# How long a call waits for its transcript (queue and decoding together).
REPLY_TIMEOUT = 30.0


class AsrUnavailable(RuntimeError):
    """The ASR workers did not answer in time, or their queue is full."""


class ChannelTranscriber:
    def __init__(self, layer=None, *, timeout: float = REPLY_TIMEOUT):
        self.layer = layer or get_channel_layer()
        self.timeout = timeout

    async def transcribe(self, samples: np.ndarray, *, language: str) -> Transcript:
        # The default prefix: channels_redis reads one process inbox per
        # prefix, and the consumers' own channels already use this one.
        reply_to = await self.layer.new_channel()
        pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
        try:
            await self.layer.send(
                ASR_CHANNEL,
                {
                    "type": "asr.transcribe",
                    "reply_to": reply_to,
                    "language": language,
                    "pcm": pcm.tobytes(),
                    "deadline": time.time() + self.timeout,
                },
            )
        except ChannelFull:
            raise AsrUnavailable(
                "the ASR queue is full: start more `run_asr_worker` processes"
            ) from None
        try:
            answer = await asyncio.wait_for(self.layer.receive(reply_to), self.timeout)
        except TimeoutError:
            raise AsrUnavailable(
                f"no ASR worker answered within {self.timeout:.0f} s: is "
                "`run_asr_worker` running, and are there enough of them?"
            ) from None
        if "error" in answer:
            raise RuntimeError(f"ASR worker: {answer['error']}")
        return Transcript(
            text=answer["text"],
            confidence=answer["confidence"],
            language=language,
            duration=answer["duration"],
            decode_seconds=answer.get("decode_seconds", 0.0),
        )


async def serve_asr(recognizer, *, layer=None):
    """Answer ``asr.transcribe`` messages until cancelled.

    ``receive`` is never given a timeout: cancelling it can lose a message
    that Redis has already handed over.
    """
    layer = layer or get_channel_layer()
    loop = asyncio.get_running_loop()
    while True:
        message = await layer.receive(ASR_CHANNEL)
        late = time.time() - message.get("deadline", float("inf"))
        if late > 0:
            logger.warning(
                "asr worker: an utterance waited %.1f s past its deadline; dropped", late
            )
            continue
        reply = {"type": "asr.result"}
        try:
            samples = np.frombuffer(message["pcm"], dtype="<i2").astype(np.float32) / 32768
            transcribe = functools.partial(
                recognizer.transcribe, samples, language=message["language"]
            )
            transcript = await loop.run_in_executor(None, transcribe)
            reply.update(
                text=transcript.text,
                confidence=transcript.confidence,
                duration=transcript.duration,
                decode_seconds=transcript.decode_seconds,
            )
        except Exception as exc:
            logger.exception("asr worker: an utterance failed")
            reply["error"] = str(exc)
        try:
            await layer.send(message["reply_to"], reply)
        except Exception:
            logger.exception("asr worker: the answer could not be sent")
