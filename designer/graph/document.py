"""The graph document (format version 1) as Python objects.

``docs/graph-format.md`` describes the document; ``docs/graph.schema.json``
is its JSON Schema. ``Graph.from_document`` expects a document that passed
the schema (see ``designer.graph.validation``) and never mutates it.
"""

import hashlib
import json
from dataclasses import dataclass, field

FORMAT = "outcall-graph"
FORMAT_VERSION = 1

LISTENING_TYPES = frozenset({"greeting", "offer", "objection", "question", "amd_question"})
TERMINAL_TYPES = frozenset({"target_action", "end"})
NODE_TYPES = LISTENING_TYPES | TERMINAL_TYPES | {"say"}

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
# Events a route can be taken on, by the node types that raise them.
LISTEN_EVENTS = ("no_input", "no_match")
AMD_EVENTS = ("human", "machine", "unsure")
SAY_EVENTS = ("next",)

def canonical_json(document: dict) -> str:
    """The one spelling of ``document`` that its checksum is taken of."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def document_checksum(document: dict) -> str:
    """SHA-256 (hex) of the canonical JSON: equal documents, equal checksums."""
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


DEFAULT_NO_INPUT_TIMEOUT = 5.0
DEFAULT_ENDPOINT_SILENCE = 0.8


@dataclass(frozen=True)
class Variant:
    id: str
    text: str
    segment: str | None = None
    weight: float = 1.0
    audio: str | None = None


@dataclass(frozen=True)
class Route:
    to: str
    intent: str | None = None
    dtmf: str | None = None
    event: str | None = None

    @property
    def trigger(self) -> str:
        """A readable key: ``intent:yes``, ``dtmf:1`` or ``event:no_input``."""
        if self.intent is not None:
            return f"intent:{self.intent}"
        if self.dtmf is not None:
            return f"dtmf:{self.dtmf}"
        return f"event:{self.event}"


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    variants: tuple[Variant, ...] = ()
    routes: tuple[Route, ...] = ()
    title: str = ""
    barge_in: bool = True
    no_input_timeout: float = DEFAULT_NO_INPUT_TIMEOUT
    endpoint_silence: float = DEFAULT_ENDPOINT_SILENCE
    reprompts_no_input: tuple[str, ...] = ()
    reprompts_no_match: tuple[str, ...] = ()
    outcome: str | None = None
    transfer_target: str | None = None
    transfer_summary: str | None = None

    @property
    def is_listening(self) -> bool:
        return self.type in LISTENING_TYPES

    @property
    def is_terminal(self) -> bool:
        return self.type in TERMINAL_TYPES

    def routes_for_event(self, event: str) -> list[Route]:
        return [r for r in self.routes if r.event == event]

    def route_for_intent(self, intent: str) -> Route | None:
        return next((r for r in self.routes if r.intent == intent), None)

    def route_for_dtmf(self, digit: str) -> Route | None:
        return next((r for r in self.routes if r.dtmf == digit), None)

    def route_for_event(self, event: str) -> Route | None:
        return next((r for r in self.routes if r.event == event), None)


@dataclass(frozen=True)
class Graph:
    language: str
    start: str
    nodes: dict[str, Node]
    variables: dict[str, dict] = field(default_factory=dict)
    intents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    global_routes: tuple[Route, ...] = ()

    @classmethod
    def from_document(cls, doc: dict) -> "Graph":
        nodes = {}
        for raw in doc["nodes"]:
            node = _node_from(raw)
            nodes[node.id] = node
        return cls(
            language=doc["language"],
            start=doc["start"],
            nodes=nodes,
            variables=dict(doc.get("variables") or {}),
            intents={
                name: tuple(spec.get("examples", ()))
                for name, spec in (doc.get("intents") or {}).items()
            },
            global_routes=tuple(_route_from(r) for r in doc.get("global_routes") or ()),
        )


def _route_from(raw: dict) -> Route:
    return Route(
        to=raw["to"],
        intent=raw.get("intent"),
        dtmf=str(raw["dtmf"]) if raw.get("dtmf") is not None else None,
        event=raw.get("event"),
    )


def _node_from(raw: dict) -> Node:
    prompt = raw.get("prompt") or {}
    reprompts = raw.get("reprompts") or {}
    transfer = raw.get("transfer") or {}
    return Node(
        id=raw["id"],
        type=raw["type"],
        title=raw.get("title", ""),
        variants=tuple(
            Variant(
                id=v["id"],
                text=v["text"],
                segment=v.get("segment") or None,
                weight=float(v.get("weight", 1)),
                audio=v.get("audio"),
            )
            for v in prompt.get("variants", ())
        ),
        routes=tuple(_route_from(r) for r in raw.get("routes", ())),
        barge_in=raw.get("barge_in", True),
        no_input_timeout=float(raw.get("no_input_timeout", DEFAULT_NO_INPUT_TIMEOUT)),
        endpoint_silence=float(raw.get("endpoint_silence", DEFAULT_ENDPOINT_SILENCE)),
        reprompts_no_input=tuple(reprompts.get("no_input", ())),
        reprompts_no_match=tuple(reprompts.get("no_match", ())),
        outcome=raw.get("outcome"),
        transfer_target=transfer.get("target"),
        transfer_summary=transfer.get("summary"),
    )
