"""What one finished call contributes to the analytics, from its events.

Plain Python: takes the call's session fields and its events (the engine's
``LogEvent`` objects or stored ``CallEvent`` rows, anything with ``kind``,
``node``, ``offset`` and ``data``) and the node types of its version. The
same function serves the counting of calls as they close and the rebuild
from the raw event log, so both give the same figures.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timezone as dt_timezone

from runtime.replay import estimate_prompt_seconds

STAGES = (
    "started",
    "answered",
    "human",
    "greeting_heard",
    "offer_heard",
    "target_action",
)
OUTCOMES = (
    "transfer",
    "callback",
    "refusal",
    "answering_machine",
    "wrong_person",
    "do_not_call",
    "dropped",
    "no_response",
)
# Reprompts are logged as prompts with these variant prefixes.
REPROMPT_PREFIXES = ("no_input.", "no_match.")
MACHINE_TRIGGER = "event:machine"


@dataclass
class NodeFacts:
    entered: int = 0
    hung_up_in_prompt: int = 0
    heard_ms: int = 0
    heard_permille: int = 0
    # How far into the prompt the caller hung up, by quarter of its length.
    heard_quarters: list = field(default_factory=lambda: [0, 0, 0, 0])
    hung_up_listening: int = 0
    no_match: int = 0
    no_input: int = 0
    moved_on: int = 0
    ended: dict = field(default_factory=dict)  # outcome -> 0/1
    calls: int = 1
    calls_moved_on: int = 0
    calls_target: int = 0


@dataclass
class CallFacts:
    day: date
    hour: int
    source: str
    segment: str
    variants: str
    outcome: str
    stages: dict  # stage name -> bool
    amd_machine: bool
    target_reached: bool
    duration_ms: int
    recognition_ms: int
    nodes: dict  # node id -> NodeFacts


def variants_key(variant_choices: dict, ab_nodes) -> str:
    """The call's variants at the A/B nodes, as ``node=variant;...``.

    Only nodes with several variants take part; the key names one cell of
    the A/B design, so counters can be summed per variant of any node.
    """
    return ";".join(
        f"{node}={variant_choices[node]}"
        for node in sorted(variant_choices)
        if node in ab_nodes
    )


def parse_variants_key(key: str) -> dict:
    if not key:
        return {}
    return dict(part.split("=", 1) for part in key.split(";"))


def local_hour(started_at: datetime, tz_name: str) -> int:
    """The hour of the contact's local day; UTC when the zone is unknown."""
    try:
        zone = zoneinfo.ZoneInfo(tz_name) if tz_name else dt_timezone.utc
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt_timezone.utc
    return started_at.astimezone(zone).hour


def _is_main_prompt(event) -> bool:
    variant = str((event.data or {}).get("variant") or "")
    return not variant.startswith(REPROMPT_PREFIXES)


def call_facts(session, events, *, node_types: dict, ab_nodes) -> CallFacts:
    """The facts of one finished call; ``events`` in the order logged."""
    events = list(events)
    nodes = {}
    prompt_seconds = 0.0
    last_prompt = None  # index of the prompt played last
    interrupted = None  # index of the prompt the caller hung up in
    answered = machine = target = False
    heard_types = set()

    for index, event in enumerate(events):
        data = event.data or {}
        node = event.node
        if event.kind == "node_entered":
            answered = True
            facts = nodes.setdefault(node, NodeFacts())
            facts.entered += 1
            source = data.get("from")
            if source and source != node:
                # Re-entering the same node is not moving on from it.
                previous = nodes.setdefault(source, NodeFacts())
                previous.moved_on += 1
                previous.calls_moved_on = 1
            if data.get("trigger") == MACHINE_TRIGGER:
                machine = True
        elif event.kind == "prompt_played":
            last_prompt = index
            prompt_seconds += estimate_prompt_seconds(data.get("text") or "")
        elif event.kind == "no_match":
            nodes.setdefault(node, NodeFacts()).no_match += 1
        elif event.kind == "no_input":
            nodes.setdefault(node, NodeFacts()).no_input += 1
        elif event.kind == "hangup":
            facts = nodes.setdefault(node, NodeFacts())
            if data.get("during_prompt") and last_prompt is not None:
                interrupted = last_prompt
                _count_hangup_in_prompt(facts, events[last_prompt], data)
                played = estimate_prompt_seconds(events[last_prompt].data.get("text") or "")
                heard = float(data.get("heard") or 0.0)
                prompt_seconds -= max(0.0, played - heard)
            else:
                facts.hung_up_listening += 1
        elif event.kind == "target_reached":
            target = True
        elif event.kind == "call_ended":
            outcome = data.get("outcome") or ""
            ended = nodes.setdefault(node, NodeFacts()).ended
            ended[outcome] = ended.get(outcome, 0) + 1

    for index, event in enumerate(events):
        if (
            event.kind == "prompt_played"
            and index != interrupted
            and _is_main_prompt(event)
        ):
            heard_types.add(node_types.get(event.node))

    outcome = session.outcome or ""
    machine = machine or outcome == "answering_machine"
    human = answered and not machine
    types = set(node_types.values())
    greeting = human and ("greeting" not in types or "greeting" in heard_types)
    offer = greeting and ("offer" not in types or "offer" in heard_types)
    stages = {
        "started": True,
        "answered": answered,
        "human": human,
        "greeting_heard": greeting,
        "offer_heard": offer,
        "target_action": offer and target,
    }
    for facts in nodes.values():
        facts.calls_target = 1 if target else 0
        if facts.entered == 0:
            # Only a side effect of another node's events (cannot happen in
            # a well-formed log); the node was not entered by this call.
            facts.calls = facts.calls_target = 0

    duration_ms = round((session.duration or 0.0) * 1000)
    recognition_ms = max(0, duration_ms - round(prompt_seconds * 1000))
    return CallFacts(
        day=session.started_at.astimezone(dt_timezone.utc).date(),
        hour=local_hour(session.started_at, session.timezone),
        source=session.source,
        segment=session.segment or "",
        variants=variants_key(session.variant_choices or {}, ab_nodes),
        outcome=outcome,
        stages=stages,
        amd_machine=answered and machine,
        target_reached=target,
        duration_ms=duration_ms,
        recognition_ms=recognition_ms,
        nodes=nodes,
    )


def _count_hangup_in_prompt(facts: NodeFacts, prompt, hangup_data: dict) -> None:
    length = estimate_prompt_seconds((prompt.data or {}).get("text") or "")
    heard = max(0.0, float(hangup_data.get("heard") or 0.0))
    share = min(1.0, heard / length) if length > 0 else 1.0
    facts.hung_up_in_prompt += 1
    facts.heard_ms += round(heard * 1000)
    facts.heard_permille += round(share * 1000)
    facts.heard_quarters[min(3, int(share * 4))] += 1


def version_shape(document: dict) -> tuple[dict, set]:
    """The node types of a version's document and its A/B nodes."""
    node_types, ab_nodes = {}, set()
    for node in document.get("nodes", []):
        node_types[node["id"]] = node.get("type")
        variants = (node.get("prompt") or {}).get("variants") or []
        if len(variants) > 1:
            ab_nodes.add(node["id"])
    return node_types, ab_nodes
