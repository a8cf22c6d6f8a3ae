"""Listening nodes: routes by intent, DTMF and event, global routes,
reprompts, and the built-in ``repeat`` and ``hold_on``."""

from unittest.mock import ANY

import pytest

from runtime.engine import HangUp, Listen, Say
from runtime.engine.harness import ScriptHarness

from .conftest import end, graph, prompt

DOCUMENT = graph(
    {
        "id": "greeting",
        "type": "greeting",
        "prompt": prompt("Здравствуйте, {{ name }}!"),
        "no_input_timeout": 4,
        "endpoint_silence": 0.7,
        "reprompts": {
            "no_input": ["Алло, вы меня слышите?", "{{ name }}, вас не слышно."],
            "no_match": ["Простите, не расслышала."],
        },
        "routes": [
            {"intent": "yes", "to": "offer"},
            {"dtmf": "1", "to": "offer"},
            {"intent": "no", "to": "end_wrong_person"},
            {"event": "no_input", "to": "end_no_response"},
            {"event": "no_match", "to": "end_handoff"},
        ],
    },
    {
        "id": "offer",
        "type": "offer",
        "prompt": prompt("Карта с лимитом {{ limit }} рублей. Оформим?"),
        "barge_in": False,
        "reprompts": {"no_input": ["Алло?"]},
        "routes": [
            {"intent": "yes", "to": "end_callback"},
            {"event": "no_input", "to": "end_no_response"},
        ],
    },
    end("end_wrong_person", "wrong_person", "Извините, ошиблась номером."),
    end("end_refusal", "refusal", "Поняла, всего доброго."),
    end("end_dnc", "do_not_call", "Больше не позвоним."),
    end("end_no_response", "no_response", "Вас не слышно, перезвоним."),
    end("end_handoff", "callback", "Перезвоним вам позже."),
    end("end_callback", "callback", "Специалист перезвонит."),
    global_routes=[
        {"intent": "do_not_call", "to": "end_dnc"},
        {"intent": "no", "to": "end_refusal"},
        {"dtmf": "0", "to": "end_dnc"},
        {"event": "no_match", "to": "end_handoff"},
    ],
)
CONTACT = {"name": "Анна", "limit": "150 000"}

GREETING = Say("greeting", "Здравствуйте, Анна!", "a", True, None)
LISTEN_GREETING = Listen("greeting", 4.0, 0.7)
OFFER = Say("offer", "Карта с лимитом 150 000 рублей. Оформим?", "a", False, None)
LISTEN_OFFER = Listen("offer", 5.0, 0.8)


@pytest.fixture
def h(matcher):
    harness = ScriptHarness(DOCUMENT, variables=CONTACT, matcher=matcher)
    harness.start()
    return harness


def test_start_says_the_greeting_and_listens(matcher):
    h = ScriptHarness(DOCUMENT, variables=CONTACT, matcher=matcher)

    assert h.start() == [GREETING, LISTEN_GREETING]
    assert h.node == "greeting"
    assert h.path == ["greeting"]


def test_yes_at_the_greeting_goes_to_the_offer(h):
    assert h.say("да") == [OFFER, LISTEN_OFFER]
    assert h.path == ["greeting", "offer"]
    assert h.events("node_entered")[-1].data == {
        "from": "greeting",
        "trigger": "intent:yes",
    }


def test_a_dtmf_digit_takes_the_node_dtmf_route(h):
    assert h.press("1") == [OFFER, LISTEN_OFFER]
    assert [e.data for e in h.events("dtmf")] == [{"digit": "1"}]
    assert h.events("node_entered")[-1].data["trigger"] == "dtmf:1"


def test_a_global_route_is_taken_at_any_listening_node(h):
    h.say("да")

    assert h.say("не звоните мне") == [
        Say("end_dnc", "Больше не позвоним.", "a", True, None),
        HangUp("end_dnc", "do_not_call", ANY),
    ]
    assert h.outcome == "do_not_call"


def test_the_node_route_beats_a_global_route_for_the_same_intent(matcher):
    at_greeting = ScriptHarness(DOCUMENT, variables=CONTACT, matcher=matcher)
    at_greeting.start()
    at_greeting.say("нет")
    at_offer = ScriptHarness(DOCUMENT, variables=CONTACT, matcher=matcher)
    at_offer.start()
    at_offer.say("да")
    at_offer.say("нет")

    assert at_greeting.outcome == "wrong_person"
    assert at_offer.outcome == "refusal"


def test_a_global_dtmf_route_is_taken_when_the_node_has_none(h):
    h.press("0")

    assert h.node == "end_dnc"


def test_a_digit_without_a_route_is_a_no_match(h):
    assert h.press("5") == [
        Say("greeting", "Простите, не расслышала.", "no_match.1", True, None),
        LISTEN_GREETING,
    ]
    assert [e.data for e in h.events("no_match")] == [{"attempt": 1, "text": ""}]


def test_silence_reprompts_twice_then_takes_the_no_input_route(h):
    first = h.silence()
    second = h.silence()
    third = h.silence()

    assert first == [
        Say("greeting", "Алло, вы меня слышите?", "no_input.1", True, None),
        LISTEN_GREETING,
    ]
    assert second == [
        Say("greeting", "Анна, вас не слышно.", "no_input.2", True, None),
        LISTEN_GREETING,
    ]
    assert third == [
        Say("end_no_response", "Вас не слышно, перезвоним.", "a", True, None),
        HangUp("end_no_response", "no_response", ANY),
    ]
    assert [e.data for e in h.events("no_input")] == [
        {"attempt": 1},
        {"attempt": 2},
        {"attempt": 3},
    ]


def test_an_unrecognised_answer_reprompts_then_takes_the_no_match_route(h):
    first = h.say("абракадабра")
    second = h.say("что-что")

    assert first == [
        Say("greeting", "Простите, не расслышала.", "no_match.1", True, None),
        LISTEN_GREETING,
    ]
    assert second == [
        Say("end_handoff", "Перезвоним вам позже.", "a", True, None),
        HangUp("end_handoff", "callback", ANY),
    ]
    assert [e.data for e in h.events("no_match")] == [
        {"attempt": 1, "text": "абракадабра"},
        {"attempt": 2, "text": "что-что"},
    ]
    assert h.events("node_entered")[-1].data["trigger"] == "event:no_match"


def test_an_event_route_can_come_from_the_global_routes(h):
    h.say("да")

    h.say("абракадабра")

    assert h.node == "end_handoff"


def test_silence_and_unrecognised_answers_count_separately(h):
    assert h.silence()[0].variant == "no_input.1"
    assert h.say("абракадабра")[0].variant == "no_match.1"
    assert h.silence()[0].variant == "no_input.2"


def test_counters_start_again_when_a_node_is_entered(h):
    h.silence()
    h.say("да")

    assert h.silence() == [
        Say("offer", "Алло?", "no_input.1", False, None),
        LISTEN_OFFER,
    ]
    assert h.silence()[-1] == HangUp("end_no_response", "no_response", ANY)


def test_repeat_says_the_prompt_again_and_listens(h):
    h.say("да")

    assert h.say("повторите") == [OFFER, LISTEN_OFFER]
    assert h.node == "offer"
    assert h.events("no_match") == []
    assert len(h.events("prompt_played")) == 3


def test_repeat_after_a_reprompt_says_the_prompt_not_the_reprompt(h):
    h.silence()

    assert h.say("повторите") == [GREETING, LISTEN_GREETING]
    # The silence counter goes on: the next silence gets the second reprompt.
    assert h.silence()[0].variant == "no_input.2"


def test_a_node_that_routes_repeat_itself_takes_its_route(matcher):
    document = graph(
        {
            "id": "question",
            "type": "question",
            "prompt": prompt("Вопрос?"),
            "routes": [
                {"intent": "repeat", "to": "end_refusal"},
                {"event": "no_input", "to": "end_refusal"},
                {"event": "no_match", "to": "end_refusal"},
            ],
        },
        end("end_refusal", "refusal"),
    )
    h = ScriptHarness(document, matcher=matcher)
    h.start()

    h.say("повторите")

    assert h.outcome == "refusal"


def test_hold_on_waits_longer_once_then_as_usual(h):
    h.say("да")

    assert h.say("минутку") == [Listen("offer", 15.0, 0.8)]
    assert h.say("минутку") == [Listen("offer", 5.0, 0.8)]
    assert h.node == "offer"
    assert h.events("no_match") == []


def test_silence_after_hold_on_reprompts_as_usual(h):
    h.say("минутку")

    assert h.silence()[0].variant == "no_input.1"


def test_a_very_low_asr_confidence_is_a_no_match_without_matching(h, matcher):
    matcher.calls.clear()

    actions = h.say("да", confidence=0.1)

    assert actions[0].variant == "no_match.1"
    assert matcher.calls == []
    assert h.events("utterance")[-1].data == {
        "text": "да",
        "intent": None,
        "confidence": 0.0,
        "asr_confidence": 0.1,
    }


def test_an_utterance_is_logged_with_intent_and_both_confidences(h):
    h.say("да", confidence=0.8)

    assert h.events("utterance")[0].data == {
        "text": "да",
        "intent": "yes",
        "confidence": 0.9,
        "asr_confidence": 0.8,
    }


def test_the_matcher_is_asked_for_routed_and_engine_intents_only(h, matcher):
    matcher.calls.clear()

    h.say("алло")

    assert matcher.calls == [
        ("алло", ("answering_machine", "do_not_call", "hold_on", "no", "repeat", "yes"))
    ]


def test_a_matcher_that_fails_is_logged_and_taken_as_a_no_match(h, matcher, caplog):
    def broken(text, candidates=None):
        raise RuntimeError("index corrupted")

    matcher.match = broken

    assert h.say("да")[0].variant == "no_match.1"
    assert caplog.records[-1].getMessage() == (
        "harness-call: the matcher failed on 'да' at node greeting"
    )
    assert caplog.records[-1].exc_info is not None
