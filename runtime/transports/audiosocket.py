"""Asterisk AudioSocket: a TCP server, one connection per call.

Every message is one type byte, a two-byte big-endian length and the
payload: ``0x00`` hang-up, ``0x01`` the call's UUID (16 bytes, first),
``0x03`` a DTMF digit (one ASCII byte), ``0x10`` audio (signed 16-bit
little-endian PCM at 8 kHz, 20 ms = 320 bytes), ``0xff`` an error. The
script and contact come from the call route set for the UUID through
``POST /api/live/routes/``, or from the default route.

The protocol has no message for a transfer. The server keeps its summary
and context with the call and sends the hang-up once the call is closed
in the event log, so that when ``AudioSocket()`` returns the dialplan can
ask ``GET /api/live/calls/<UUID>/`` where the caller goes.

A malformed or truncated message ends that call (logged as the caller
hanging up) and nothing else; the server goes on.
"""

import asyncio
import logging
import struct
import uuid

from asgiref.sync import sync_to_async

from runtime.live.audio import AudioFormat
from runtime.live.pipeline import CallPipeline
from runtime.live.results import AUDIOSOCKET_CALL_ID
from runtime.live.setup import (
    CallRequest,
    DatabaseLog,
    LiveError,
    prepare_call,
    speech_output,
    transcriber,
)

logger = logging.getLogger("outcall.audiosocket")

HANGUP, UUID, DTMF, AUDIO, ERROR = 0x00, 0x01, 0x03, 0x10, 0xFF
SLIN_8K = AudioFormat(encoding="pcm16", sample_rate=8000)
MAX_AUDIO = 3200  # 200 ms; Asterisk sends 320-byte frames
FIRST_MESSAGE_TIMEOUT = 10.0


class ProtocolError(Exception):
    pass


def frame(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack(">BH", kind, len(payload)) + payload


async def read_message(reader) -> tuple[int, bytes]:
    header = await reader.readexactly(3)
    kind, length = struct.unpack(">BH", header)
    payload = await reader.readexactly(length) if length else b""
    return kind, payload


def _route_request(call_uuid):
    from django.db import connection

    from runtime.api.views import route_for

    try:
        route = route_for(call_uuid)
        if route is None:
            raise LiveError("not_found", f"No route for call {call_uuid} and no default.")
        request = CallRequest.parse({
            "script": route.script,
            "version": route.version,
            "call_id": AUDIOSOCKET_CALL_ID.format(call_uuid),
            "phone": route.phone,
            "segment": route.segment,
            "variables": route.variables,
        })
        return request, prepare_call(team=route.team, request=request)
    finally:
        connection.close()


class AudioSocketCall:
    """One connection: reads messages, feeds the pipeline, is its sink."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.pipeline = None
        self.call_uuid = None
        self._hangup_due = False

    async def serve(self):
        try:
            kind, payload = await asyncio.wait_for(
                read_message(self.reader), FIRST_MESSAGE_TIMEOUT
            )
            if kind != UUID or len(payload) != 16:
                raise ProtocolError("the first message must be the 16-byte call UUID")
            self.call_uuid = uuid.UUID(bytes=payload)
            request, prepared = await sync_to_async(_route_request, thread_sensitive=False)(
                self.call_uuid
            )
            self.pipeline = CallPipeline(
                compiled=prepared.compiled,
                call_id=request.call_id,
                contact=prepared.contact,
                language=prepared.language,
                audio_format=SLIN_8K,
                sink=self,
                transcriber=transcriber(),
                speech=speech_output(),
                log=DatabaseLog(prepared.recorder),
            )
            await self.pipeline.start()
            await self._listen()
        except (asyncio.IncompleteReadError, ConnectionError):
            logger.info("call %s: the connection was lost", self.call_uuid)
            self._hang_up(vanished=True)
        except asyncio.TimeoutError:
            logger.warning("a connection sent no call UUID; closed")
        except (ProtocolError, LiveError) as exc:
            logger.warning("call %s: %s", self.call_uuid, exc)
            self._hang_up(vanished=True)
            try:
                await self._send(frame(HANGUP))
            except (ConnectionError, OSError):
                pass
        except Exception:
            logger.exception("call %s: failed", self.call_uuid)
            self._hang_up(vanished=True)
            try:
                await self._send(frame(HANGUP))
            except Exception:
                pass
        finally:
            if self.pipeline is not None:
                await self.pipeline.wait_closed()
            await self.close()

    async def _listen(self):
        while not self.pipeline.ended:
            kind, payload = await read_message(self.reader)
            if kind == AUDIO:
                if not payload or len(payload) % 2 or len(payload) > MAX_AUDIO:
                    raise ProtocolError(f"an audio message of {len(payload)} bytes")
                self.pipeline.feed_audio(payload)
            elif kind == DTMF:
                digit = payload.decode("ascii", "replace")
                if len(payload) != 1 or digit not in "0123456789*#ABCD":
                    raise ProtocolError(f"a DTMF message of {payload!r}")
                self.pipeline.dtmf(digit)
            elif kind == HANGUP:
                self.pipeline.hangup()
                return
            elif kind == ERROR:
                logger.warning("call %s: Asterisk reports error %s", self.call_uuid,
                               payload.hex())
                self.pipeline.hangup(vanished=True)
                return
            else:
                raise ProtocolError(f"unknown message type 0x{kind:02x}")

    def _hang_up(self, *, vanished):
        if self.pipeline is not None and not self.pipeline.ended:
            self.pipeline.hangup(vanished=vanished)

    async def _send(self, data: bytes):
        if self.writer.is_closing():
            raise ConnectionError("closed")
        self.writer.write(data)
        await self.writer.drain()

    # The pipeline's sink.

    async def send_audio(self, pcm: bytes):
        await self._send(frame(AUDIO, pcm))

    async def send_clear(self):
        pass  # audio is paced out, so stopping the stream is the clear

    async def send_event(self, message):
        pass

    async def send_transfer(self, transfer):
        logger.info("call %s: transfer to %s", self.call_uuid, transfer.target)

    async def send_hangup(self, node, outcome, stats):
        # Sent by close(), which the pipeline calls once the call is closed
        # in the event log: the dialplan asks for the result as soon as
        # AudioSocket() returns, and must not find the call still running.
        self._hangup_due = True

    async def close(self):
        if self._hangup_due:
            self._hangup_due = False
            try:
                await self._send(frame(HANGUP))
            except ConnectionError:
                logger.info("call %s: gone before the hang-up was sent", self.call_uuid)
        if not self.writer.is_closing():
            self.writer.close()
        try:
            await self.writer.wait_closed()
        except Exception:
            pass


async def serve_audiosocket(host: str, port: int, *, started=None, stop=None):
    async def handle(reader, writer):
        await AudioSocketCall(reader, writer).serve()

    server = await asyncio.start_server(handle, host, port)
    async with server:
        logger.info("AudioSocket server on %s:%s", host, port)
        if started is not None:
            started.set()
        if stop is None:
            await server.serve_forever()
        else:
            await stop.wait()
