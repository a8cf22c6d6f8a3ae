"""What a transport needs from the database to start a live call.

``authenticate`` turns a token key into its team; ``call_setup`` finds the
team's published version, compiles it (once per version per process) and
opens the call's event log. Errors are ``LiveError`` with a code and the
WebSocket close code the transports use, so a bad request ends that call
with a clear message and nothing else.
"""

import logging
import uuid
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings

from designer.errors import ScriptNotFound, VersionNotFound
from designer.models import ApiToken
from designer.services import resolve_version
from runtime.engine import Contact, ScriptCompileError, compile_script
from runtime.eventlog import CallRecorder
from runtime.models import CallSession

logger = logging.getLogger("outcall.live")

# WebSocket close codes (4000-4999 are the application's).
CLOSE_CODES = {
    "bad_request": 4400,
    "malformed_frame": 4400,
    "unauthorized": 4401,
    "not_found": 4404,
    "duplicate_call": 4409,
    "internal": 4500,
}


class LiveError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def close_code(self) -> int:
        return CLOSE_CODES.get(self.code, 4400)

    def as_dict(self) -> dict:
        return {"type": "error", "code": self.code, "message": self.message}


def token_from_headers(headers, query: str = "") -> str | None:
    """The key from ``Authorization: Token <key>`` or ``?token=<key>``."""
    from urllib.parse import parse_qs

    for name, value in headers or ():
        if name.lower() == b"authorization":
            parts = value.decode("latin-1").split()
            if len(parts) == 2 and parts[0].lower() in ("token", "bearer"):
                return parts[1]
    found = parse_qs(query).get("token")
    return found[0] if found else None


def authenticate(key: str | None):
    """The team of a valid, unrevoked token key."""
    if not isinstance(key, str) or not key:
        raise LiveError(
            "unauthorized",
            "Send the team token as 'Authorization: Token <key>' or ?token=<key>.",
        )
    token = (
        ApiToken.objects.select_related("team")
        .filter(digest=ApiToken.digest_of(key), revoked=False)
        .first()
    )
    if token is None:
        raise LiveError("unauthorized", "The token is not valid or has been revoked.")
    return token.team


_compiled = {}


def compiled_version(version):
    """The compiled script of a published (so immutable) version, once per
    process."""
    compiled = _compiled.get(version.pk)
    if compiled is None:
        compiled = _compiled[version.pk] = compile_script(version.document)
    return compiled


@dataclass
class CallRequest:
    """What the telephony layer asks for, parsed from any transport."""

    script: str
    version: int | None = None
    call_id: str = ""
    phone: str = ""
    segment: str = ""
    variables: dict = None

    @classmethod
    def parse(cls, data: dict) -> "CallRequest":
        script = data.get("script")
        if not isinstance(script, str) or not script.strip():
            raise LiveError("bad_request", "'script' (the script's slug) is required.")
        _check_text("script", script, MAX_SCRIPT)
        version = _positive_int("version", data.get("version"))
        variables = data.get("variables")
        if variables is None:
            variables = {}
        if not isinstance(variables, dict):
            raise LiveError("bad_request", "'variables' must be an object.")
        call_id = data.get("call_id")
        if call_id in (None, ""):
            call_id = f"live-{uuid.uuid4()}"
        call_id = _text("call_id", call_id, MAX_CALL_ID)
        if not call_id.strip() or not call_id.isprintable() or set(call_id) & set("/?#"):
            raise LiveError(
                "bad_request",
                "'call_id' must be printable characters, not blank, without '/', '?' or '#'.",
            )
        return cls(
            script=script,
            version=version,
            call_id=call_id,
            phone=_text("phone", data.get("phone"), MAX_PHONE),
            segment=_text("segment", data.get("segment"), MAX_SEGMENT),
            variables={
                _text("a variable name", key, MAX_VARIABLE_NAME): _variable_value(key, value)
                for key, value in variables.items()
            },
        )


# The longest values the event log keeps (runtime/models.py CallSession).
MAX_CALL_ID = 100
MAX_PHONE = 64
MAX_SEGMENT = 64
MAX_SCRIPT = 200
MAX_VARIABLE_NAME = 200
MAX_VARIABLE_VALUE = 10000


def _check_text(name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise LiveError("bad_request", f"'{name}' is longer than {limit} characters.")
    if "\x00" in value:
        raise LiveError("bad_request", f"'{name}' contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise LiveError(
            "bad_request", f"'{name}' contains a lone surrogate (not valid Unicode)."
        ) from None


def _text(name: str, value, limit: int) -> str:
    """A string field: text, or a number written as text; absent is ''."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise LiveError("bad_request", f"'{name}' must be a string.")
    value = str(value)
    _check_text(name, value, limit)
    return value


def _variable_value(key, value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, (str, int, float)):
        raise LiveError(
            "bad_request",
            f"variable {str(key)[:100]!r} must be a string, number or boolean, "
            f"not {type(value).__name__}.",
        )
    return _text(f"variable {str(key)[:100]}", value, MAX_VARIABLE_VALUE)


def _positive_int(name: str, value) -> int | None:
    """A positive integer, or a string of one (Twilio sends strings);
    absent or '' is None."""
    if value is None or value == "":
        return None
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 1 <= number <= 2**31 - 1:
        raise LiveError(
            "bad_request", f"'{name}' must be a positive integer, not {str(value)[:40]!r}."
        )
    return number


@dataclass
class Prepared:
    version: object
    compiled: object
    language: str
    contact: Contact
    recorder: CallRecorder


def prepare_call(*, team, request: CallRequest) -> Prepared:
    """The version ``request`` asks for, of ``team``'s own scripts only."""
    try:
        version = resolve_version(team=team, slug=request.script, number=request.version)
    except (ScriptNotFound, VersionNotFound) as exc:
        raise LiveError("not_found", str(exc)) from None
    try:
        compiled = compiled_version(version)
    except ScriptCompileError as exc:
        raise LiveError("not_found", f"{request.script}: {exc}") from None
    if CallSession.objects.filter(call_id=request.call_id).exists():
        raise LiveError(
            "duplicate_call", f"call id {request.call_id!r} is already in the event log."
        )
    contact = Contact(
        phone=request.phone, segment=request.segment, variables=request.variables
    )
    missing = compiled.missing_variables(contact)
    if missing:
        raise LiveError(
            "bad_request",
            f"{request.script}: the contact lacks variables the script uses: "
            f"{', '.join(missing)} (pass them, or give the variables a default "
            "in the script).",
        )
    recorder = CallRecorder.for_call(
        version=version,
        source=CallSession.Source.LIVE,
        call_id=request.call_id,
        contact=contact,
    )
    return Prepared(
        version=version,
        compiled=compiled,
        language=version.script.language,
        contact=contact,
        recorder=recorder,
    )


class DatabaseLog:
    """The pipeline's call log: a ``CallRecorder`` driven from asyncio."""

    def __init__(self, recorder: CallRecorder):
        self.recorder = recorder

    async def open(self):
        await sync_to_async(self._open, thread_sensitive=False)()

    def _open(self):
        from django.db import DataError, IntegrityError, close_old_connections

        call_id = self.recorder.session.call_id
        try:
            self.recorder.open()
        except IntegrityError:
            raise LiveError(
                "duplicate_call", f"call id {call_id!r} is already in the event log."
            ) from None
        except DataError as exc:
            logger.warning("%s: the event log refused the call: %s", call_id, exc)
            raise LiveError(
                "bad_request", "The event log cannot keep this call's contact or id."
            ) from None
        finally:
            close_old_connections()

    async def record(self, events):
        await sync_to_async(self._record, thread_sensitive=False)(list(events))

    def _record(self, events):
        from django.db import close_old_connections

        self.recorder.record(events)
        close_old_connections()

    async def record_transfer(self, transfer):
        """The transfer's summary and context, kept with the call for the
        call-result API; a failure is logged, and the call still ends."""
        from runtime.live.results import record_transfer

        await record_transfer(self.recorder, transfer)

    async def close(self, call, *, ended_offset):
        await sync_to_async(self._close, thread_sensitive=False)(call, ended_offset)

    def _close(self, call, ended_offset):
        from django.db import connection

        try:
            self.recorder.close(call, ended_offset=ended_offset)
        finally:
            connection.close()


async def start_call(*, token_key, request: CallRequest):
    """Authenticate and prepare, off the event loop."""

    def work():
        from django.db import connection

        try:
            team = authenticate(token_key)
            return prepare_call(team=team, request=request)
        finally:
            connection.close()

    return await sync_to_async(work, thread_sensitive=False)()


_speech = None


def speech_output():
    """The process's ``SpeechOutput``: recorded prompts, the text-to-speech
    source of ``OUTCALL_TTS`` (with espeak-ng for the prompts a Coqui model
    cannot say), a cache. A setting that names no usable source ends the
    call that asked with an error, and the next call looks again."""
    global _speech
    if _speech is None:
        from runtime.speech import EspeakSource, RecordedPrompts, SpeechCache, SpeechOutput
        from runtime.speech.configure import SpeechConfigError, tts_source
        from runtime.speech.fallback import SpeechWithFallback

        try:
            tts = tts_source(settings)
        except SpeechConfigError as exc:
            logger.error("live calls: no speech output: %s", exc)
            raise LiveError(
                "internal", "Speech output is not configured correctly on the server."
            ) from None
        recorded = RecordedPrompts(
            settings.OUTCALL_PROMPT_AUDIO_DIR, store=settings.OUTCALL_PROMPT_AUDIO_STORE
        )
        cache = SpeechCache(directory=settings.OUTCALL_SPEECH_CACHE_DIR)
        if isinstance(tts, EspeakSource):
            _speech = SpeechOutput(tts=tts, recorded=recorded, cache=cache)
        else:
            _speech = SpeechWithFallback(
                tts=tts, fallback=EspeakSource(), recorded=recorded, cache=cache
            )
    return _speech


def transcriber():
    """Where this process sends utterances: a thread here, or the ASR
    workers over the channel layer (``OUTCALL_LIVE_ASR=channel``)."""
    from runtime.live.asr import ThreadTranscriber
    from runtime.transports.asr import ChannelTranscriber

    if settings.OUTCALL_LIVE_ASR == "channel":
        return ChannelTranscriber()
    return ThreadTranscriber.shared()


def warm_up():
    """Load what every call needs before the first one arrives: the VAD
    model, espeak-ng and the Coqui model when ``OUTCALL_TTS=coqui``.
    Otherwise the first calls of a new server process pay for it while
    others are already streaming."""
    from runtime.live.vad import _session
    from runtime.speech.espeak import espeak

    try:
        _session()
        espeak()
        tts = speech_output().tts
        if hasattr(tts, "load"):
            tts.load()
    except LiveError:
        pass  # speech_output() has logged why; each call will say so.
    except Exception:
        logger.exception("live calls: warming up failed; the first call will retry")
