import uuid

from django.core.management.base import CommandError
from django.utils import timezone

from runtime.engine import (
    CallerHangup,
    Contact,
    ContactError,
    HangUp,
    ScriptCompileError,
    Transfer,
    compile_script,
)
from runtime.eventlog import CallRecorder
from runtime.lookup import ScriptCommand, find_script, find_version, parse_vars
from runtime.models import CallSession
from runtime.replay import VirtualClock, estimate_prompt_seconds
from runtime.simulation import ANSWER_SECONDS, TurnError, parse_turn

HELP = (
    "Type the caller's words. An empty line is silence, /dtmf N presses a key, "
    "/hangup hangs up, /quit leaves."
)


class Command(ScriptCommand):
    help = (
        "Talk to a script in the terminal as the caller. Published versions are "
        "logged with source 'simulation'; --draft talks to the draft unlogged."
    )

    def add_arguments(self, parser):
        parser.add_argument("script", help="script slug")
        parser.add_argument("--team")
        parser.add_argument("--version", type=int)
        parser.add_argument("--draft", action="store_true", help="use the draft")
        parser.add_argument("--segment", default="")
        parser.add_argument("--var", action="append", default=[], help="key=value")
        parser.add_argument("--phone", default="")

    def handle(self, *args, **options):
        script = find_script(options["script"], team=options["team"])
        if options["draft"]:
            version = script.draft
        else:
            version = find_version(script, options["version"])
        try:
            compiled = compile_script(version.document)
        except ScriptCompileError as exc:
            raise CommandError(str(exc)) from None
        contact = Contact(
            phone=options["phone"],
            segment=options["segment"],
            variables=parse_vars(options["var"]),
        )

        call_id = f"chat-{uuid.uuid4()}"
        clock = VirtualClock()
        try:
            call = compiled.start_call(call_id=call_id, contact=contact, clock=clock)
        except ContactError as exc:
            raise CommandError(f"{exc}; use --var key=value") from None
        recorder = None
        if not options["draft"]:
            recorder = CallRecorder.for_call(
                version=version,
                source=CallSession.Source.SIMULATION,
                call_id=call_id,
                contact=contact,
                started_at=timezone.now(),
            )
            recorder.open()

        label = "draft" if options["draft"] else f"v{version.number}"
        self.stdout.write(f"{script.slug} {label}, call {call_id}. {HELP}")
        self._show(call.start(), clock, self._drain(call, recorder))
        while not call.finished:
            try:
                line = input("you> ")
            except (EOFError, KeyboardInterrupt):
                self.stdout.write("")
                line = "/hangup"
            line = line.strip()
            if line == "/quit":
                line = "/hangup"
            if line == "/hangup":
                call.handle(CallerHangup(during_prompt=False))
                self._drain(call, recorder)
                break
            try:
                if line.startswith("/dtmf"):
                    event = parse_turn({"dtmf": line[len("/dtmf"):].strip()})
                elif line.startswith("/"):
                    self.stdout.write(HELP)
                    continue
                else:
                    event = parse_turn(line or None)
            except TurnError as exc:
                self.stdout.write(str(exc))
                continue
            clock.now += ANSWER_SECONDS
            actions = call.handle(event)
            self._show(actions, clock, self._drain(call, recorder))

        self.stdout.write(f"call ended: {call.outcome}  path: {' > '.join(call.path)}")
        if recorder is not None:
            recorder.close(call, ended_offset=clock.now)

    def _drain(self, call, recorder):
        events = call.drain_log()
        if recorder is not None:
            recorder.record(events)
        return events

    def _show(self, actions, clock, events):
        for event in events:
            if event.kind == "utterance":
                intent = event.data.get("intent") or "no match"
                confidence = event.data.get("confidence") or 0.0
                self.stdout.write(f"        ({intent}, {confidence:.2f})")
        for action in actions:
            text = getattr(action, "text", None)
            if text is not None:
                self.stdout.write(f"robot [{action.node}/{action.variant}]> {text}")
                clock.now += estimate_prompt_seconds(text)
            elif isinstance(action, Transfer):
                self.stdout.write(f"-- transfer to {action.target}: {action.summary}")
            elif isinstance(action, HangUp):
                self.stdout.write(f"-- robot hangs up ({action.outcome})")
