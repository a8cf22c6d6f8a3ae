"""The demo credit-card script, end to end, with the real intent matcher.

The other engine tests use exact phrases; these check that the engine and
``nlu.matcher`` fit together on a whole script.
"""

import json
from pathlib import Path

import pytest

from runtime.engine import Dtmf, compile_script
from runtime.engine.harness import ScriptHarness

pytest.importorskip("nlu.matcher")

DEMO = (
    Path(__file__).resolve().parents[2] / "designer" / "demo" / "bank-card-offer.json"
)
CONTACT = {"name": "Анна", "limit": "150 000"}


@pytest.fixture(scope="module")
def script():
    return compile_script(json.loads(DEMO.read_text(encoding="utf-8")))


def _call(script, *turns, segment="active"):
    h = ScriptHarness(script, segment=segment, variables=CONTACT, call_id="demo-1")
    h.start()
    h.run(*turns)
    return h


def test_a_caller_who_agrees_is_transferred_with_a_summary(script):
    h = _call(script, "алло", "да, это я", "да, давайте")

    assert h.path == [
        "greeting",
        "check_person",
        "disclaimer",
        "offer",
        "say_connect",
        "transfer",
    ]
    assert h.outcome == "transfer"
    assert h.ending.target == "operators-cards"
    assert h.ending.summary.startswith(
        "Анна, сегмент active, одобренный лимит 150 000 ₽."
    )
    assert h.variant_choices["offer"] == "active"


def test_a_caller_who_asks_to_be_called_back_later_gets_the_time_repeated(script):
    h = _call(script, "слушаю", "да", "перезвоните мне завтра после пяти")

    assert h.outcome == "callback"
    assert "завтра после пяти" in h.prompts[-1]
    assert h.ending.context["callback_time"] == "завтра после пяти"


def test_an_answering_machine_greeting_ends_the_call(script):
    h = _call(script, "вы позвонили абоненту, оставьте сообщение после сигнала")

    assert h.outcome == "answering_machine"


def test_an_objection_and_a_digit(script):
    h = _call(script, "кто это", "да", "у меня уже есть карта", Dtmf("2"))

    assert "obj_already_have" in h.path
    assert h.outcome == "refusal"


def test_hold_on_and_repeat_keep_the_caller_at_the_offer(script):
    h = _call(script, "алло", "да", "подождите минутку", "повторите, пожалуйста")

    assert h.node == "offer"
    assert h.events("node_entered")[-1].node == "offer"
    offers = [p for p in h.prompts if p.startswith("Анна, вы давно")]
    assert len(offers) == 2
