"""Templates at run time: the variables a prompt sees, the callback time
slot, and what happens when a template fails during a call."""

import logging
from unittest.mock import ANY

import pytest

from runtime.engine import HangUp, Listen, Say, Transfer
from runtime.engine.harness import ScriptHarness

from .conftest import end, graph, prompt

NO_WAY_OUT = [
    {"event": "no_input", "to": "bye"},
    {"event": "no_match", "to": "bye"},
]


def _one_question(variants, reprompts=None, routes=()):
    return graph(
        {
            "id": "question",
            "type": "question",
            "prompt": {"variants": variants},
            "reprompts": reprompts or {},
            "routes": list(routes) + NO_WAY_OUT,
        },
        end("bye", "refusal"),
    )


CALLBACK = graph(
    {
        "id": "offer",
        "type": "offer",
        "prompt": prompt("Оформим карту?"),
        "routes": [{"intent": "yes", "to": "transfer"}] + NO_WAY_OUT,
    },
    {
        "id": "end_callback",
        "type": "end",
        "outcome": "callback",
        "prompt": prompt(
            "Хорошо, {% if callback_time %}перезвоним {{ callback_time }}"
            "{% else %}перезвоним позже{% endif %}."
        ),
    },
    {
        "id": "transfer",
        "type": "target_action",
        "outcome": "transfer",
        "transfer": {"target": "ops", "summary": "Перезвонить: {{ callback_time }}"},
    },
    end("bye", "refusal"),
    global_routes=[{"intent": "busy_callback", "to": "end_callback"}],
)


def test_the_callback_time_goes_into_the_prompt_and_the_context(matcher):
    h = ScriptHarness(CALLBACK, matcher=matcher)
    h.start()

    actions = h.say("перезвоните завтра после пяти")

    assert actions == [
        Say("end_callback", "Хорошо, перезвоним завтра после пяти.", "a", True, None),
        HangUp("end_callback", "callback", ANY),
    ]
    assert actions[-1].context["callback_time"] == "завтра после пяти"


def test_a_callback_without_a_time_leaves_it_empty(matcher):
    h = ScriptHarness(CALLBACK, matcher=matcher)
    h.start()

    actions = h.say("я занят")

    assert actions[0].text == "Хорошо, перезвоним позже."
    assert actions[-1].context["callback_time"] is None


def test_the_callback_time_goes_into_the_transfer_summary(matcher):
    document = CALLBACK | {
        "global_routes": [{"intent": "busy_callback", "to": "transfer"}]
    }
    h = ScriptHarness(document, matcher=matcher)
    h.start()

    assert h.say("перезвоните завтра после пяти") == [
        Transfer("transfer", "ops", "Перезвонить: завтра после пяти", ANY)
    ]


def test_prompts_see_the_contact_and_the_built_in_variables(matcher):
    document = _one_question(
        [
            {
                "id": "a",
                "text": "{{ name }} {{ phone }} {{ segment }} {{ call_id }} "
                "[{{ last_utterance }}] {{ intents_heard | join(',') }}",
            }
        ],
        routes=[{"intent": "repeat", "to": "question"}],
    )
    h = ScriptHarness(
        document,
        matcher=matcher,
        variables={"name": "Анна"},
        phone="+7999",
        segment="active",
        call_id="c-5",
    )

    first = h.start()[0].text
    again = h.say("повторите")[0].text

    assert first == "Анна +7999 active c-5 []"
    assert again == "Анна +7999 active c-5 [повторите] repeat"


def test_a_variant_that_fails_falls_back_to_the_default_and_is_logged(matcher, caplog):
    document = _one_question(
        [
            {"id": "plain", "text": "Здравствуйте!"},
            {"id": "vip", "text": "Здравствуйте, {{ name }}!", "segment": "active"},
        ]
    )
    h = ScriptHarness(document, matcher=matcher, segment="active", call_id="c-11")

    with caplog.at_level(logging.WARNING, logger="outcall.engine"):
        actions = h.start()

    assert actions == [
        Say("question", "Здравствуйте!", "plain", True, None),
        Listen("question", 5.0, 0.8),
    ]
    assert h.variant_choices == {"question": "plain"}
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == (
        "c-11: node question variant vip does not render ('name' is undefined)"
    )
    assert messages[1] == "c-11: node question said variant plain instead of vip"
    assert all(r.name == "outcall.engine" for r in caplog.records)


def test_a_variant_with_broken_syntax_falls_back_too(matcher):
    document = _one_question(
        [
            {"id": "broken", "text": "Здравствуйте, {{ name", "weight": 1},
            {"id": "fine", "text": "Здравствуйте!", "weight": 1e-9},
        ]
    )
    h = ScriptHarness(document, matcher=matcher, call_id="c-1")

    assert h.start()[0] == Say("question", "Здравствуйте!", "fine", True, None)


def test_when_no_variant_renders_the_prompt_is_skipped_and_the_call_goes_on(
    matcher, caplog
):
    document = _one_question([{"id": "a", "text": "{{ name }}, здравствуйте!"}])
    h = ScriptHarness(document, matcher=matcher, call_id="c-12")

    assert h.start() == [Listen("question", 5.0, 0.8)]
    assert h.events("prompt_played") == []
    assert caplog.records[-1].getMessage() == (
        "c-12: node question has no variant that renders; prompt skipped"
    )
    assert h.say("абракадабра")[-1] == HangUp("bye", "refusal", ANY)


def test_a_reprompt_that_fails_is_skipped_but_the_node_listens(matcher):
    document = _one_question(
        [{"id": "a", "text": "Вопрос?"}],
        reprompts={"no_input": ["{{ name }}, вы здесь?"]},
    )
    h = ScriptHarness(document, matcher=matcher)
    h.start()

    assert h.silence() == [Listen("question", 5.0, 0.8)]
    assert h.silence()[-1] == HangUp("bye", "refusal", ANY)


def test_a_summary_that_fails_gives_the_operator_the_plain_facts(matcher, caplog):
    document = graph(
        {
            "id": "transfer",
            "type": "target_action",
            "transfer": {
                "target": "ops",
                "summary": "Клиент {{ name }},   лимит {{ limit }}",
            },
        }
    )
    h = ScriptHarness(
        document, matcher=matcher, call_id="c-13", variables={"name": "Анна"}
    )

    assert h.start() == [Transfer("transfer", "ops", "name: Анна", ANY)]
    assert h.outcome == "transfer"
    assert (
        caplog.records[-1]
        .getMessage()
        .startswith("c-13: transfer summary of node transfer does not render")
    )


def test_a_contact_without_a_variable_the_prompts_use_is_refused():
    from runtime.engine import Contact, ContactError, compile_script

    document = _one_question([{"id": "a", "text": "{{ name }}, вам {{ limit }}"}])
    document["variables"] = {"name": {}, "limit": {}}
    script = compile_script(document)

    with pytest.raises(ContactError) as refused:
        script.start_call(call_id="c-20", contact=Contact(variables={"name": "Анна"}))

    assert refused.value.missing == ["limit"]
    assert str(refused.value) == (
        "the contact lacks variables the script uses: limit "
        "(pass them, or give the variables a default in the script)"
    )


def test_a_variable_with_a_default_may_be_left_out(matcher):
    document = _one_question([{"id": "a", "text": "{{ name }}, здравствуйте!"}])
    document["variables"] = {"name": {"default": "Клиент"}}

    h = ScriptHarness(document, matcher=matcher, call_id="c-21")

    assert h.start()[0] == Say("question", "Клиент, здравствуйте!", "a", True, None)
