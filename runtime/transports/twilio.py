"""Twilio Media Streams at ``/ws/twilio/``.

In: ``connected``, ``start``, ``media``, ``mark``, ``dtmf``, ``stop``. Out:
``media`` (8 kHz mu-law, base64), ``mark`` and ``clear``. Twilio sends its
numbers as strings (``sequenceNumber``, ``chunk``, ``timestamp``) and so do
we. The script and contact come from the start message's
``customParameters``: ``script``, ``version``, ``segment``, ``phone``,
``call_id``, ``var_NAME`` and ``token`` (the token may also be a ``token``
query parameter). The stream has no message for the end of a call, so the
robot's last word is a mark named ``outcall:hangup:<outcome>`` or
``outcall:transfer:<target>``, after which the socket is closed. A mark
carries no summary: a transfer's summary and context are kept with the
call, for the TwiML application to read from ``GET /api/live/calls/<id>/``
once the stream has ended.
"""

import base64
import binascii
import json
import logging

from runtime.live.audio import AudioFormat
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

MULAW_8K = AudioFormat(encoding="mulaw", sample_rate=8000)
MAX_PAYLOAD = 16000  # two seconds of mu-law


def request_from_parameters(parameters: dict, stream_sid: str) -> CallRequest:
    if not isinstance(parameters, dict):
        raise LiveError("malformed_frame", "'customParameters' must be an object.")
    variables = {
        key[4:]: value for key, value in parameters.items() if key.startswith("var_")
    }
    return CallRequest.parse({
        "script": parameters.get("script"),
        "version": parameters.get("version"),
        "call_id": parameters.get("call_id") or f"twilio-{stream_sid}",
        "phone": parameters.get("phone"),
        "segment": parameters.get("segment"),
        "variables": variables,
    })


class TwilioConsumer(TelephonyConsumer):
    pipeline = None
    failed = False
    stream_sid = ""

    async def connect(self):
        self._sequence = 0
        self._marks = 0
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        if self.failed:
            return  # closing: what follows a refused message is not heard
        try:
            if text_data is None:
                raise LiveError("malformed_frame", "Twilio messages are text (JSON).")
            await self._message(text_data)
        except LiveError as exc:
            await self.fail(exc)
        except Exception:
            logger.exception("twilio stream %s failed; closing it", self.stream_sid)
            await self.fail(LiveError("internal", "The call failed on the server."))

    async def _message(self, text):
        try:
            message = json.loads(text)
        except ValueError:
            raise LiveError("malformed_frame", "A message must be one JSON object.")
        if not isinstance(message, dict) or not isinstance(message.get("event"), str):
            raise LiveError("malformed_frame", "A message needs a string 'event'.")
        event = message["event"]
        if event == "connected":
            return
        if event == "start":
            if self.pipeline is not None:
                raise LiveError("bad_request", "The stream has already started.")
            await self._start(message.get("start"))
            return
        if self.pipeline is None:
            raise LiveError("bad_request", f"'{event}' before 'start'.")
        if event == "media":
            self.pipeline.feed_audio(self._payload(message.get("media")))
        elif event == "dtmf":
            dtmf = message.get("dtmf")
            if not isinstance(dtmf, dict):
                raise LiveError("malformed_frame", "'dtmf' must be an object with a 'digit'.")
            digit = dtmf.get("digit")
            if not isinstance(digit, str) or len(digit) != 1 or digit not in "0123456789*#":
                raise LiveError("malformed_frame", f"Bad DTMF digit {digit!r}.")
            self.pipeline.dtmf(digit)
        elif event == "mark":
            pass  # played back as far as our mark; pacing already says so
        elif event == "stop":
            self.pipeline.hangup()
        else:
            raise LiveError("malformed_frame", f"Unknown event {event!r}.")

    def _payload(self, media) -> bytes:
        if not isinstance(media, dict) or not isinstance(media.get("payload"), str):
            raise LiveError("malformed_frame", "'media.payload' (base64) is required.")
        if media.get("track", "inbound") not in ("inbound", "inbound_track"):
            raise LiveError("malformed_frame", "Only the inbound track is heard.")
        try:
            data = base64.b64decode(media["payload"], validate=True)
        except (binascii.Error, ValueError):
            raise LiveError("malformed_frame", "'media.payload' is not base64.") from None
        if not 0 < len(data) <= MAX_PAYLOAD:
            raise LiveError("malformed_frame", f"A payload of {len(data)} bytes.")
        return data

    async def _start(self, start):
        if not isinstance(start, dict) or not isinstance(start.get("streamSid"), str) or not start[
            "streamSid"
        ]:
            raise LiveError("malformed_frame", "'start.streamSid' is required.")
        self.stream_sid = str(start["streamSid"])
        media_format = start.get("mediaFormat")
        if media_format is None:
            media_format = {}
        if not isinstance(media_format, dict):
            raise LiveError("bad_request", "'start.mediaFormat' must be an object.")
        if media_format.get("encoding", "audio/x-mulaw") != "audio/x-mulaw" or str(
            media_format.get("sampleRate", "8000")
        ) != "8000":
            raise LiveError("bad_request", "Twilio streams are 8000 Hz audio/x-mulaw.")
        parameters = start.get("customParameters")
        if parameters is None:
            parameters = {}
        request = request_from_parameters(parameters, self.stream_sid)
        key = token_from_headers(
            self.scope.get("headers"), self.scope.get("query_string", b"").decode()
        ) or parameters.get("token")
        prepared = await start_call(token_key=key, request=request)
        self.pipeline = CallPipeline(
            compiled=prepared.compiled,
            call_id=request.call_id,
            contact=prepared.contact,
            language=prepared.language,
            audio_format=MULAW_8K,
            sink=self,
            transcriber=transcriber(),
            speech=speech_output(),
            log=DatabaseLog(prepared.recorder),
        )
        await self.pipeline.start()

    async def fail(self, error: LiveError):
        self.failed = True
        logger.warning("twilio stream %s: %s (%s)", self.stream_sid, error.message, error.code)
        if self.pipeline is not None and not self.pipeline.ended:
            self.pipeline.hangup(vanished=True)
            await self.pipeline.wait_closed()
        await super().close(code=error.close_code)

    async def disconnect(self, code):
        if self.pipeline is not None and not self.pipeline.ended:
            self.pipeline.hangup(vanished=True)
            await self.pipeline.wait_closed()

    # The pipeline's sink.

    async def _send_event(self, event: str, **fields):
        self._sequence += 1
        await self.send(text_data=json.dumps(
            {"event": event, "streamSid": self.stream_sid, **fields}, ensure_ascii=False
        ))

    async def send_audio(self, frame: bytes):
        await self._send_event(
            "media", media={"payload": base64.b64encode(frame).decode("ascii")}
        )

    async def send_clear(self):
        await self._send_event("clear")

    async def send_event(self, message: dict):
        pass  # Twilio has no monitoring channel

    async def send_transfer(self, transfer):
        await self._send_event("mark", mark={"name": f"outcall:transfer:{transfer.target}"})

    async def send_hangup(self, node, outcome, stats):
        await self._send_event("mark", mark={"name": f"outcall:hangup:{outcome}"})

    async def close(self, code=None, reason=None):
        await super().close(code=code or 1000)
