import json
import uuid
import zoneinfo
from collections import Counter
from datetime import datetime, timezone as dt_timezone

from django.core.management.base import CommandError
from django.db import reset_queries
from django.utils import timezone

from runtime.engine import Contact, ContactError, ScriptCompileError, compile_script
from runtime.eventlog import BulkCallWriter, finished_session
from runtime.lookup import ScriptCommand, find_script, find_version
from runtime.models import CallSession
from runtime.simulation import TurnError, parse_turn, run_text_call

KNOWN_KEYS = {
    "script", "team", "version", "segment", "vars", "turns", "hangup_after",
    "call_id", "phone", "started_at", "timezone",
}


class Command(ScriptCommand):
    help = (
        "Run text-mode calls from a JSON Lines file, one call per line: "
        '{"script": SLUG, "segment": S, "vars": {...}, "turns": [text, null, '
        '{"dtmf": "1"}, ...], "hangup_after": k}. Calls are logged with source '
        "'simulation'. The whole file is checked before any call is run."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .jsonl file")
        parser.add_argument("--batch", type=int, default=500, help="calls per write")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):
        path = options["file"]
        self.versions = {}
        self.compiled = {}
        self.seen_ids = set()

        # First pass: every line must be a valid call, and no call id may
        # be in the log already, before anything is written.
        checked = 0
        ids_to_check = []
        for number, spec in self._lines(path):
            self._check(number, spec)
            if "call_id" in spec:
                ids_to_check.append((number, spec["call_id"]))
            if len(ids_to_check) >= 1000:
                self._check_unused_ids(ids_to_check)
                ids_to_check = []
            checked += 1
        self._check_unused_ids(ids_to_check)
        if not checked:
            raise CommandError(f"{path}: no calls in the file")

        # Second pass: run and log in batches; memory holds one batch.
        writer = BulkCallWriter(batch_calls=options["batch"])
        outcomes = Counter()
        per_script = Counter()
        for number, spec in self._lines(path):
            version = self._version(number, spec)
            contact = _contact(spec)
            call_id = spec.get("call_id") or f"sim-{uuid.uuid4()}"
            started_at = _parse_time(spec.get("started_at")) or timezone.now()
            text_call = run_text_call(
                self.compiled[version.pk],
                call_id=call_id,
                contact=contact,
                turns=spec.get("turns") or [],
                hangup_after=spec.get("hangup_after"),
            )
            session = finished_session(
                version=version,
                source=CallSession.Source.SIMULATION,
                call=text_call.call,
                contact=contact,
                started_at=started_at,
                ended_offset=text_call.end_offset,
            )
            session.timezone = spec.get("timezone") or ""
            written = writer.written
            writer.add(session, text_call.call.drain_log())
            if writer.written != written:
                # With DEBUG on, Django keeps every query's SQL; a long run
                # must not hold thousands of bulk inserts in memory.
                reset_queries()
            outcomes[text_call.call.outcome] += 1
            per_script[f"{version.script.slug} v{version.number}"] += 1
        writer.flush()

        if not options["quiet"]:
            self.stdout.write(f"{writer.written} calls simulated")
            for name, count in sorted(per_script.items()):
                self.stdout.write(f"  {name}: {count}")
            for outcome, count in outcomes.most_common():
                share = 100.0 * count / writer.written
                self.stdout.write(f"  {outcome}: {count} ({share:.1f}%)")

    def _lines(self, path):
        try:
            handle = open(path, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        with handle:
            try:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        spec = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise CommandError(f"line {number}: not valid JSON ({exc.msg})") from None
                    if not isinstance(spec, dict):
                        raise CommandError(f"line {number}: a call is a JSON object")
                    yield number, spec
            except UnicodeDecodeError:
                raise CommandError(f"{path}: not a UTF-8 text file") from None

    def _check(self, number, spec):
        unknown = set(spec) - KNOWN_KEYS
        if unknown:
            raise CommandError(f"line {number}: unknown keys {sorted(unknown)}")
        if not isinstance(spec.get("script"), str):
            raise CommandError(f"line {number}: 'script' (a slug) is required")
        if not isinstance(spec.get("segment", ""), (str, type(None))):
            raise CommandError(f"line {number}: 'segment' must be a string")
        if not isinstance(spec.get("vars", {}), dict):
            raise CommandError(f"line {number}: 'vars' must be an object")
        turns = spec.get("turns", [])
        if not isinstance(turns, list):
            raise CommandError(f"line {number}: 'turns' must be a list")
        for turn in turns:
            try:
                parse_turn(turn)
            except TurnError as exc:
                raise CommandError(f"line {number}: {exc}") from None
        hangup_after = spec.get("hangup_after")
        if hangup_after is not None and (
            not isinstance(hangup_after, int) or isinstance(hangup_after, bool) or hangup_after < 1
        ):
            raise CommandError(f"line {number}: 'hangup_after' is a prompt number from 1")
        if "call_id" in spec and (not isinstance(spec["call_id"], str) or not spec["call_id"]):
            raise CommandError(f"line {number}: 'call_id' must be a non-empty string")
        if spec.get("timezone") is not None and not _known_timezone(spec["timezone"]):
            raise CommandError(f"line {number}: unknown time zone {spec['timezone']!r}")
        if spec.get("started_at") is not None and _parse_time(spec["started_at"]) is None:
            raise CommandError(f"line {number}: 'started_at' is not an ISO 8601 time")
        version = self._version(number, spec)
        for name, value in (spec.get("vars") or {}).items():
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise CommandError(f"line {number}: variable {name!r} must be a string or a number")
        for key, limit in (("call_id", 128), ("phone", 64), ("segment", 64), ("timezone", 64)):
            if len(str(spec.get(key) or "")) > limit:
                raise CommandError(f"line {number}: {key!r} is longer than {limit} characters")
        missing = self.compiled[version.pk].missing_variables(_contact(spec))
        if missing:
            raise CommandError(f"line {number}: {ContactError(missing)}")

    def _version(self, number, spec):
        key = (spec["script"], spec.get("team"), spec.get("version"))
        if key not in self.versions:
            try:
                script = find_script(
                    spec["script"],
                    team=spec.get("team"),
                    team_hint='add "team" to the line',
                )
                version = find_version(script, spec.get("version"))
            except CommandError as exc:
                raise CommandError(f"line {number}: {exc}") from None
            if version.pk not in self.compiled:
                try:
                    self.compiled[version.pk] = compile_script(version.document)
                except ScriptCompileError as exc:
                    raise CommandError(f"line {number}: {exc}") from None
            self.versions[key] = version
        return self.versions[key]

    def _check_unused_ids(self, numbered_ids):
        if not numbered_ids:
            return
        ids = [call_id for _, call_id in numbered_ids]
        taken = set(CallSession.objects.filter(call_id__in=ids).values_list("call_id", flat=True))
        seen = self.seen_ids
        for number, call_id in numbered_ids:
            if call_id in taken:
                raise CommandError(f"line {number}: call id {call_id!r} is already in the event log")
            if call_id in seen:
                raise CommandError(f"line {number}: call id {call_id!r} appears twice in the file")
            seen.add(call_id)


def _contact(spec) -> Contact:
    return Contact(
        phone=str(spec.get("phone", "")),
        segment=spec.get("segment") or "",
        variables={k: str(v) for k, v in (spec.get("vars") or {}).items()},
    )


def _parse_time(value):
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt_timezone.utc)
    return moment


def _known_timezone(name) -> bool:
    if not isinstance(name, str) or not name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
