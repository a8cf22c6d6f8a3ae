"""Compiling: what the engine refuses to run, and what it builds once per
version."""

import subprocess
import sys
from pathlib import Path

import pytest

from runtime.engine import ScriptCompileError, compile_script

from .conftest import end, graph, prompt

ROOT = Path(__file__).resolve().parents[2]


def _question(node_id="q", routes=None):
    return {
        "id": node_id,
        "type": "question",
        "prompt": prompt("Вопрос?"),
        "routes": routes
        if routes is not None
        else [
            {"event": "no_input", "to": "bye"},
            {"event": "no_match", "to": "bye"},
        ],
    }


def _problems(document, matcher):
    with pytest.raises(ScriptCompileError) as raised:
        compile_script(document, matcher=matcher)
    return raised.value.problems


def test_a_valid_document_compiles(matcher):
    script = compile_script(graph(_question(), end("bye", "refusal")), matcher=matcher)

    assert script.language == "ru"
    assert set(script.plans) == {"q", "bye"}


def test_a_missing_start_node_is_refused(matcher):
    document = graph(_question(), end("bye", "refusal"), start="greeting")

    assert _problems(document, matcher) == ["start node 'greeting' does not exist"]


def test_a_route_to_a_missing_node_is_refused(matcher):
    document = graph(
        _question(
            routes=[
                {"intent": "yes", "to": "offer"},
                {"event": "no_input", "to": "bye"},
                {"event": "no_match", "to": "bye"},
            ]
        ),
        end("bye", "refusal"),
        global_routes=[{"intent": "do_not_call", "to": "end_dnc"}],
    )

    assert _problems(document, matcher) == [
        "global route: route intent:do_not_call goes to missing node 'end_dnc'",
        "node 'q': route intent:yes goes to missing node 'offer'",
    ]


def test_every_problem_is_reported_at_once(matcher):
    document = graph(
        _question(routes=[]),
        {"id": "s", "type": "say", "prompt": prompt("Текст")},
        {"id": "x", "type": "target_action", "outcome": "transfer"},
        {"id": "e", "type": "end"},
        {"id": "w", "type": "wait"},
    )

    assert _problems(document, matcher) == [
        "node 'q': no route (own or global) for event 'no_input'",
        "node 'q': no route (own or global) for event 'no_match'",
        "node 's': a say node needs an event 'next' route",
        "node 'x': a transfer needs transfer.target",
        "node 'e': outcome None is not one of ('transfer', 'callback', 'refusal', "
        "'answering_machine', 'wrong_person', 'do_not_call', 'dropped', 'no_response')",
        "node 'w': unknown type 'wait'",
    ]


def test_global_event_routes_count_for_every_listening_node(matcher):
    document = graph(
        _question(routes=[]),
        end("bye", "refusal"),
        global_routes=[
            {"event": "no_input", "to": "bye"},
            {"event": "no_match", "to": "bye"},
        ],
    )

    compile_script(document, matcher=matcher)


def test_an_amd_question_may_leave_by_unsure_alone(matcher):
    document = graph(
        {
            "id": "amd",
            "type": "amd_question",
            "prompt": prompt("Вам удобно?"),
            "routes": [{"event": "unsure", "to": "bye"}],
        },
        end("bye", "no_response"),
    )

    compile_script(document, matcher=matcher)


def test_node_ids_used_twice_are_refused(matcher):
    document = graph(_question(), end("bye", "refusal"), end("bye", "callback"))

    assert _problems(document, matcher) == ["node ids used twice: bye"]


def test_another_format_version_is_refused(matcher):
    document = graph(_question(), end("bye", "refusal")) | {"format_version": 2}

    assert _problems(document, matcher) == [
        "format_version 2 is not supported (this engine runs version 1)"
    ]


def test_a_document_without_nodes_is_refused_with_a_clear_message(matcher):
    document = graph(_question(), end("bye", "refusal"))
    del document["nodes"]

    assert _problems(document, matcher) == [
        "required key 'nodes' is missing; validate the document"
    ]


def test_the_message_lists_the_problems():
    error = ScriptCompileError(["a", "b"])

    assert str(error) == "the script cannot be run: a; b"
    assert error.code == "script_compile_error"


def test_the_machine_has_one_trigger_per_route_and_built_in(matcher):
    document = graph(
        _question(
            routes=[
                {"intent": "yes", "to": "bye"},
                {"dtmf": "1", "to": "bye"},
                {"event": "no_input", "to": "bye"},
                {"event": "no_match", "to": "bye"},
            ]
        ),
        end("bye", "refusal"),
        global_routes=[{"intent": "do_not_call", "to": "bye"}],
    )

    script = compile_script(document, matcher=matcher)

    assert sorted(script.machine.get_triggers("q")) == [
        "dtmf:1",
        "event:no_input",
        "event:no_match",
        "intent:do_not_call",
        "intent:hold_on",
        "intent:repeat",
        "intent:yes",
    ]
    assert script.machine.models == []


def test_the_engine_imports_neither_django_nor_channels():
    code = (
        "import sys, runtime.engine, runtime.engine.harness; "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'django', 'channels', 'rest_framework'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert out.stdout.strip() == "[]"
