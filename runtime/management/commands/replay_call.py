import json
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from runtime.asr import AsrModelError, get_recognizer
from runtime.audio.formats import AudioError, read_audio
from runtime.engine import Contact, ContactError, ScriptCompileError, compile_script
from runtime.eventlog import CallRecorder
from runtime.lookup import (
    ScriptCommand,
    check_contact_fields,
    find_script,
    find_version,
    parse_vars,
)
from runtime.models import CallSession
from runtime.replay import replay_recording
from runtime.speech import RecordedPrompts


class Command(ScriptCommand):
    help = (
        "Replay a recorded call against a published script in virtual time, "
        "log it with source 'replay' and print its timeline."
    )

    def add_arguments(self, parser):
        parser.add_argument("audio", help="WAV (PCM, mu-law, A-law) or FLAC recording")
        parser.add_argument("--script", required=True, help="script slug")
        parser.add_argument("--team", help="team slug, when several teams use the slug")
        parser.add_argument("--version", type=int, help="published version (default: latest)")
        parser.add_argument("--channel", type=int, help="the caller's channel (from 0)")
        parser.add_argument("--segment", default="", help="the contact's segment")
        parser.add_argument("--var", action="append", default=[], help="key=value")
        parser.add_argument("--phone", default="")
        parser.add_argument("--call-id", help="default: a new random id")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        # Everything that can be wrong with the input is checked before
        # anything is written.
        path = Path(options["audio"])
        script = find_script(options["script"], team=options["team"])
        version = find_version(script, options["version"])
        contact = Contact(
            phone=options["phone"],
            segment=options["segment"],
            variables=parse_vars(options["var"]),
        )
        call_id = options["call_id"] or f"replay-{uuid.uuid4()}"
        check_contact_fields(call_id=call_id, phone=contact.phone, segment=contact.segment)
        if CallSession.objects.filter(call_id=call_id).exists():
            raise CommandError(f"call id {call_id!r} is already in the event log")
        try:
            audio = read_audio(path, channel=options["channel"])
        except AudioError as exc:
            raise CommandError(str(exc)) from None
        try:
            compiled = compile_script(version.document)
        except ScriptCompileError as exc:
            raise CommandError(f"{script.slug} v{version.number}: {exc}") from None
        missing = compiled.missing_variables(contact)
        if missing:
            raise CommandError(str(ContactError(missing)))
        try:
            recognizer = get_recognizer(
                settings.OUTCALL_ASR_MODEL,
                model_dir=settings.OUTCALL_MODEL_DIR,
                compute_type=settings.OUTCALL_ASR_COMPUTE_TYPE,
                cpu_threads=settings.OUTCALL_ASR_THREADS,
            )
        except AsrModelError as exc:
            raise CommandError(str(exc)) from None

        recorder = CallRecorder.for_call(
            version=version,
            source=CallSession.Source.REPLAY,
            call_id=call_id,
            contact=contact,
            batch_size=10_000,
        )
        try:
            result = replay_recording(
                compiled,
                audio,
                recognizer,
                call_id=call_id,
                contact=contact,
                language=script.language,
                recordings=RecordedPrompts(
                    settings.OUTCALL_PROMPT_AUDIO_DIR,
                    store=settings.OUTCALL_PROMPT_AUDIO_STORE,
                ),
            )
        except AsrModelError as exc:
            raise CommandError(str(exc)) from None
        recorder.record(result.log)
        recorder.save_whole(result.call, ended_offset=result.end_offset)

        report = {
            "call_id": call_id,
            "script": script.slug,
            "version": version.number,
            "segment": contact.segment,
            "outcome": result.outcome,
            "path": list(result.call.path),
            "variants": dict(result.call.variant_choices),
            "duration": round(result.duration, 2),
            "hangup_at": result.hangup_at,
            "turns": [t.as_dict() for t in result.turns],
            "prompts": [p.as_dict() for p in result.prompts],
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.stdout.write(format_timeline(report, result))


def format_timeline(report: dict, result) -> str:
    # At one moment, what caused a prompt comes before it: a silence or an
    # utterance, then the robot's answer, then a hang-up.
    entries = []
    for prompt in result.prompts:
        cut = " [interrupted]" if prompt.interrupted else ""
        entries.append(
            (prompt.start, 2, f"{prompt.start:6.2f}-{prompt.end:6.2f}  robot  [{prompt.node}/"
             f"{prompt.variant}] {prompt.text}{cut}")
        )
    for turn in result.turns:
        intent = turn.intent or "no match"
        entries.append(
            (turn.start, 1, f"{turn.start:6.2f}-{turn.end:6.2f}  caller [{turn.node}] "
             f"{turn.text!r} -> {intent} ({turn.confidence:.2f})")
        )
    for at, node in result.no_inputs:
        entries.append((at, 0, f"{at:6.2f}         silence [{node}] no_input"))
    if result.hangup_at is not None:
        entries.append(
            (result.hangup_at, 3, f"{result.hangup_at:6.2f}         caller hung up")
        )
    entries.sort(key=lambda e: e[:2])
    header = (
        f"call {report['call_id']}  script {report['script']} v{report['version']}  "
        f"recording {report['duration']:.2f}s"
    )
    footer = f"outcome: {report['outcome']}  path: {' > '.join(report['path'])}"
    return "\n".join([header, *(line for _, _, line in entries), footer])
