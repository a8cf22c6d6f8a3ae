"""Say nodes chain on at once; target_action and end nodes end the call."""

from unittest.mock import ANY

import pytest

from runtime.engine import (
    CallEnded,
    Contact,
    HangUp,
    Listen,
    Say,
    ScriptLoopError,
    Transfer,
    compile_script,
)
from runtime.engine.harness import ScriptHarness

from .conftest import end, graph, prompt


def _question(node_id, text, yes_to):
    return {
        "id": node_id,
        "type": "question",
        "prompt": prompt(text),
        "routes": [
            {"intent": "yes", "to": yes_to},
            {"event": "no_input", "to": "end_no_response"},
            {"event": "no_match", "to": "end_no_response"},
        ],
    }


CHAIN = graph(
    _question("greeting", "Здравствуйте!", "disclaimer"),
    {
        "id": "disclaimer",
        "type": "say",
        "prompt": prompt("Разговор записывается."),
        "routes": [{"event": "next", "to": "about"}],
    },
    {
        "id": "about",
        "type": "say",
        "prompt": prompt("Я помощник банка."),
        "barge_in": False,
        "routes": [{"event": "next", "to": "offer"}],
    },
    _question("offer", "Оформим карту?", "transfer"),
    {
        "id": "transfer",
        "type": "target_action",
        "outcome": "transfer",
        "prompt": prompt("Соединяю со специалистом."),
        "transfer": {
            "target": "operators-cards",
            "summary": "{{ name }} ({{ segment }}), лимит {{ limit }}. "
            "Сказал: «{{ last_utterance }}».",
        },
    },
    end("end_no_response", "no_response"),
)


def test_say_nodes_chain_into_the_next_listening_node(matcher):
    h = ScriptHarness(CHAIN, matcher=matcher)
    h.start()

    assert h.say("да") == [
        Say("disclaimer", "Разговор записывается.", "a", True, None),
        Say("about", "Я помощник банка.", "a", False, None),
        Say("offer", "Оформим карту?", "a", True, None),
        Listen("offer", 5.0, 0.8),
    ]
    assert h.path == ["greeting", "disclaimer", "about", "offer"]
    assert [e.data["trigger"] for e in h.events("node_entered")] == [
        "start",
        "intent:yes",
        "event:next",
        "event:next",
    ]


def test_a_call_may_start_at_a_say_node(matcher):
    h = ScriptHarness(CHAIN | {"start": "about"}, matcher=matcher)

    assert h.start() == [
        Say("about", "Я помощник банка.", "a", False, None),
        Say("offer", "Оформим карту?", "a", True, None),
        Listen("offer", 5.0, 0.8),
    ]


def test_a_target_action_transfers_with_the_rendered_summary_and_context(matcher):
    h = ScriptHarness(
        CHAIN,
        matcher=matcher,
        segment="active",
        phone="+79990001122",
        call_id="c-42",
        variables={"name": "Анна", "limit": "150 000"},
    )
    h.start()
    h.say("да")

    actions = h.say("да")

    assert actions == [
        Say("transfer", "Соединяю со специалистом.", "a", True, None),
        Transfer(
            "transfer",
            "operators-cards",
            "Анна (active), лимит 150 000. Сказал: «да».",
            {
                "call_id": "c-42",
                "phone": "+79990001122",
                "segment": "active",
                "variables": {"name": "Анна", "limit": "150 000"},
                "intents_heard": ["yes"],
                "path": ["greeting", "disclaimer", "about", "offer", "transfer"],
                "callback_time": None,
                "last_utterance": "да",
                "answering_machine_heard": False,
            },
        ),
    ]
    assert h.finished and h.outcome == "transfer"
    assert [(e.kind, e.data) for e in h.log[-2:]] == [
        ("target_reached", {"target": "operators-cards", "outcome": "transfer"}),
        ("call_ended", {"outcome": "transfer"}),
    ]


def test_a_target_action_without_a_prompt_only_transfers(matcher):
    document = graph(
        {
            "id": "transfer",
            "type": "target_action",
            "outcome": "transfer",
            "transfer": {"target": "ops"},
        }
    )
    h = ScriptHarness(document, matcher=matcher)

    assert h.start() == [Transfer("transfer", "ops", "", ANY)]


def test_a_target_action_with_another_outcome_hangs_up(matcher):
    document = graph(
        {
            "id": "book_callback",
            "type": "target_action",
            "outcome": "callback",
            "prompt": prompt("Записала, перезвоним."),
        }
    )
    h = ScriptHarness(document, matcher=matcher)

    assert h.start() == [
        Say("book_callback", "Записала, перезвоним.", "a", True, None),
        HangUp("book_callback", "callback", ANY),
    ]
    assert h.events("target_reached")[0].data == {"target": None, "outcome": "callback"}


@pytest.mark.parametrize(
    "outcome",
    [
        "callback",
        "refusal",
        "answering_machine",
        "wrong_person",
        "do_not_call",
        "no_response",
    ],
)
def test_an_end_node_hangs_up_with_its_outcome(matcher, outcome):
    document = graph(
        _question("greeting", "Здравствуйте!", "bye"),
        end("bye", outcome, "До свидания."),
        end("end_no_response", "no_response"),
    )
    h = ScriptHarness(document, matcher=matcher)
    h.start()

    assert h.say("да") == [
        Say("bye", "До свидания.", "a", True, None),
        HangUp("bye", outcome, ANY),
    ]
    assert h.outcome == outcome
    assert h.events("target_reached") == []
    assert h.log[-1].kind == "call_ended"
    assert h.log[-1].node == "bye"
    assert h.log[-1].data == {"outcome": outcome}


def test_an_end_node_without_a_prompt_only_hangs_up(matcher):
    h = ScriptHarness(graph(end("bye", "refusal")), matcher=matcher)

    assert h.start() == [HangUp("bye", "refusal", ANY)]


def test_the_hangup_context_is_the_call_context(matcher):
    document = graph(
        _question("greeting", "Здравствуйте!", "bye"),
        end("bye", "refusal"),
        end("end_no_response", "no_response"),
    )
    h = ScriptHarness(document, matcher=matcher, call_id="c-7", phone="+7999")
    h.start()

    hangup = h.say("да")[-1]

    assert hangup.context == {
        "call_id": "c-7",
        "phone": "+7999",
        "segment": "",
        "variables": {},
        "intents_heard": ["yes"],
        "path": ["greeting", "bye"],
        "callback_time": None,
        "last_utterance": "да",
        "answering_machine_heard": False,
    }


def test_a_loop_of_say_nodes_raises_instead_of_spinning(matcher, caplog):
    document = graph(
        {
            "id": "a",
            "type": "say",
            "prompt": prompt("А"),
            "routes": [{"event": "next", "to": "b"}],
        },
        {
            "id": "b",
            "type": "say",
            "prompt": prompt("Б"),
            "routes": [{"event": "next", "to": "a"}],
        },
    )
    script = compile_script(document, matcher=matcher)
    call = script.start_call(call_id="c-loop", contact=Contact())

    loop = r"^c-loop: more than 3 nodes entered in one turn \(a -> b -> a\)"
    with pytest.raises(ScriptLoopError, match=loop):
        call.start()

    assert call.finished and call.outcome is None
    assert caplog.records[-1].getMessage().startswith("c-loop: more than 3 nodes")
    with pytest.raises(CallEnded):
        call.handle(None)
