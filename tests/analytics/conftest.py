"""A small script and populations of text-simulated calls through it.

The script: greeting (A/B variants a and b) → offer → transfer (the target
action), or a refusal; an answering machine heard at the greeting ends the
call there. Calls are written by ``simulate_calls``, the real write path,
so the counters are filled the way they are in production.
"""

import io
import json

import pytest
from django.core.management import call_command

from designer import services
from designer.models import Team
from runtime.engine import compile_script

GREETING_A = "Hello, this is Vector Bank."
GREETING_B = "Good afternoon, Vector Bank calling with an offer for you."
OFFER = "We have approved a credit card for you. Shall I connect you?"

DOCUMENT = {
    "format": "outcall-graph",
    "format_version": 1,
    "language": "en",
    "start": "greeting",
    "variables": {},
    "intents": {},
    "global_routes": [
        {"intent": "answering_machine", "to": "end_answering_machine"},
        {"event": "no_input", "to": "end_no_response"},
        {"event": "no_match", "to": "end_no_response"},
    ],
    "nodes": [
        {
            "id": "greeting",
            "type": "greeting",
            "prompt": {
                "variants": [
                    {"id": "a", "text": GREETING_A, "weight": 1},
                    {"id": "b", "text": GREETING_B, "weight": 1},
                ]
            },
            "routes": [
                {"intent": "yes", "to": "offer"},
                {"intent": "no", "to": "end_refusal"},
            ],
            "position": {"x": 0, "y": 0},
        },
        {
            "id": "offer",
            "type": "offer",
            "prompt": {"variants": [{"id": "a", "text": OFFER}]},
            "routes": [
                {"intent": "yes", "to": "transfer"},
                {"intent": "no", "to": "end_refusal"},
            ],
            "position": {"x": 300, "y": 0},
        },
        {
            "id": "transfer",
            "type": "target_action",
            "outcome": "transfer",
            "transfer": {"target": "operators", "summary": "Wants the card."},
            "position": {"x": 600, "y": 0},
        },
        {
            "id": "end_refusal",
            "type": "end",
            "outcome": "refusal",
            "prompt": {"variants": [{"id": "a", "text": "Thank you, goodbye."}]},
            "position": {"x": 600, "y": 200},
        },
        {
            "id": "end_answering_machine",
            "type": "end",
            "outcome": "answering_machine",
            "position": {"x": 300, "y": 300},
        },
        {
            "id": "end_no_response",
            "type": "end",
            "outcome": "no_response",
            "prompt": {"variants": [{"id": "a", "text": "Goodbye."}]},
            "position": {"x": 300, "y": 400},
        },
    ],
}

DAY_ONE = "2026-03-02T09:00:00+00:00"
DAY_TWO = "2026-03-03T15:00:00+00:00"

# What a caller does: the turns and the prompt they hang up in.
BEHAVIOURS = {
    "hangs_up_in_greeting": {"turns": [], "hangup_after": 1},
    "hangs_up_in_offer": {"turns": ["yes"], "hangup_after": 2},
    "transferred": {"turns": ["yes", "yes"]},
    "refuses": {"turns": ["yes", "no"]},
    "answering_machine": {"turns": ["you have reached the voicemail of"]},
}

# 2500 calls: 66% hang up during the greeting, 78% of the other 850 hear
# the offer out (663), 3.4% of all calls are transferred (85). Per cell of
# (segment, greeting variant): how many calls do what.
POPULATION = {
    ("active", "a"): {"hangs_up_in_greeting": 460, "hangs_up_in_offer": 50,
                      "transferred": 30, "refuses": 160},
    ("active", "b"): {"hangs_up_in_greeting": 400, "hangs_up_in_offer": 45,
                      "transferred": 20, "refuses": 135},
    ("inactive", "a"): {"hangs_up_in_greeting": 430, "hangs_up_in_offer": 50,
                        "transferred": 20, "refuses": 150},
    ("inactive", "b"): {"hangs_up_in_greeting": 360, "hangs_up_in_offer": 42,
                        "transferred": 15, "refuses": 133},
}  # fmt: skip


@pytest.fixture
def team(db):
    return Team.objects.create(slug="acme", name="Acme Bank")


@pytest.fixture
def other_team(db):
    return Team.objects.create(slug="globex", name="Globex Bank")


@pytest.fixture
def version(team):
    script = services.script_create(
        team=team, slug="card", name="Card offer", language="en", document=DOCUMENT
    )
    return services.script_publish(script=script, author=None)


def call_ids_drawing(segment: str, variant: str, count: int, prefix: str):
    """``count`` call ids for which the engine draws ``variant`` of the
    greeting for a contact of ``segment`` (the draw hashes the call id)."""
    pool = compile_script(DOCUMENT).plans["greeting"].pool_for(segment)
    found, n = [], 0
    while len(found) < count:
        call_id = f"{prefix}-{n}"
        if pool.draw(call_id, "greeting").id == variant:
            found.append(call_id)
        n += 1
    return found


def simulate(tmp_path, calls: list[dict]) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in calls), encoding="utf-8")
    call_command("simulate_calls", str(path), "--quiet", stdout=io.StringIO())


def population_calls(population=POPULATION, *, started_at=(DAY_ONE, DAY_TWO)):
    """The calls of ``population``, alternating between two days."""
    calls = []
    for (segment, variant), behaviours in population.items():
        total = sum(behaviours.values())
        ids = iter(call_ids_drawing(segment, variant, total, f"{segment}-{variant}"))
        for behaviour, count in behaviours.items():
            for _ in range(count):
                calls.append(
                    {
                        "script": "card",
                        "segment": segment,
                        "call_id": next(ids),
                        "started_at": started_at[len(calls) % len(started_at)],
                        "timezone": "Europe/Moscow",
                        **BEHAVIOURS[behaviour],
                    }
                )
    return calls


@pytest.fixture
def population(version, tmp_path):
    simulate(tmp_path, population_calls())
    return version
