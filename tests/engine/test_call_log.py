"""The call's life: what it logs and when, hang-ups, batching the log,
and misuse by the code that drives it."""

import pytest

from runtime.engine import (
    CallEnded,
    CallNotStarted,
    Contact,
    EngineError,
    LogEvent,
    compile_script,
)
from runtime.engine.harness import ScriptHarness

from .conftest import end, graph, prompt

DOCUMENT = graph(
    {
        "id": "greeting",
        "type": "greeting",
        "prompt": prompt("Здравствуйте!"),
        "reprompts": {"no_input": ["Алло?"]},
        "routes": [
            {"intent": "yes", "to": "transfer"},
            {"dtmf": "1", "to": "transfer"},
            {"event": "no_input", "to": "bye"},
            {"event": "no_match", "to": "bye"},
        ],
    },
    {
        "id": "transfer",
        "type": "target_action",
        "outcome": "transfer",
        "prompt": prompt("Соединяю."),
        "transfer": {"target": "ops", "summary": "Согласен"},
    },
    end("bye", "no_response"),
)


@pytest.fixture
def h(matcher):
    harness = ScriptHarness(DOCUMENT, matcher=matcher)
    harness.start()
    return harness


def test_a_whole_call_is_logged_in_order_with_clock_offsets(h):
    h.advance(3.5)
    h.silence()
    h.advance(2.0)
    h.press("7")

    assert [(e.kind, e.node, e.offset, e.data) for e in h.log] == [
        ("node_entered", "greeting", 0.0, {"from": None, "trigger": "start"}),
        (
            "prompt_played",
            "greeting",
            0.0,
            {
                "variant": "a",
                "text": "Здравствуйте!",
                "segment": None,
                "barge_in": True,
            },
        ),
        ("no_input", "greeting", 3.5, {"attempt": 1}),
        (
            "prompt_played",
            "greeting",
            3.5,
            {
                "variant": "no_input.1",
                "text": "Алло?",
                "segment": None,
                "barge_in": True,
            },
        ),
        ("dtmf", "greeting", 5.5, {"digit": "7"}),
        ("no_match", "greeting", 5.5, {"attempt": 1, "text": ""}),
        ("node_entered", "bye", 5.5, {"from": "greeting", "trigger": "event:no_match"}),
        ("call_ended", "bye", 5.5, {"outcome": "no_response"}),
    ]


def test_the_log_holds_log_events(h):
    assert all(isinstance(e, LogEvent) for e in h.log)


def test_a_hang_up_during_a_prompt_ends_the_call_as_dropped(h):
    h.advance(1.5)

    assert h.hang_up(during_prompt=True, heard=1.2) == []
    assert h.finished and h.outcome == "dropped"
    assert h.node == "greeting"
    assert [(e.kind, e.node, e.offset, e.data) for e in h.log[-2:]] == [
        ("hangup", "greeting", 1.5, {"during_prompt": True, "heard": 1.2}),
        ("call_ended", "greeting", 1.5, {"outcome": "dropped"}),
    ]


def test_a_hang_up_while_listening_is_logged_without_heard(h):
    h.silence()

    h.hang_up()

    assert [(e.kind, e.data) for e in h.log[-2:]] == [
        ("hangup", {"during_prompt": False, "heard": None}),
        ("call_ended", {"outcome": "dropped"}),
    ]


def test_an_event_after_the_end_raises_call_ended(h):
    h.say("да")

    with pytest.raises(CallEnded) as raised:
        h.say("да")

    assert str(raised.value) == (
        "call harness-call has ended (transfer) at node 'transfer'; "
        "it takes no more events"
    )


def test_a_hang_up_after_a_hang_up_raises_call_ended(h):
    h.hang_up()

    with pytest.raises(CallEnded):
        h.hang_up()


def test_events_before_start_and_a_second_start_are_refused(matcher):
    call = compile_script(DOCUMENT, matcher=matcher).start_call(
        call_id="c-1", contact=Contact()
    )

    with pytest.raises(CallNotStarted, match="call start"):
        call.handle(None)
    call.start()
    with pytest.raises(EngineError, match="already started"):
        call.start()


def test_an_unknown_event_is_a_type_error(h):
    with pytest.raises(TypeError, match="events are Utterance, NoInput, Dtmf"):
        h.call.handle("да")


def test_drain_log_returns_the_new_events_and_clears_them(h):
    first = h.call.drain_log()
    h.silence()
    second = h.call.drain_log()

    assert [e.kind for e in first] == ["node_entered", "prompt_played"]
    assert [e.kind for e in second] == ["no_input", "prompt_played"]
    assert h.call.drain_log() == []
    assert h.log == []


def test_drained_batches_add_up_to_the_whole_log(matcher):
    batched = ScriptHarness(DOCUMENT, matcher=matcher)
    whole = ScriptHarness(DOCUMENT, matcher=matcher)
    events = []
    for harness in (batched, whole):
        harness.start()
        events += batched.call.drain_log()
        harness.silence()
        events += batched.call.drain_log()
        harness.say("да")
    events += batched.call.drain_log()

    assert events == whole.log


def test_calls_of_one_compiled_script_do_not_share_state(matcher):
    script = compile_script(DOCUMENT, matcher=matcher)
    first = ScriptHarness(script, call_id="c-1")
    second = ScriptHarness(script, call_id="c-2")
    first.start()
    second.start()

    first.silence()
    second.say("да")

    assert first.node == "greeting" and not first.finished
    assert second.outcome == "transfer"
    assert [e.kind for e in first.events("no_input")] == ["no_input"]
    assert second.events("no_input") == []


def test_the_default_clock_counts_real_seconds_from_the_call_creation(matcher):
    call = compile_script(DOCUMENT, matcher=matcher).start_call(
        call_id="c-1", contact=Contact()
    )
    call.start()

    assert 0.0 <= call.log[0].offset < 1.0


def test_a_hang_up_during_a_chained_prompt_is_logged_at_that_prompts_node():
    from runtime.engine import CallerHangup, Contact, Say, compile_script

    document = {
        "format": "outcall-graph",
        "format_version": 1,
        "language": "ru",
        "start": "notice",
        "nodes": [
            {"id": "notice", "type": "say",
             "prompt": {"variants": [{"id": "n", "text": "Разговор записывается."}]},
             "routes": [{"event": "next", "to": "ask"}]},
            {"id": "ask", "type": "question",
             "prompt": {"variants": [{"id": "q", "text": "Вам удобно говорить?"}]},
             "routes": [{"event": "no_input", "to": "bye"}, {"event": "no_match", "to": "bye"}]},
            {"id": "bye", "type": "end", "outcome": "no_response"},
        ],
    }
    call = compile_script(document).start_call(call_id="chain-1", contact=Contact())
    said = [a.node for a in call.start() if isinstance(a, Say)]

    call.handle(CallerHangup(during_prompt=True, heard=0.7, node="notice"))

    assert said == ["notice", "ask"]
    hangup, ended = [e for e in call.log if e.kind in ("hangup", "call_ended")]
    assert (hangup.node, hangup.data) == ("notice", {"during_prompt": True, "heard": 0.7})
    assert (ended.node, ended.data) == ("notice", {"outcome": "dropped"})
    assert call.node == "notice" and call.outcome == "dropped"
