"""The ``amd_question`` node: a human, an answering machine, or unsure.

At an ``amd_question`` an answer goes, in this order, to: the node's own
intent route; ``machine`` if the answer is an answering-machine phrase or
one was heard earlier in the call; a global route; ``human`` for any other
recognised intent; the built-ins. An answer not understood and silence
use the node's reprompts first, then take ``unsure`` (or, without one,
the ``no_match`` / ``no_input`` route).
"""

from unittest.mock import ANY

import pytest

from runtime.engine import HangUp, Listen, Say
from runtime.engine.harness import ScriptHarness

from .conftest import end, graph, prompt

DOCUMENT = graph(
    {
        "id": "greeting",
        "type": "greeting",
        "prompt": prompt("Здравствуйте!"),
        "routes": [
            {"intent": "yes", "to": "amd"},
            {"event": "no_input", "to": "amd"},
            {"event": "no_match", "to": "amd"},
        ],
    },
    {
        "id": "amd",
        "type": "amd_question",
        "prompt": prompt("Вам удобно говорить?"),
        "reprompts": {"no_input": ["Алло? Скажите «да», если слышите."]},
        "routes": [
            {"intent": "no", "to": "end_callback"},
            {"event": "human", "to": "offer"},
            {"event": "machine", "to": "end_machine"},
            {"event": "unsure", "to": "end_unsure"},
        ],
    },
    {
        "id": "offer",
        "type": "offer",
        "prompt": prompt("Оформим карту?"),
        "routes": [
            {"event": "no_input", "to": "end_no_response"},
            {"event": "no_match", "to": "end_no_response"},
        ],
    },
    end("end_callback", "callback"),
    end("end_machine", "answering_machine"),
    end("end_unsure", "no_response", "Перезвоним позже."),
    end("end_no_response", "no_response"),
    end("end_dnc", "do_not_call"),
    global_routes=[{"intent": "do_not_call", "to": "end_dnc"}],
)


@pytest.fixture
def h(matcher):
    """A call that has reached the amd question with a clear "да"."""
    harness = ScriptHarness(DOCUMENT, matcher=matcher)
    harness.start()
    harness.say("да")
    return harness


def _trigger(h):
    return h.events("node_entered")[-1].data["trigger"]


def test_the_amd_question_is_asked_and_listened_for(h):
    assert h.last == [
        Say("amd", "Вам удобно говорить?", "a", True, None),
        Listen("amd", 5.0, 0.8),
    ]


@pytest.mark.parametrize("answer", ["да", "кто это", "а какая карта"])
def test_any_recognised_intent_is_a_human(h, answer):
    assert h.say(answer) == [
        Say("offer", "Оформим карту?", "a", True, None),
        Listen("offer", 5.0, 0.8),
    ]
    assert _trigger(h) == "event:human"


def test_the_question_is_matched_against_every_intent(h, matcher):
    h.say("а какая карта")

    assert matcher.calls[-1] == ("а какая карта", None)


def test_an_answering_machine_phrase_is_a_machine(h):
    assert h.say("оставьте сообщение после сигнала") == [
        HangUp("end_machine", "answering_machine", ANY)
    ]
    assert _trigger(h) == "event:machine"
    assert h.call.machine_heard


def test_a_machine_heard_earlier_makes_any_answer_a_machine(matcher):
    h = ScriptHarness(DOCUMENT, matcher=matcher)
    h.start()
    h.say("оставьте сообщение после сигнала")  # a no_match at the greeting

    h.say("да")

    assert h.path == ["greeting", "amd", "end_machine"]
    assert h.outcome == "answering_machine"


def test_a_machine_heard_earlier_makes_silence_a_machine(matcher):
    h = ScriptHarness(DOCUMENT, matcher=matcher)
    h.start()
    h.say("оставьте сообщение после сигнала")

    h.silence()

    assert h.outcome == "answering_machine"


def test_the_node_own_intent_route_comes_before_human_and_machine(matcher):
    h = ScriptHarness(DOCUMENT, matcher=matcher)
    h.start()
    h.say("оставьте сообщение после сигнала")

    h.say("нет")

    assert h.node == "end_callback"


def test_a_global_route_comes_before_human(h):
    h.say("не звоните мне")

    assert h.outcome == "do_not_call"


def test_an_answer_not_understood_is_unsure_when_no_reprompt_is_left(h):
    assert h.say("абракадабра") == [
        Say("end_unsure", "Перезвоним позже.", "a", True, None),
        HangUp("end_unsure", "no_response", ANY),
    ]
    assert _trigger(h) == "event:unsure"
    assert [e.data for e in h.events("no_match")] == [
        {"attempt": 1, "text": "абракадабра"}
    ]


def test_silence_is_unsure_after_the_reprompts(h):
    first = h.silence()
    h.silence()

    assert first == [
        Say("amd", "Алло? Скажите «да», если слышите.", "no_input.1", True, None),
        Listen("amd", 5.0, 0.8),
    ]
    assert h.node == "end_unsure"
    assert _trigger(h) == "event:unsure"


def test_the_nodes_own_no_match_route_comes_before_unsure(matcher):
    document = DOCUMENT | {
        "nodes": [
            n | {"routes": n["routes"] + [{"event": "no_match", "to": "end_no_response"}]}
            if n["id"] == "amd"
            else n
            for n in DOCUMENT["nodes"]
        ]
    }
    h = ScriptHarness(document, matcher=matcher)
    h.start()
    h.say("да")

    h.say("абракадабра")

    assert h.node == "end_no_response"
    assert _trigger(h) == "event:no_match"


def test_a_global_no_match_route_does_not_apply_at_the_amd_question(matcher):
    document = DOCUMENT | {
        "global_routes": DOCUMENT["global_routes"]
        + [{"event": "no_match", "to": "end_no_response"}]
    }
    h = ScriptHarness(document, matcher=matcher)
    h.start()
    h.say("да")

    h.say("абракадабра")

    assert h.node == "end_unsure"


def test_repeat_at_the_amd_question_is_a_human(h):
    h.say("повторите")

    assert h.node == "offer"


def test_an_answering_machine_phrase_elsewhere_only_marks_the_call(matcher):
    h = ScriptHarness(DOCUMENT, matcher=matcher)
    h.start()
    h.say("да")
    h.say("да")

    h.say("оставьте сообщение после сигнала")

    assert h.node == "end_no_response"  # the offer's no_match route
    assert h.call.machine_heard
    assert h.ending.context["answering_machine_heard"] is True
