"""Prompt variants: the contact's segment, then a weighted draw that
depends only on the call id and the node id."""

from collections import Counter

import pytest

from runtime.engine import Contact, Say, compile_script
from runtime.engine.harness import ScriptHarness
from runtime.engine.variants import unit_hash

from .conftest import end, graph, prompt


def _greeting(variants, routes=None):
    return graph(
        {
            "id": "greeting",
            "type": "greeting",
            "prompt": {"variants": variants},
            "routes": routes
            or [
                {"event": "no_input", "to": "bye"},
                {"event": "no_match", "to": "bye"},
            ],
        },
        end("bye", "refusal"),
    )


WEIGHTED = _greeting(
    [
        {"id": "warm", "text": "Добрый день!", "weight": 3},
        {"id": "short", "text": "Здравствуйте!", "weight": 1},
    ]
)
SEGMENTED = _greeting(
    [
        {"id": "plain", "text": "Здравствуйте!"},
        {"id": "plain2", "text": "Добрый день!"},
        {"id": "vip", "text": "Рады вас слышать!", "segment": "active"},
        {"id": "back", "text": "Давно не виделись!", "segment": "inactive"},
    ]
)


def _first_variant(script, call_id, segment=""):
    call = script.start_call(call_id=call_id, contact=Contact(segment=segment))
    say = call.start()[0]
    return say.variant


def test_the_draw_is_pinned_so_stored_calls_replay_the_same():
    # Changing the hash changes what replays of logged calls hear.
    assert unit_hash("c-1", "greeting") == pytest.approx(0.29532, abs=1e-5)


def test_the_same_call_id_hears_the_same_variant(matcher):
    script = compile_script(WEIGHTED, matcher=matcher)

    picks = {_first_variant(script, f"call-{i}") for i in range(50)}
    again = [_first_variant(script, "call-7") for _ in range(5)]

    assert picks == {"warm", "short"}
    assert len(set(again)) == 1


def test_variants_are_drawn_by_weight(matcher):
    script = compile_script(WEIGHTED, matcher=matcher)

    counts = Counter(_first_variant(script, f"call-{i}") for i in range(4000))

    assert counts["warm"] / 4000 == pytest.approx(0.75, abs=0.03)


def test_equal_weights_split_evenly(matcher):
    script = compile_script(SEGMENTED, matcher=matcher)

    counts = Counter(_first_variant(script, f"call-{i}") for i in range(4000))

    assert set(counts) == {"plain", "plain2"}
    assert counts["plain"] / 4000 == pytest.approx(0.5, abs=0.03)


def test_a_segment_hears_its_own_variants(matcher):
    script = compile_script(SEGMENTED, matcher=matcher)

    assert {_first_variant(script, f"c-{i}", "active") for i in range(20)} == {"vip"}
    assert {_first_variant(script, f"c-{i}", "inactive") for i in range(20)} == {"back"}


@pytest.mark.parametrize("segment", ["", "triggers"])
def test_other_segments_hear_the_default_variants(matcher, segment):
    script = compile_script(SEGMENTED, matcher=matcher)

    picks = {_first_variant(script, f"c-{i}", segment) for i in range(50)}

    assert picks == {"plain", "plain2"}


def test_the_choice_is_logged_and_kept_per_node(matcher):
    h = ScriptHarness(SEGMENTED, segment="active", matcher=matcher)
    h.start()

    assert h.variant_choices == {"greeting": "vip"}
    assert h.events("prompt_played")[0].data == {
        "variant": "vip",
        "text": "Рады вас слышать!",
        "segment": "active",
        "barge_in": True,
    }


def test_a_node_entered_again_keeps_its_variant(matcher):
    document = graph(
        {
            "id": "offer",
            "type": "offer",
            "prompt": prompt(*[f"Вариант {i}" for i in range(10)]),
            "routes": [
                {"intent": "no", "to": "objection"},
                {"event": "no_input", "to": "bye"},
                {"event": "no_match", "to": "bye"},
            ],
        },
        {
            "id": "objection",
            "type": "objection",
            "prompt": prompt(*[f"Возражение {i}" for i in range(10)]),
            "routes": [
                {"intent": "no", "to": "offer"},
                {"event": "no_input", "to": "bye"},
                {"event": "no_match", "to": "bye"},
            ],
        },
        end("bye", "refusal"),
    )
    h = ScriptHarness(document, matcher=matcher, call_id="c-3")
    h.start()
    h.run("нет", "нет", "нет", "нет")

    offers = [e.data["variant"] for e in h.events("prompt_played") if e.node == "offer"]
    objections = [
        e.data["variant"] for e in h.events("prompt_played") if e.node == "objection"
    ]

    assert h.path == ["offer", "objection", "offer", "objection", "offer"]
    assert len(offers) == 3 and len(set(offers)) == 1
    assert len(objections) == 2 and len(set(objections)) == 1


def test_a_node_with_only_other_segments_variants_says_nothing(matcher, caplog):
    document = _greeting(
        [{"id": "vip", "text": "Рады вас слышать!", "segment": "active"}]
    )
    h = ScriptHarness(document, segment="inactive", call_id="c-9", matcher=matcher)

    actions = h.start()

    assert not any(isinstance(a, Say) for a in actions)
    assert (
        caplog.records[0].getMessage().startswith("c-9: node greeting has no variant")
    )
