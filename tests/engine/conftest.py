"""What the engine's tests share: a matcher that knows fixed phrases, and
a wrapper that turns a few node dicts into a whole graph document."""

from dataclasses import dataclass, field

import pytest


@dataclass(frozen=True)
class FakeMatch:
    intent: str | None
    confidence: float
    slots: dict = field(default_factory=dict)
    runner_up: object = None


# Phrase -> intent (and slots). The engine's tests specify the engine, not
# the matcher, so they use exact phrases rather than the fuzzy one.
PHRASES = {
    "да": "yes",
    "нет": "no",
    "алло": "hello",
    "кто это": "who_is_calling",
    "а какая карта": "card_question",
    "повторите": "repeat",
    "минутку": "hold_on",
    "оставьте сообщение после сигнала": "answering_machine",
    "не звоните мне": "do_not_call",
    "соедините с оператором": "operator",
    "перезвоните завтра после пяти": ("busy_callback", {"when": "завтра после пяти"}),
    "я занят": "busy_callback",
}


class PhraseMatcher:
    """Matches a phrase of ``PHRASES`` exactly, among ``candidates``; it
    records every call so tests can see what the engine asked for."""

    def __init__(self, phrases=None):
        self.phrases = dict(PHRASES if phrases is None else phrases)
        self.calls = []

    def match(self, text, candidates=None):
        self.calls.append((text, candidates))
        found = self.phrases.get(text.strip().lower())
        if found is None:
            return FakeMatch(None, 0.0)
        intent, slots = found if isinstance(found, tuple) else (found, {})
        if candidates is not None and intent not in candidates:
            return FakeMatch(None, 0.0)
        return FakeMatch(intent, 0.9, dict(slots))


@pytest.fixture
def matcher():
    return PhraseMatcher()


def graph(*nodes, start=None, global_routes=(), intents=None, variables=None):
    """A graph document of ``nodes``; the first node starts unless told."""
    return {
        "format": "outcall-graph",
        "format_version": 1,
        "language": "ru",
        "start": start or nodes[0]["id"],
        "variables": variables or {},
        "intents": intents or {},
        "global_routes": list(global_routes),
        "nodes": list(nodes),
    }


def prompt(*texts, **segmented):
    """Variants ``a``, ``b``… of ``texts``; ``segmented`` adds one variant
    per segment, named after it."""
    variants = [{"id": chr(ord("a") + i), "text": t} for i, t in enumerate(texts)]
    variants += [
        {"id": segment, "text": text, "segment": segment}
        for segment, text in segmented.items()
    ]
    return {"variants": variants}


def end(node_id, outcome, text=None):
    node = {"id": node_id, "type": "end", "outcome": outcome}
    if text is not None:
        node["prompt"] = prompt(text)
    return node
