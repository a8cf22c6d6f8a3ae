"""Checks a graph document and reports every problem, with where it is.

``validate_document`` first checks the JSON Schema (``designer.graph.schema``)
and then the rules of ``docs/graph-format.md`` that the schema cannot
express. The rules read the raw document defensively, so that a document
with schema errors still gets all its other problems reported: an editor
shows them all at once.

A problem's ``node`` is the id of the node it is in (``None`` for the top
level) and its ``field`` a path inside that node, or inside the document
when there is no node: ``routes[2].to``, ``prompt.variants[0].text``,
``global_routes[0].intent``. Only problems of severity ``error`` stop a
script from being published.
"""

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from numbers import Real

from jsonschema import Draft202012Validator

from designer.audio_store import is_reference, sha256_of
from designer.graph.document import (
    AMD_EVENTS,
    LISTEN_EVENTS,
    LISTENING_TYPES,
    NODE_TYPES,
    OUTCOMES,
    SAY_EVENTS,
    TERMINAL_TYPES,
)
from designer.graph.schema import SCHEMA
from designer.graph.templates import (
    BUILTIN_VARIABLES,
    TemplateError,
    check_template,
    render_template,
)

ERROR = "error"
WARNING = "warning"

_VALIDATOR = Draft202012Validator(SCHEMA)

ALL_EVENTS = LISTEN_EVENTS + AMD_EVENTS + SAY_EVENTS
# Listening-only settings: ignored on nodes that do not listen.
LISTENING_FIELDS = ("no_input_timeout", "endpoint_silence", "reprompts")
TERMINAL_FIELDS = ("outcome", "transfer")
# What the built-in variables hold when a template is tried out.
SAMPLE_CALL = {
    "phone": "+10000000000",
    "segment": "",
    "call_id": "validation",
    "callback_time": "tomorrow at 10:00",
    "last_utterance": "yes",
    "intents_heard": ["yes"],
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    node: str | None = None
    field: str | None = None
    severity: str = ERROR

    def as_dict(self) -> dict:
        return asdict(self)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


def validate_document(
    document,
    *,
    builtin_intents: Iterable[str],
    audio: Iterable[str] | None = None,
    legacy_audio: bool | None = None,
) -> list[Problem]:
    """Return every problem of ``document``; an empty list when it is valid.

    ``builtin_intents`` are the ids of the intents the matcher knows without
    the script declaring them (``nlu.packs.BUILTIN_INTENTS``); this module
    does not import the matcher. ``audio`` holds the ``sha256:…``
    references of the script's recordings: a variant playing any other is
    an error. ``None`` leaves references unchecked (a document without its
    script). ``legacy_audio`` says whether legacy audio paths can be played
    (``OUTCALL_PROMPT_AUDIO_DIR`` is set); when false, a variant naming one
    is warned about. ``None`` leaves that unsaid.
    """
    if isinstance(builtin_intents, str):
        raise TypeError("builtin_intents is a collection of intent ids, not a string")
    if isinstance(audio, str):
        raise TypeError("audio is a collection of references, not a string")
    if not isinstance(document, dict):
        return [Problem("invalid_type", "The document must be a JSON object.")]
    problems = _schema_problems(document)
    recordings = frozenset(audio) if audio is not None else None
    problems += _Rules(
        document, frozenset(builtin_intents), recordings, legacy_audio
    ).check()
    return problems


# -- the schema ---------------------------------------------------------------


def _path_key(error):
    return [
        (0, p, "") if isinstance(p, int) else (1, 0, str(p))
        for p in error.absolute_path
    ]


def _schema_problems(document: dict) -> list[Problem]:
    problems = []
    seen = set()
    for error in sorted(_VALIDATOR.iter_errors(document), key=_path_key):
        for code, message, path in _explain(error):
            node, field = _locate(document, path)
            if (code, node, field) in seen:
                continue
            seen.add((code, node, field))
            problems.append(Problem(code, message, node, field))
    return problems


def _explain(error):
    """Yield ``(code, message, path)`` for one schema error, in plain words."""
    path = list(error.absolute_path)
    instance, expected = error.instance, error.validator_value
    kind = error.validator

    if kind == "required":
        for name in expected:
            if isinstance(instance, dict) and name not in instance:
                yield "missing_field", f"'{name}' is required here.", [*path, name]
    elif kind == "additionalProperties":
        known = error.schema.get("properties", {})
        for name in instance:
            if name not in known:
                yield (
                    "unknown_field",
                    f"'{name}' is not a field of format 1.",
                    [*path, name],
                )
    elif kind == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        yield (
            "invalid_type",
            f"Must be of type {wanted}, not {_json_type(instance)}.",
            path,
        )
    elif kind == "const":
        yield "invalid_value", f"Must be {_show(expected)}.", path
    elif kind == "enum":
        choices = ", ".join(_show(v) for v in expected)
        yield "invalid_value", f"{_show(instance)} is not one of: {choices}.", path
    elif kind == "pattern" and list(error.relative_schema_path)[-2:-1] == [
        "propertyNames"
    ]:
        yield "invalid_value", _name_rule(instance), [*path, instance]
    elif kind == "pattern":
        yield "invalid_value", _pattern_rule(path, instance), path
    elif kind == "oneOf":
        yield (
            "invalid_value",
            "A route takes exactly one of 'intent', 'dtmf' or 'event'.",
            path,
        )
    elif kind in ("exclusiveMinimum", "minimum"):
        yield "invalid_value", f"Must be more than {expected}.", path
    elif kind == "maximum":
        yield "invalid_value", f"Must be at most {expected}.", path
    elif kind == "minLength":
        yield "invalid_value", "Must not be empty.", path
    elif kind == "maxLength":
        yield "invalid_value", f"Must be at most {expected} characters.", path
    else:
        yield "invalid_value", error.message, path


def _name_rule(name) -> str:
    return (
        f"'{name}' is not a valid name: use letters, digits and '_', "
        "not starting with a digit, at most 64 characters."
    )


def _pattern_rule(path, value) -> str:
    last = path[-1] if path else None
    if last == "dtmf":
        return f"'{value}' is not a DTMF key: use one of 0-9, * or #."
    if last == "intent":
        return _name_rule(value)
    return f"'{value}' is not a valid id: use 1 to 64 letters, digits, '_' or '-'."


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Real):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _show(value) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _locate(document: dict, path: list) -> tuple[str | None, str | None]:
    """Split a schema path into the node it is in and a field in that node."""
    if len(path) >= 2 and path[0] == "nodes" and isinstance(path[1], int):
        nodes = document.get("nodes")
        node = (
            nodes[path[1]] if isinstance(nodes, list) and path[1] < len(nodes) else None
        )
        node_id = node.get("id") if isinstance(node, dict) else None
        if isinstance(node_id, str) and len(path) > 2:
            return node_id, _format_path(path[2:])
    return None, _format_path(path) or None


def _format_path(path: list) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


# -- the rules ----------------------------------------------------------------


def _items(value) -> list[tuple[int, dict]]:
    """``(index, item)`` for the objects of a list; nothing for a non-list."""
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _keys(value) -> set[str]:
    return set(value) if isinstance(value, dict) else set()


def _trigger(route: dict) -> tuple[str, str] | None:
    """``("intent", "yes")`` for a route with exactly one trigger, else None."""
    found = [(k, route[k]) for k in ("intent", "dtmf", "event") if k in route]
    if len(found) != 1 or not isinstance(found[0][1], str):
        return None
    return found[0]


def _show_trigger(trigger: tuple[str, str]) -> str:
    return f"{trigger[0]} '{trigger[1]}'"


def _a(node_type: str) -> str:
    """'A greeting', 'An offer': the start of a sentence about a node type."""
    return f"{'An' if node_type[:1] in 'aeiou' else 'A'} {node_type}"


def _events_of(node_type: str) -> tuple[str, ...]:
    if node_type == "amd_question":
        # Its own no_input/no_match routes override the fallback to unsure.
        return AMD_EVENTS + LISTEN_EVENTS
    if node_type in LISTENING_TYPES:
        return LISTEN_EVENTS
    if node_type == "say":
        return SAY_EVENTS
    return ()


def _sample_contact(variables) -> dict:
    """A value for each declared variable: its example, its default, or
    its own name."""
    if not isinstance(variables, dict):
        return {}
    sample = {}
    for name, spec in variables.items():
        spec = spec if isinstance(spec, dict) else {}
        value = spec.get("example", spec.get("default", name))
        sample[name] = value if isinstance(value, (str, int, float)) else name
    return sample


class _Rules:
    def __init__(
        self,
        document: dict,
        builtin_intents: frozenset[str],
        audio=None,
        legacy_audio: bool | None = None,
    ):
        self.legacy_audio = legacy_audio
        self.doc = document
        self.audio = audio
        self.problems: list[Problem] = []
        self.nodes = _items(document.get("nodes"))
        self.by_id: dict[str, dict] = {}
        for _, node in self.nodes:
            node_id = node.get("id")
            if isinstance(node_id, str):
                self.by_id.setdefault(node_id, node)
        self.variables = _keys(document.get("variables")) | BUILTIN_VARIABLES
        self.sample = {**_sample_contact(document.get("variables")), **SAMPLE_CALL}
        self.intents = _keys(document.get("intents")) | builtin_intents
        self.global_routes = _items(document.get("global_routes"))
        # node id -> ids of the nodes it may go to next
        self.edges: dict[str, set[str]] = defaultdict(set)

    def add(self, code, message, node=None, field=None, severity=ERROR):
        self.problems.append(Problem(code, message, node, field, severity))

    def check(self) -> list[Problem]:
        self.check_ids()
        self.check_start()
        self.check_intents()
        self.check_global_routes()
        for _, node in self.nodes:
            if isinstance(node.get("id"), str) and node.get("type") in NODE_TYPES:
                self.check_node(node)
        self.check_graph()
        return self.problems

    # -- top level

    def check_ids(self):
        counts = defaultdict(int)
        for _, node in self.nodes:
            if isinstance(node.get("id"), str):
                counts[node["id"]] += 1
        for node_id, count in counts.items():
            if count > 1:
                self.add(
                    "duplicate_node_id",
                    f"{count} nodes have the id '{node_id}'; node ids must be unique.",
                    node_id,
                    "id",
                )

    def check_start(self):
        start = self.doc.get("start")
        if isinstance(start, str) and start not in self.by_id:
            self.add(
                "missing_start",
                f"The start node '{start}' does not exist.",
                field="start",
            )

    def check_intents(self):
        intents = self.doc.get("intents")
        if not isinstance(intents, dict):
            return
        for name, spec in intents.items():
            examples = spec.get("examples") if isinstance(spec, dict) else None
            if isinstance(examples, list) and not any(
                isinstance(e, str) and e.strip() for e in examples
            ):
                self.add(
                    "intent_without_examples",
                    f"Intent '{name}' has no examples, so nothing said could "
                    "ever match it; give it a few phrases a caller would say.",
                    field=f"intents.{name}.examples",
                )

    def check_global_routes(self):
        seen = {}
        for i, route in self.global_routes:
            field = f"global_routes[{i}]"
            self.check_target(route, None, field)
            trigger = _trigger(route)
            if trigger is None:
                continue
            kind, value = trigger
            if kind == "event" and value in ALL_EVENTS and value not in LISTEN_EVENTS:
                self.add(
                    "event_not_allowed",
                    f"A global route cannot take the event '{value}': global "
                    "routes take intents, DTMF keys, 'no_input' and 'no_match'.",
                    field=f"{field}.event",
                )
            if kind == "intent":
                self.check_intent(value, None, f"{field}.intent")
            self.check_duplicate(seen, trigger, i, None, field, "global_routes")

    # -- nodes

    def check_node(self, node: dict):
        node_id, node_type = node["id"], node["type"]
        self.check_fields(node)
        self.check_prompt(node)
        self.check_reprompts(node)

        seen = {}
        for i, route in _items(node.get("routes")):
            field = f"routes[{i}]"
            allowed = self.check_route(node, route, field)
            if self.check_target(route, node_id, field) and allowed:
                self.edges[node_id].add(route["to"])
            trigger = _trigger(route)
            if trigger is not None:
                self.check_duplicate(seen, trigger, i, node_id, field, "routes")

        if node_type in LISTENING_TYPES:
            self.check_listening_exits(node)
            for _, route in self.global_routes:
                trigger = _trigger(route)
                target = route.get("to")
                if trigger is None or target not in self.by_id:
                    continue
                if trigger[0] == "event" and (
                    trigger[1] not in LISTEN_EVENTS or node_type == "amd_question"
                ):
                    # At an amd_question, silence and no match without a
                    # route of the node's own take 'unsure'.
                    continue
                self.edges[node_id].add(target)
        elif node_type == "say":
            if not any(r.get("event") == "next" for _, r in _items(node.get("routes"))):
                self.add(
                    "no_exit",
                    "A say node needs a route for the event 'next': where to go "
                    "once its prompt is said.",
                    node_id,
                    "routes",
                )
        else:
            self.check_outcome(node)

    def check_fields(self, node: dict):
        node_id, node_type = node["id"], node["type"]
        if node_type not in TERMINAL_TYPES:
            for name in TERMINAL_FIELDS:
                if name in node:
                    self.add(
                        "field_not_allowed",
                        f"Only target_action and end nodes end the call; "
                        f"{_a(node_type).lower()} node cannot have '{name}'.",
                        node_id,
                        name,
                    )
        if node_type not in LISTENING_TYPES:
            for name in LISTENING_FIELDS:
                if name in node:
                    self.add(
                        "ignored_field",
                        f"{_a(node_type)} node does not listen; '{name}' is ignored.",
                        node_id,
                        name,
                        WARNING,
                    )

    def check_prompt(self, node: dict):
        node_id, node_type = node["id"], node["type"]
        prompt = node.get("prompt")
        if prompt is None:
            if node_type not in TERMINAL_TYPES:
                self.add(
                    "missing_prompt",
                    f"{_a(node_type)} node must say something: give it a prompt "
                    "with at least one variant.",
                    node_id,
                    "prompt",
                )
            return
        if not isinstance(prompt, dict):
            return

        variants = _items(prompt.get("variants"))
        ids = {}
        weights = defaultdict(float)
        for i, variant in variants:
            field = f"prompt.variants[{i}]"
            variant_id = variant.get("id")
            if isinstance(variant_id, str):
                if variant_id in ids:
                    self.add(
                        "duplicate_variant_id",
                        f"Variant id '{variant_id}' is already used by "
                        f"prompt.variants[{ids[variant_id]}].",
                        node_id,
                        f"{field}.id",
                    )
                else:
                    ids[variant_id] = i
            weight = variant.get("weight", 1)
            if isinstance(weight, Real) and not isinstance(weight, bool):
                if weight <= 0:
                    self.add(
                        "invalid_weight",
                        f"A weight must be positive, not {weight}.",
                        node_id,
                        f"{field}.weight",
                    )
                weights[variant.get("segment") or None] += weight
            text = variant.get("text")
            if isinstance(text, str) and not text.strip() and not variant.get("audio"):
                self.add(
                    "empty_prompt",
                    "The variant says nothing: give it a text (or an audio file).",
                    node_id,
                    f"{field}.text",
                )
            else:
                self.check_template(text, node_id, f"{field}.text")
            self.check_audio(variant, node_id, field)

        if not any(not v.get("segment") for _, v in variants):
            self.add(
                "missing_default_variant",
                "The prompt needs a variant without a segment, said to "
                "contacts of every other segment.",
                node_id,
                "prompt.variants",
            )
        for segment, total in weights.items():
            if total <= 0:
                name = f"segment '{segment}'" if segment else "the default variants"
                self.add(
                    "zero_weight_segment",
                    f"The weights of {name} add up to {total:g}; none of them "
                    "could ever be chosen.",
                    node_id,
                    "prompt.variants",
                )

    def check_audio(self, variant: dict, node_id: str, field: str):
        audio = variant.get("audio")
        if not isinstance(audio, str) or not audio:
            return
        name = f"Variant '{variant.get('id')}' of node '{node_id}'"
        # "SHA256:…" or " sha256:…" is a mistyped reference, not a path.
        if not is_reference(audio) and not audio.strip().lower().startswith("sha256"):
            self.check_legacy_audio(audio, name, node_id, field)
            return
        if sha256_of(audio) is None:
            self.add(
                "invalid_audio_reference",
                f"{name} names the recording '{audio[:80]}', which is not a "
                "reference: one is 'sha256:' and 64 lower-case hex digits, as "
                "the upload answers.",
                node_id,
                f"{field}.audio",
            )
        elif self.audio is not None and audio not in self.audio:
            self.add(
                "unknown_audio",
                f"{name} plays recording {audio[:19]}…, which this script does "
                "not have: upload the recording to the script, or remove it "
                "from the variant.",
                node_id,
                f"{field}.audio",
            )
        text = variant.get("text")
        if isinstance(text, str) and ("{{" in text or "{%" in text):
            self.add(
                "audio_with_template",
                f"{name} plays its recording, so callers do not hear what the "
                "template in its text would say; the text is what transcripts "
                "show and what is spoken if the recording cannot be played.",
                node_id,
                f"{field}.audio",
                WARNING,
            )

    def check_legacy_audio(self, audio: str, name: str, node_id: str, field: str):
        """An older document's path under ``OUTCALL_PROMPT_AUDIO_DIR``."""
        parts = audio.replace("\\", "/").split("/")
        drive = len(parts[0]) == 2 and parts[0][1] == ":"  # C:\\…
        if audio.startswith(("/", "\\")) or drive or ".." in parts:
            self.add(
                "invalid_audio_path",
                f"{name} names the audio file '{audio[:80]}', which is outside "
                "the prompt audio directory: a path there is relative and has "
                "no '..'. Upload the recording instead and use its reference.",
                node_id,
                f"{field}.audio",
            )
        elif self.legacy_audio is False:
            self.add(
                "legacy_audio_unplayable",
                f"{name} names the audio file '{audio[:80]}', but no prompt "
                "audio directory is set (OUTCALL_PROMPT_AUDIO_DIR), so its text "
                "is spoken instead. Upload the recording and use its reference.",
                node_id,
                f"{field}.audio",
                WARNING,
            )

    def check_reprompts(self, node: dict):
        reprompts = node.get("reprompts")
        if not isinstance(reprompts, dict):
            return
        for event in LISTEN_EVENTS:
            texts = reprompts.get(event)
            if isinstance(texts, list):
                for i, text in enumerate(texts):
                    self.check_template(text, node["id"], f"reprompts.{event}[{i}]")

    def check_route(self, node: dict, route: dict, field: str) -> bool:
        """Report a route the node cannot take; True when it is allowed."""
        node_id, node_type = node["id"], node["type"]
        trigger = _trigger(route)
        if trigger is None:
            return False
        kind, value = trigger

        if kind in ("intent", "dtmf"):
            if node_type not in LISTENING_TYPES:
                self.add(
                    "route_not_allowed",
                    f"{_a(node_type)} node does not listen, so it cannot route on "
                    f"{'intents' if kind == 'intent' else 'DTMF keys'}.",
                    node_id,
                    field,
                )
                return False
            if kind == "intent":
                # The route still counts as a way on: declaring the intent
                # is the likely fix.
                self.check_intent(value, node_id, f"{field}.intent")
            return True

        if value not in ALL_EVENTS:
            return False  # the schema reports it
        allowed = _events_of(node_type)
        if value in allowed:
            return True
        names = [repr(e) for e in allowed]
        events = " and ".join([", ".join(names[:-1]), names[-1]] if names else [])
        events = events.removeprefix(" and ")
        if node_type in LISTENING_TYPES:
            hint = f"it leaves by intents, DTMF keys and the events {events}."
        elif allowed:
            hint = f"it leaves by {events}."
        else:
            hint = "it ends the call."
        self.add(
            "event_not_allowed",
            f"{_a(node_type)} node never raises '{value}': {hint}",
            node_id,
            f"{field}.event",
        )
        return False

    def check_target(self, route: dict, node_id: str | None, field: str) -> bool:
        target = route.get("to")
        if not isinstance(target, str):
            return False
        if target not in self.by_id:
            self.add(
                "unknown_target",
                f"The route goes to '{target}', which is not a node of the script.",
                node_id,
                f"{field}.to",
            )
            return False
        return True

    def check_intent(self, intent: str, node_id: str | None, field: str) -> bool:
        if intent in self.intents:
            return True
        self.add(
            "unknown_intent",
            f"'{intent}' is neither a built-in intent nor one of the script's "
            "intents; declare it under 'intents' with examples.",
            node_id,
            field,
        )
        return False

    def check_duplicate(self, seen, trigger, index, node_id, field, where):
        if trigger in seen:
            self.add(
                "duplicate_trigger",
                f"{where}[{seen[trigger]}] already takes {_show_trigger(trigger)}; "
                "only the first route would ever be taken.",
                node_id,
                field,
            )
        else:
            seen[trigger] = index

    def check_listening_exits(self, node: dict):
        node_id, node_type = node["id"], node["type"]
        own = {r.get("event") for _, r in _items(node.get("routes"))}
        if not _items(node.get("routes")) and not self.global_routes:
            self.add(
                "no_exit",
                f"{_a(node_type)} node needs routes: it has none, and the script "
                "has no global routes.",
                node_id,
                "routes",
            )
        if node_type == "amd_question":
            for event in AMD_EVENTS:
                if event not in own:
                    self.add(
                        "missing_event_route",
                        f"An amd_question needs a route for '{event}' "
                        "(the events human, machine and unsure).",
                        node_id,
                        "routes",
                    )
            return
        shared = {r.get("event") for _, r in self.global_routes}
        for event in LISTEN_EVENTS:
            if event not in own and event not in shared:
                self.add(
                    "missing_event_route",
                    f"A listening node needs a route for '{event}', its own or "
                    "a global one.",
                    node_id,
                    "routes",
                )

    def check_outcome(self, node: dict):
        node_id, node_type = node["id"], node["type"]
        outcome = node.get("outcome")
        if outcome is None:
            self.add(
                "missing_outcome",
                f"{_a(node_type)} node ends the call and needs an outcome: one of "
                f"{', '.join(OUTCOMES)}.",
                node_id,
                "outcome",
            )
        elif isinstance(outcome, str) and outcome not in OUTCOMES:
            self.add(
                "unknown_outcome",
                f"'{outcome}' is not an outcome; use one of {', '.join(OUTCOMES)}.",
                node_id,
                "outcome",
            )

        transfer = node.get("transfer")
        if outcome == "transfer":
            target = transfer.get("target") if isinstance(transfer, dict) else None
            if not isinstance(target, str) or not target.strip():
                self.add(
                    "missing_transfer_target",
                    "A transfer needs transfer.target: where the telephony "
                    "layer sends the call.",
                    node_id,
                    "transfer.target",
                )
        if isinstance(transfer, dict):
            self.check_template(transfer.get("summary"), node_id, "transfer.summary")

    def check_template(self, source, node_id: str, field: str):
        if not isinstance(source, str):
            return
        try:
            used = check_template(source)
        except TemplateError as exc:
            self.add(
                "template_syntax",
                f"The template does not compile: {str(exc).rstrip('.')}.",
                node_id,
                field,
            )
            return
        undeclared = used - self.variables
        for name in sorted(undeclared):
            self.add(
                "undeclared_variable",
                f"'{name}' is not a declared variable: declare it under "
                "'variables', or use a built-in one "
                f"({', '.join(sorted(BUILTIN_VARIABLES))}).",
                node_id,
                field,
            )
        if undeclared:
            return  # rendering would only fail on the same names
        try:
            render_template(source, self.sample)
        except TemplateError as exc:
            self.add(
                "template_render",
                "The template fails to render for a sample contact, and "
                f"would fail in every call: {str(exc).rstrip('.')}.",
                node_id,
                field,
            )

    # -- the whole graph

    def check_graph(self):
        kinds = {node_id: node.get("type") for node_id, node in self.by_id.items()}
        start = self.doc.get("start")
        if start in self.by_id:
            reached = self.reach([start], self.edges)
            for node_id in self.by_id:
                if node_id not in reached:
                    self.add(
                        "unreachable_node",
                        "No route leads here from the start node.",
                        node_id,
                        severity=WARNING,
                    )

        incoming = defaultdict(set)
        for source, targets in self.edges.items():
            for target in targets:
                incoming[target].add(source)
        terminals = [i for i, kind in kinds.items() if kind in TERMINAL_TYPES]
        ending = self.reach(terminals, incoming)
        stuck_without_exit = {p.node for p in self.problems if p.code == "no_exit"}
        for node_id, kind in kinds.items():
            if node_id in ending or kind not in NODE_TYPES:
                continue
            if node_id in stuck_without_exit:
                continue
            self.add(
                "no_way_out",
                "No path leads from here to a target_action or end node: "
                "a call that gets here could never end.",
                node_id,
            )

    @staticmethod
    def reach(sources, edges) -> set[str]:
        reached = set(sources)
        queue = deque(sources)
        while queue:
            for nxt in edges.get(queue.popleft(), ()):
                if nxt not in reached:
                    reached.add(nxt)
                    queue.append(nxt)
        return reached
