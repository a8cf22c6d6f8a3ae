"""Outcall's own WebSocket protocol at ``/ws/call/`` (docs/live-protocol.md)."""

import json
import logging

from runtime.live.audio import AudioFormat, FormatError
from runtime.live.pipeline import CallPipeline
from runtime.live.setup import (
    CallRequest,
    DatabaseLog,
    LiveError,
    speech_output,
    start_call,
    token_from_headers,
    transcriber,
)
from runtime.transports.consumer import TelephonyConsumer

logger = logging.getLogger("outcall.live")

DTMF_DIGITS = set("0123456789*#ABCD")


class CallConsumer(TelephonyConsumer):
    pipeline = None
    failed = False

    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        if self.failed:
            return  # closing: what follows a refused message is not heard
        try:
            if bytes_data is not None:
                self._audio(bytes_data)
            else:
                await self._message(text_data)
        except LiveError as exc:
            await self.fail(exc)
        except Exception:
            logger.exception("live call: an unexpected error; the call is closed")
            await self.fail(LiveError("internal", "The call failed on the server."))

    async def _message(self, text):
        try:
            message = json.loads(text)
        except ValueError:
            raise LiveError("malformed_frame", "A text frame must be one JSON object.")
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise LiveError("malformed_frame", "A message needs a string 'type'.")
        kind = message["type"]
        if self.pipeline is None:
            if kind != "start":
                raise LiveError("bad_request", "The first message must be 'start'.")
            await self._start(message)
        elif kind == "dtmf":
            digit = message.get("digit")
            if not isinstance(digit, str) or digit not in DTMF_DIGITS:
                raise LiveError("malformed_frame", "'digit' must be one of 0-9 * # A-D.")
            self.pipeline.dtmf(digit)
        elif kind == "hangup":
            self.pipeline.hangup()
        elif kind == "start":
            raise LiveError("bad_request", "The call has already started.")
        else:
            raise LiveError("malformed_frame", f"Unknown message type {kind!r}.")

    async def _start(self, message):
        contact = message.get("contact")
        if contact is not None and not isinstance(contact, dict):
            raise LiveError("bad_request", "'contact' must be an object.")
        request = CallRequest.parse({**(contact or {}), **message})
        fmt = message.get("format")
        if fmt is None:
            fmt = {}
        if not isinstance(fmt, dict):
            raise LiveError("bad_request", "'format' must be an object.")
        sample_rate = fmt.get("sample_rate", 8000)
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, str)):
            raise LiveError(
                "bad_request", f"format: 'sample_rate' must be an integer, not {sample_rate!r}."
            )
        try:
            self.format = AudioFormat(
                encoding=fmt.get("encoding", "pcm16"), sample_rate=int(sample_rate)
            )
        except (FormatError, TypeError, ValueError) as exc:
            raise LiveError("bad_request", f"format: {exc}") from None
        monitor = message.get("monitor", False)
        if not isinstance(monitor, bool):
            raise LiveError("bad_request", "'monitor' must be true or false.")
        key = token_from_headers(
            self.scope.get("headers"), self.scope.get("query_string", b"").decode()
        ) or message.get("token")
        prepared = await start_call(token_key=key, request=request)
        self.pipeline = CallPipeline(
            compiled=prepared.compiled,
            call_id=request.call_id,
            contact=prepared.contact,
            language=prepared.language,
            audio_format=self.format,
            sink=self,
            transcriber=transcriber(),
            speech=speech_output(),
            log=DatabaseLog(prepared.recorder),
            monitor=monitor,
        )
        # The call is in the event log before the client hears it started.
        await self.pipeline.open()
        await self.send(text_data=json.dumps({
            "type": "started",
            "call_id": request.call_id,
            "script": request.script,
            "version": prepared.version.number,
            "language": prepared.language,
            "format": {"encoding": self.format.encoding,
                       "sample_rate": self.format.sample_rate},
        }, ensure_ascii=False))
        await self.pipeline.start()

    def _audio(self, data):
        if self.pipeline is None:
            raise LiveError("bad_request", "Send 'start' before any audio.")
        if len(data) != self.format.frame_bytes:
            raise LiveError(
                "malformed_frame",
                f"An audio frame is 20 ms: {self.format.frame_bytes} bytes of "
                f"{self.format.encoding} at {self.format.sample_rate} Hz, not {len(data)}.",
            )
        self.pipeline.feed_audio(data)

    async def fail(self, error: LiveError):
        self.failed = True
        logger.warning("live call: %s (%s)", error.message, error.code)
        try:
            await self.send(text_data=json.dumps(error.as_dict()))
        except Exception:
            pass
        if self.pipeline is not None and not self.pipeline.ended:
            self.pipeline.hangup(vanished=True)
            await self.pipeline.wait_closed()
        await super().close(code=error.close_code)

    async def disconnect(self, code):
        if self.pipeline is not None and not self.pipeline.ended:
            logger.info("%s: the client went away (%s)", self.pipeline.call_id, code)
            self.pipeline.hangup(vanished=True)
            await self.pipeline.wait_closed()

    # The pipeline's sink.

    async def send_audio(self, frame: bytes):
        await self.send(bytes_data=frame)

    async def send_clear(self):
        await self.send(text_data='{"type": "clear"}')

    async def send_event(self, message: dict):
        await self.send(text_data=json.dumps(message, ensure_ascii=False))

    async def send_transfer(self, transfer):
        await self.send(text_data=json.dumps({
            "type": "transfer", "node": transfer.node, "target": transfer.target,
            "summary": transfer.summary, "context": transfer.context,
        }, ensure_ascii=False, default=str))

    async def send_hangup(self, node, outcome, stats):
        await self.send(text_data=json.dumps({
            "type": "hangup", "node": node, "outcome": outcome, "stats": stats,
        }, ensure_ascii=False))

    async def close(self, code=None, reason=None):
        await super().close(code=code or 1000)
