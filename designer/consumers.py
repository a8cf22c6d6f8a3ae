"""The editor's chat simulator: a text-mode call over a WebSocket.

The page sends JSON messages and gets one answer per message:

- ``{"type": "start", "version": "draft" | N, "segment": "", "variables": {},
  "phone": "", "document": {...}}`` starts a call of the draft (the
  ``document`` the page is editing, when given, else the saved draft) or of
  published version ``N``. Each variable is a string or a number. A call of
  the draft fills the variables left out with the examples of the
  document's variables; a call of a published version is refused, as a
  real contact's would be (``contact_missing_variables``), when a variable
  the prompts use is missing. Answer: ``started`` (with ``replaced``: the
  id of the call that was still going on, which the new one ends as if
  the caller hung up, logged ``dropped``; else null), then a ``turn``.
- ``{"type": "say", "text": "..."}``, ``{"type": "silence"}``,
  ``{"type": "dtmf", "digit": "1"}``, ``{"type": "hangup"}``: the caller's
  turn. Answer: ``turn`` with the engine's log events (the recognised intent
  and confidence are in the ``utterance`` event), the robot's actions, the
  current node, and whether the call ended.
- Anything wrong (text that is not JSON included) answers ``{"type": "error", "code", "message"}`` and
  changes nothing.

Calls of a published version are logged with source ``simulation``
through ``CallRecorder``; calls of the draft are not logged, because the
event log counts calls per published version (the draft changes under
them). Time is virtual, as in ``runtime.simulation``.
"""

import uuid

from channels.generic.websocket import JsonWebsocketConsumer
from django.utils import timezone

from designer import selectors
from designer.api.permissions import memberships
from designer.editing import sample_contact
from runtime.engine import (
    CallerHangup,
    Contact,
    ContactError,
    HangUp,
    Listen,
    Say,
    ScriptCompileError,
    Transfer,
    compile_script,
)
from runtime.eventlog import CallRecorder
from runtime.models import CallSession
from runtime.replay import VirtualClock, estimate_prompt_seconds
from runtime.simulation import ANSWER_SECONDS, TurnError, parse_turn


class SimulatorError(Exception):
    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


def _action(action) -> dict:
    if isinstance(action, Say):
        return {
            "type": "say",
            "node": action.node,
            "text": action.text,
            "variant": action.variant,
            "barge_in": action.barge_in,
        }
    if isinstance(action, Listen):
        return {"type": "listen", "node": action.node, "timeout": action.timeout}
    if isinstance(action, Transfer):
        return {
            "type": "transfer",
            "node": action.node,
            "target": action.target,
            "summary": action.summary,
        }
    if isinstance(action, HangUp):
        return {"type": "hangup", "node": action.node, "outcome": action.outcome}
    return {"type": type(action).__name__.lower()}


class SimulatorConsumer(JsonWebsocketConsumer):
    def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            self.close(code=4401)
            return
        slug = self.scope["url_route"]["kwargs"]["slug"]
        query = self.scope.get("query_string", b"").decode()
        team = dict(part.split("=", 1) for part in query.split("&") if "=" in part).get(
            "team"
        )
        teams = [t for t in memberships(user) if not team or t.slug == team]
        self.script = selectors.script_list(teams=teams).filter(slug=slug).first()
        if self.script is None:
            self.close(code=4404)
            return
        self.user = user
        self.call = None
        self.recorder = None
        self.accept()

    def disconnect(self, code):
        if getattr(self, "call", None) is not None and not self.call.finished:
            self._turn(CallerHangup(during_prompt=False))

    def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Not JSON (binary, malformed, nested past the parser's depth) is the
        # sender's mistake: an error answer, and the connection stays.
        try:
            if text_data is None:
                raise ValueError("binary frame")
            content = self.decode_json(text_data)
        except (ValueError, RecursionError):
            self.send_json(
                {
                    "type": "error",
                    "code": "invalid_input",
                    "message": "A message is a JSON object, sent as text.",
                }
            )
            return
        self.receive_json(content, **kwargs)

    def receive_json(self, content, **kwargs):
        try:
            if not isinstance(content, dict):
                raise SimulatorError("invalid_input", "A message is a JSON object.")
            kind = content.get("type")
            if kind == "start":
                self._start(content)
            elif kind in ("say", "silence", "dtmf", "hangup"):
                self._caller(kind, content)
            else:
                raise SimulatorError(
                    "invalid_input",
                    "type is one of start, say, silence, dtmf, hangup.",
                )
        except SimulatorError as exc:
            self.send_json({"type": "error", "code": exc.code, "message": exc.message})

    def _start(self, content):
        requested = content.get("version", "draft")
        variables = content.get("variables") or {}
        segment = content.get("segment") or ""
        if not isinstance(variables, dict) or not isinstance(segment, str):
            raise SimulatorError(
                "invalid_input", "variables is an object and segment a string."
            )
        for name, value in variables.items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise SimulatorError(
                    "invalid_input",
                    f"variable '{name}' is a string or a number, "
                    f"not {type(value).__name__}.",
                )
        if requested == "draft":
            version = self.script.draft
            document = content.get("document")
            if document is None:
                document = version.document
            elif not isinstance(document, dict):
                raise SimulatorError("invalid_input", "document is a JSON object.")
            # A draft is tried out: variables left out take the examples.
            variables = {**sample_contact(document), **variables}
            logged = False
        else:
            version = self.script.versions.filter(
                number=requested if type(requested) is int else -1
            ).first()
            if version is None:
                raise SimulatorError(
                    "version_not_found",
                    f"Script '{self.script.slug}' has no version {requested}.",
                )
            # A published version is called as a real contact would be.
            document = version.document
            logged = True
        try:
            compiled = compile_script(document)
        except (ScriptCompileError, ValueError) as exc:
            # ValueError: a language with no intent pack, among others.
            raise SimulatorError("script_compile_error", str(exc)) from None

        contact = Contact(
            phone=str(content.get("phone") or ""),
            segment=segment,
            variables={str(k): str(v) for k, v in variables.items()},
        )
        call_id = f"sim-{uuid.uuid4()}"
        clock = VirtualClock()
        try:
            call = compiled.start_call(call_id=call_id, contact=contact, clock=clock)
        except ContactError as exc:
            raise SimulatorError(exc.code, str(exc)) from None

        # A new call ends the one still going on: the caller hung up on it.
        replaced = None
        if self.call is not None and not self.call.finished:
            replaced = self.call.call_id
            self._turn(CallerHangup(during_prompt=False), send=False)
        self.clock, self.call = clock, call
        self.recorder = None
        if logged:
            self.recorder = CallRecorder.for_call(
                version=version,
                source=CallSession.Source.SIMULATION,
                call_id=call_id,
                contact=contact,
                started_at=timezone.now(),
            )
            self.recorder.open()
        self.send_json(
            {
                "type": "started",
                "call_id": call_id,
                "version": "draft" if version.number is None else version.number,
                "logged": logged,
                "replaced": replaced,
            }
        )
        self._send_turn(self.call.start())

    def _caller(self, kind, content):
        if self.call is None or self.call.finished:
            raise SimulatorError("no_call", "Start a call first.")
        try:
            if kind == "say":
                text = content.get("text")
                if not isinstance(text, str) or not text.strip():
                    raise SimulatorError("invalid_input", "say needs some text.")
                event = parse_turn(text)
            elif kind == "silence":
                event = parse_turn(None)
            elif kind == "dtmf":
                event = parse_turn({"dtmf": content.get("digit")})
            else:
                event = CallerHangup(during_prompt=False)
        except TurnError as exc:
            raise SimulatorError("invalid_input", str(exc)) from None
        self._turn(event)

    def _turn(self, event, send=True):
        self.clock.now += ANSWER_SECONDS
        actions = self.call.handle(event)
        if send:
            self._send_turn(actions)
        else:
            self._drain()
            self._finish()

    def _drain(self):
        events = self.call.drain_log()
        if self.recorder is not None:
            self.recorder.record(events)
        return events

    def _finish(self):
        if self.call.finished and self.recorder is not None:
            self.recorder.close(self.call, ended_offset=self.clock.now)
            self.recorder = None

    def _send_turn(self, actions):
        for action in actions:
            if isinstance(action, Say):
                self.clock.now += estimate_prompt_seconds(action.text)
        events = self._drain()
        self._finish()
        self.send_json(
            {
                "type": "turn",
                "events": [
                    {"kind": e.kind, "node": e.node, "data": e.data} for e in events
                ],
                "actions": [_action(a) for a in actions],
                "node": self.call.node,
                "finished": self.call.finished,
                "outcome": self.call.outcome,
                "path": list(self.call.path),
            }
        )
