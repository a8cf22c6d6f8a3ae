"""Recognition in separate worker processes, over the channel layer.

A call process sends ``{"type": "asr.transcribe", "reply_to", "language",
"pcm"}`` (16 kHz 16-bit PCM) to the ``asr`` channel; any ``run_asr_worker``
process takes it and answers on ``reply_to``. ASR capacity then grows with
the number of workers, independently of the number of connections. Needs a
channel layer shared between processes (``REDIS_URL``).
"""

import asyncio
import logging

import numpy as np
from channels.layers import get_channel_layer

from runtime.asr import Transcript

logger = logging.getLogger("outcall.asr")

ASR_CHANNEL = "asr"
REPLY_TIMEOUT = 30.0


class ChannelTranscriber:
    def __init__(self, layer=None):
        self.layer = layer or get_channel_layer()

    async def transcribe(self, samples: np.ndarray, *, language: str) -> Transcript:
        # The default prefix: channels_redis reads one process inbox per
        # prefix, and the consumers' own channels already use this one.
        reply_to = await self.layer.new_channel()
        pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
        await self.layer.send(
            ASR_CHANNEL,
            {
                "type": "asr.transcribe",
                "reply_to": reply_to,
                "language": language,
                "pcm": pcm.tobytes(),
            },
        )
        answer = await asyncio.wait_for(self.layer.receive(reply_to), REPLY_TIMEOUT)
        if "error" in answer:
            raise RuntimeError(f"ASR worker: {answer['error']}")
        return Transcript(
            text=answer["text"],
            confidence=answer["confidence"],
            language=language,
            duration=answer["duration"],
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
        reply = {"type": "asr.result"}
        try:
            samples = np.frombuffer(message["pcm"], dtype="<i2").astype(np.float32) / 32768
            transcript = await loop.run_in_executor(
                None, lambda: recognizer.transcribe(samples, language=message["language"])
            )
            reply.update(
                text=transcript.text,
                confidence=transcript.confidence,
                duration=transcript.duration,
            )
        except Exception as exc:
            logger.exception("asr worker: an utterance failed")
            reply["error"] = str(exc)
        try:
            await layer.send(message["reply_to"], reply)
        except Exception:
            logger.exception("asr worker: the answer could not be sent")
