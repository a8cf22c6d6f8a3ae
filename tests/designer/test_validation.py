"""designer.graph.validation: every rule, with its exact code and place."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from designer.graph.schema import SCHEMA, schema_json
from designer.graph.validation import Problem, has_errors, validate_document
from tests.designer.documents import (
    BUILTIN_INTENTS,
    end,
    handled,
    listening,
    minimal_document,
    node,
    prompt,
    valid_document,
)

ROOT = Path(__file__).resolve().parents[2]


def check(document) -> list[Problem]:
    return validate_document(document, builtin_intents=BUILTIN_INTENTS)


def found(document) -> set[tuple]:
    """``(code, node, field)`` of every problem."""
    return {(p.code, p.node, p.field) for p in check(document)}


def codes(document) -> list[str]:
    return sorted(p.code for p in check(document))


# -- valid documents and the schema file --------------------------------------


def test_the_valid_fixture_has_no_problem():
    assert check(valid_document()) == []


@pytest.mark.parametrize("name", ["bank-card-offer.json", "bank-card-offer-en.json"])
def test_the_demo_scripts_have_no_problem(name):
    document = json.loads((ROOT / "designer" / "demo" / name).read_text())
    assert check(document) == []


def test_the_schema_file_is_the_schema_of_the_validator():
    on_disk = (ROOT / "docs" / "graph.schema.json").read_text(encoding="utf-8")
    assert json.loads(on_disk) == SCHEMA
    assert on_disk == schema_json(), "regenerate: python -m designer.graph.schema"


def test_the_schema_file_is_a_valid_draft_2020_12_schema():
    schema = json.loads((ROOT / "docs" / "graph.schema.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert list(Draft202012Validator(schema).iter_errors(valid_document())) == []


def test_a_document_that_is_not_an_object_is_one_problem():
    assert check(["nodes"]) == [
        Problem("invalid_type", "The document must be a JSON object.", None, None)
    ]


def test_builtin_intents_must_be_a_collection_not_a_string():
    with pytest.raises(TypeError, match="not a string"):
        validate_document(valid_document(), builtin_intents="yes")


def test_problems_are_plain_data_for_the_api():
    problem = Problem(
        "missing_start", "The start node 'x' does not exist.", None, "start"
    )
    assert problem.as_dict() == {
        "code": "missing_start",
        "message": "The start node 'x' does not exist.",
        "node": None,
        "field": "start",
        "severity": "error",
    }


# -- schema errors, placed at their node and field -----------------------------


def test_a_missing_top_level_field_is_reported_by_name():
    document = valid_document()
    del document["start"]
    assert found(document) == {("missing_field", None, "start")}


def test_an_unknown_top_level_field_is_reported():
    document = valid_document()
    document["nodez"] = []
    assert found(document) == {("unknown_field", None, "nodez")}


def test_the_format_and_its_version_are_fixed():
    document = valid_document()
    document["format"] = "graph"
    document["format_version"] = 2
    assert found(document) == {
        ("invalid_value", None, "format"),
        ("invalid_value", None, "format_version"),
    }


def test_an_unsupported_language_is_reported():
    document = valid_document()
    document["language"] = "de"
    [problem] = check(document)
    assert (problem.code, problem.field) == ("invalid_value", "language")
    assert problem.message == "'de' is not one of: 'ru', 'en'."


def test_a_schema_error_in_a_node_names_the_node_and_the_field_in_it():
    document = valid_document()
    node(document, "offer")["routes"][2]["to"] = 7
    node(document, "greeting")["prompt"]["variants"][1]["text"] = None
    assert found(document) == {
        ("invalid_type", "offer", "routes[2].to"),
        ("invalid_type", "greeting", "prompt.variants[1].text"),
        # The route was the only way there.
        ("unreachable_node", "explain", None),
    }


def test_a_field_unknown_to_a_node_is_reported():
    document = valid_document()
    node(document, "offer")["rotues"] = []
    assert found(document) == {("unknown_field", "offer", "rotues")}


def test_a_node_without_an_id_is_placed_by_its_index():
    document = valid_document()
    document["nodes"].append({"type": "end", "outcome": "refusal"})
    assert found(document) == {("missing_field", None, "nodes[13].id")}


def test_an_unknown_node_type_is_reported():
    document = valid_document()
    node(document, "explain")["type"] = "speak"
    assert ("invalid_value", "explain", "type") in found(document)


def test_a_route_takes_exactly_one_trigger():
    document = valid_document()
    routes = node(document, "offer")["routes"]
    routes[0]["dtmf"] = "1"
    del routes[1]["intent"]
    problems = [p for p in check(document) if p.code == "invalid_value"]
    assert [(p.node, p.field) for p in problems] == [
        ("offer", "routes[0]"),
        ("offer", "routes[1]"),
    ]
    assert (
        problems[0].message
        == "A route takes exactly one of 'intent', 'dtmf' or 'event'."
    )


def test_a_dtmf_trigger_is_one_key():
    document = valid_document()
    node(document, "greeting")["routes"][1]["dtmf"] = "12"
    [problem] = check(document)
    assert (problem.code, problem.node, problem.field) == (
        "invalid_value",
        "greeting",
        "routes[1].dtmf",
    )
    assert problem.message == "'12' is not a DTMF key: use one of 0-9, * or #."


def test_variable_names_must_be_template_names():
    document = valid_document()
    document["variables"]["first-name"] = {}
    assert found(document) == {("invalid_value", None, "variables.first-name")}


def test_an_unknown_event_is_a_schema_error():
    document = valid_document()
    node(document, "offer")["routes"][4]["event"] = "silence"
    assert ("invalid_value", "offer", "routes[4].event") in found(document)


def test_timeouts_must_be_positive():
    document = valid_document()
    node(document, "greeting")["no_input_timeout"] = 0
    assert found(document) == {("invalid_value", "greeting", "no_input_timeout")}


# -- ids and start -------------------------------------------------------------


def test_duplicate_node_ids_are_reported_once_per_id():
    document = valid_document()
    document["nodes"].append(end("end_refusal"))
    [problem] = check(document)
    assert (problem.code, problem.node, problem.field) == (
        "duplicate_node_id",
        "end_refusal",
        "id",
    )
    assert (
        problem.message == "2 nodes have the id 'end_refusal'; node ids must be unique."
    )


def test_a_start_node_that_does_not_exist_is_reported():
    document = valid_document()
    document["start"] = "hello"
    assert ("missing_start", None, "start") in found(document)


# -- reachability and ways out -------------------------------------------------


def test_a_node_nothing_leads_to_is_a_warning():
    document = valid_document()
    document["nodes"].append(end("orphan"))
    [problem] = check(document)
    assert (problem.code, problem.node, problem.field, problem.severity) == (
        "unreachable_node",
        "orphan",
        None,
        "warning",
    )
    assert not has_errors([problem])


def test_global_routes_make_their_targets_reachable():
    document = minimal_document(
        listening("n1", *handled()),
        end(),
        end("dnc", "do_not_call"),
        global_routes=[{"intent": "do_not_call", "to": "dnc"}],
    )
    assert check(document) == []


def test_a_loop_with_no_way_out_is_reported_for_each_node_in_it():
    document = minimal_document(
        listening("n1", {"intent": "yes", "to": "n2"}, *handled("n2")),
        {
            "id": "n2",
            "type": "say",
            "prompt": prompt(),
            "routes": [{"event": "next", "to": "n1"}],
        },
    )
    assert found(document) == {("no_way_out", "n1", None), ("no_way_out", "n2", None)}


def test_nodes_leading_only_into_a_dead_end_have_no_way_out():
    document = minimal_document(
        listening("n1", *handled("n2")),
        {"id": "n2", "type": "say", "prompt": prompt(), "routes": []},
    )
    assert found(document) == {("no_exit", "n2", "routes"), ("no_way_out", "n1", None)}


def test_a_say_node_without_next_has_no_exit():
    document = valid_document()
    node(document, "explain")["routes"] = []
    problems = found(document)
    assert ("no_exit", "explain", "routes") in problems
    assert ("no_way_out", "explain", None) not in problems


def test_a_listening_node_without_any_route_has_no_exit():
    document = minimal_document(listening("n1"), end())
    assert found(document) == {
        ("no_exit", "n1", "routes"),
        ("missing_event_route", "n1", "routes"),
        ("unreachable_node", "end", None),
    }
    assert codes(document).count("missing_event_route") == 2


# -- listening nodes -----------------------------------------------------------


def test_a_listening_node_needs_no_input_and_no_match_routes():
    document = minimal_document(
        listening(
            "n1", {"intent": "yes", "to": "end"}, {"event": "no_match", "to": "end"}
        ),
        end(),
    )
    [problem] = check(document)
    assert (problem.code, problem.node, problem.field) == (
        "missing_event_route",
        "n1",
        "routes",
    )
    assert problem.message == (
        "A listening node needs a route for 'no_input', its own or a global one."
    )


def test_global_no_input_and_no_match_routes_cover_every_listening_node():
    document = minimal_document(
        listening("n1", {"intent": "yes", "to": "end"}),
        end(),
        global_routes=handled(),
    )
    assert check(document) == []


def test_an_amd_question_needs_human_machine_and_unsure_routes():
    document = minimal_document(
        listening("n1", {"event": "human", "to": "end"}, type="amd_question"),
        end(),
        global_routes=handled(),
    )
    problems = check(document)
    assert [(p.code, p.node, p.field) for p in problems] == [
        ("missing_event_route", "n1", "routes"),
        ("missing_event_route", "n1", "routes"),
    ]
    assert "'machine'" in problems[0].message and "'unsure'" in problems[1].message


def test_an_amd_question_needs_no_no_input_route_but_may_have_one():
    amd_routes = [
        {"event": "human", "to": "end"},
        {"event": "machine", "to": "end"},
        {"event": "unsure", "to": "end"},
    ]
    without = minimal_document(listening("n1", *amd_routes, type="amd_question"), end())
    with_own = minimal_document(
        listening(
            "n1",
            *amd_routes,
            *handled(),
            {"dtmf": "1", "to": "end"},
            type="amd_question",
        ),
        end(),
    )
    assert check(without) == []
    assert check(with_own) == []


def test_a_listening_node_that_says_nothing_is_reported():
    document = valid_document()
    del node(document, "confirm")["prompt"]
    assert found(document) == {("missing_prompt", "confirm", "prompt")}


def test_a_prompt_needs_a_default_variant_for_contacts_of_other_segments():
    document = valid_document()
    node(document, "offer")["prompt"]["variants"][0]["segment"] = "active"
    [problem] = check(document)
    assert (problem.code, problem.node, problem.field) == (
        "missing_default_variant",
        "offer",
        "prompt.variants",
    )


def test_a_prompt_without_variants_has_no_default_variant():
    document = valid_document()
    node(document, "transfer")["prompt"]["variants"] = []
    assert found(document) == {
        ("missing_default_variant", "transfer", "prompt.variants")
    }


def test_terminal_nodes_may_say_nothing():
    document = valid_document()
    del node(document, "transfer")["prompt"]
    del node(document, "end_refusal")["prompt"]
    assert check(document) == []


# -- routes ---------------------------------------------------------------------


def test_routes_to_missing_nodes_are_reported():
    document = valid_document()
    node(document, "offer")["routes"][1]["to"] = "objecton"
    document["global_routes"][0]["to"] = "end_dcn"
    assert found(document) == {
        ("unknown_target", "offer", "routes[1].to"),
        ("unknown_target", None, "global_routes[0].to"),
        ("unreachable_node", "end_dnc", None),
    }


@pytest.mark.parametrize(
    "node_id, route, field",
    [
        ("greeting", {"event": "human", "to": "offer"}, "routes[4].event"),
        ("offer", {"event": "next", "to": "confirm"}, "routes[5].event"),
        ("explain", {"event": "no_match", "to": "offer"}, "routes[1].event"),
        ("end_refusal", {"event": "next", "to": "offer"}, "routes[0].event"),
    ],
)
def test_events_a_node_type_never_raises_are_reported(node_id, route, field):
    document = valid_document()
    node(document, node_id).setdefault("routes", []).append(route)
    assert found(document) == {("event_not_allowed", node_id, field)}


def test_the_event_message_names_the_events_of_the_node_type():
    document = valid_document()
    node(document, "greeting")["routes"].append({"event": "human", "to": "offer"})
    [problem] = check(document)
    assert problem.message == (
        "A greeting node never raises 'human': it leaves by intents, DTMF keys "
        "and the events 'no_input' and 'no_match'."
    )


def test_a_global_route_cannot_take_node_specific_events():
    document = valid_document()
    document["global_routes"].append({"event": "machine", "to": "end_machine"})
    assert found(document) == {("event_not_allowed", None, "global_routes[3].event")}


def test_nodes_that_do_not_listen_cannot_route_on_intents_or_keys():
    document = valid_document()
    node(document, "explain")["routes"].append({"intent": "yes", "to": "offer"})
    node(document, "end_dnc")["routes"] = [{"dtmf": "1", "to": "offer"}]
    assert found(document) == {
        ("route_not_allowed", "explain", "routes[1]"),
        ("route_not_allowed", "end_dnc", "routes[0]"),
    }


def test_unknown_intents_are_reported_in_node_and_global_routes():
    document = valid_document()
    node(document, "offer")["routes"][2]["intent"] = "card_questoin"
    document["global_routes"][0]["intent"] = "dnc"
    assert found(document) == {
        ("unknown_intent", "offer", "routes[2].intent"),
        ("unknown_intent", None, "global_routes[0].intent"),
    }


def test_the_scripts_own_intents_are_known():
    document = valid_document()
    assert "card_question" not in BUILTIN_INTENTS
    del document["intents"]["card_question"]
    assert found(document) == {("unknown_intent", "offer", "routes[2].intent")}


def test_a_trigger_taken_twice_by_a_node_is_reported():
    document = valid_document()
    routes = node(document, "offer")["routes"]
    routes.append({"intent": "yes", "to": "end_refusal"})
    node(document, "greeting")["routes"].append({"dtmf": "1", "to": "end_refusal"})
    document["global_routes"].append({"intent": "operator", "to": "end_refusal"})
    problems = {(p.code, p.node, p.field): p for p in check(document)}
    assert set(problems) == {
        ("duplicate_trigger", "offer", "routes[5]"),
        ("duplicate_trigger", "greeting", "routes[4]"),
        ("duplicate_trigger", None, "global_routes[3]"),
    }
    assert problems["duplicate_trigger", "offer", "routes[5]"].message == (
        "routes[0] already takes intent 'yes'; "
        "only the first route would ever be taken."
    )


# -- terminal nodes ------------------------------------------------------------


def test_a_terminal_node_needs_an_outcome():
    document = valid_document()
    del node(document, "end_refusal")["outcome"]
    assert found(document) == {("missing_outcome", "end_refusal", "outcome")}


def test_an_unknown_outcome_is_reported():
    document = valid_document()
    node(document, "end_refusal")["outcome"] = "refused"
    [problem] = check(document)
    assert (problem.code, problem.node, problem.field) == (
        "unknown_outcome",
        "end_refusal",
        "outcome",
    )
    assert problem.message.startswith(
        "'refused' is not an outcome; use one of transfer,"
    )


def test_a_transfer_needs_a_target():
    document = valid_document()
    del node(document, "transfer")["transfer"]["target"]
    assert found(document) == {
        ("missing_transfer_target", "transfer", "transfer.target")
    }


def test_an_end_node_may_end_with_any_outcome_but_a_transfer_needs_a_target():
    document = valid_document()
    node(document, "end_callback")["outcome"] = "transfer"
    assert found(document) == {
        ("missing_transfer_target", "end_callback", "transfer.target")
    }


def test_only_terminal_nodes_have_an_outcome():
    document = valid_document()
    node(document, "offer")["outcome"] = "refusal"
    assert found(document) == {("field_not_allowed", "offer", "outcome")}


def test_listening_settings_on_a_say_node_are_ignored_with_a_warning():
    document = valid_document()
    node(document, "explain")["no_input_timeout"] = 3
    [problem] = check(document)
    assert (problem.code, problem.node, problem.field, problem.severity) == (
        "ignored_field",
        "explain",
        "no_input_timeout",
        "warning",
    )


# -- templates -----------------------------------------------------------------


def test_templates_that_do_not_compile_are_reported_where_they_are():
    document = valid_document()
    node(document, "greeting")["prompt"]["variants"][1]["text"] = (
        "Добрый день, {{ name }!"
    )
    node(document, "greeting")["reprompts"]["no_match"].append("{% if name %}Алло")
    node(document, "transfer")["transfer"]["summary"] = "{{ }}"
    assert found(document) == {
        ("template_syntax", "greeting", "prompt.variants[1].text"),
        ("template_syntax", "greeting", "reprompts.no_match[1]"),
        ("template_syntax", "transfer", "transfer.summary"),
    }


def test_a_template_syntax_message_gives_the_line_and_reason():
    document = valid_document()
    node(document, "offer")["prompt"]["variants"][0]["text"] = "Лимит\n{{ limit }"
    [problem] = check(document)
    assert problem.message.startswith("The template does not compile: line 2: ")


def test_undeclared_variables_are_reported_one_by_one():
    document = valid_document()
    node(document, "offer")["prompt"]["variants"][0]["text"] = (
        "{{ rate }} {{ fee }} {{ name }}"
    )
    node(document, "greeting")["reprompts"]["no_input"][0] = "{{ surname }}"
    node(document, "transfer")["transfer"]["summary"] = "{{ product }}"
    problems = [
        (p.code, p.node, p.field, p.message.split("'")[1]) for p in check(document)
    ]
    assert problems == [
        ("undeclared_variable", "greeting", "reprompts.no_input[0]", "surname"),
        ("undeclared_variable", "offer", "prompt.variants[0].text", "fee"),
        ("undeclared_variable", "offer", "prompt.variants[0].text", "rate"),
        ("undeclared_variable", "transfer", "transfer.summary", "product"),
    ]


def test_builtin_variables_need_no_declaration():
    document = valid_document()
    node(document, "offer")["prompt"]["variants"][0]["text"] = (
        "{{ phone }} {{ segment }} {{ call_id }} {{ callback_time }} "
        "{{ last_utterance }} {{ intents_heard }}"
    )
    assert check(document) == []


# -- variants ------------------------------------------------------------------


def test_weights_must_be_positive():
    document = valid_document()
    variants = node(document, "greeting")["prompt"]["variants"]
    variants[0]["weight"] = 0
    variants[1]["weight"] = -1
    assert found(document) == {
        ("invalid_weight", "greeting", "prompt.variants[0].weight"),
        ("invalid_weight", "greeting", "prompt.variants[1].weight"),
        ("zero_weight_segment", "greeting", "prompt.variants"),
    }


def test_a_segment_whose_weights_add_up_to_zero_is_reported():
    document = valid_document()
    node(document, "greeting")["prompt"]["variants"][2]["weight"] = 0
    problems = check(document)
    assert [(p.code, p.field) for p in problems] == [
        ("invalid_weight", "prompt.variants[2].weight"),
        ("zero_weight_segment", "prompt.variants"),
    ]
    assert problems[1].message == (
        "The weights of segment 'active' add up to 0; "
        "none of them could ever be chosen."
    )


def test_variant_ids_are_unique_within_a_node():
    document = valid_document()
    node(document, "greeting")["prompt"]["variants"][1]["id"] = "a"
    assert found(document) == {
        ("duplicate_variant_id", "greeting", "prompt.variants[1].id")
    }


# -- all at once ---------------------------------------------------------------


def test_every_problem_is_reported_at_once():
    document = valid_document()
    document["start"] = 5
    node(document, "offer")["routes"][0]["to"] = "nowhere"
    node(document, "offer")["prompt"]["variants"][0]["text"] = "{{ rate }}"
    del node(document, "end_refusal")["outcome"]
    node(document, "confirm")["routes"].append({"intent": "maybe", "to": "transfer"})
    assert found(document) == {
        ("invalid_type", None, "start"),
        ("unknown_target", "offer", "routes[0].to"),
        ("undeclared_variable", "offer", "prompt.variants[0].text"),
        ("missing_outcome", "end_refusal", "outcome"),
        ("unknown_intent", "confirm", "routes[3].intent"),
    }


# -- templates that compile but cannot render ----------------------------------


def test_a_template_syntax_message_ends_with_one_full_stop():
    document = valid_document()
    node(document, "offer")["prompt"]["variants"][0]["text"] = "{{ name "
    [problem] = check(document)
    assert problem.message == (
        "The template does not compile: line 1: unexpected end of template, "
        "expected 'end of print statement'."
    )


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            "{{ name.__class__ }}",
            (
                "not allowed in a prompt: access to attribute '__class__' of 'str' "
                "object is unsafe."
            ),
        ),
        (
            "{{ name|attr('__class__') }}",
            (
                "not allowed in a prompt: access to attribute '__class__' of 'str' "
                "object is unsafe."
            ),
        ),
        (
            "{{ range(1500)|list }}",
            "not allowed in a prompt: range() of 1500 items; the limit is 1000.",
        ),
        (
            "{{ 'x' * 100000000 }}",
            (
                "not allowed in a prompt: '*' would make 100000000 characters; "
                "the limit is 2000."
            ),
        ),
        ("{{ limit.digits }}", "'str object' has no attribute 'digits'."),
        (
            "{% for i in range(500) %}{{ name }} {% endfor %}",
            "prompt renders to 2499 characters; the limit is 2000.",
        ),
    ],
)
def test_a_template_that_fails_for_a_sample_contact_is_an_error(text, reason):
    document = valid_document()
    node(document, "offer")["prompt"]["variants"][0]["text"] = text
    [problem] = check(document)
    assert (problem.code, problem.node, problem.field) == (
        "template_render",
        "offer",
        "prompt.variants[0].text",
    )
    assert problem.message == (
        "The template fails to render for a sample contact, and would fail in "
        f"every call: {reason}"
    )


@pytest.mark.parametrize(
    "text", ["{% include 'x' %}", "{% import 'x' as x %}", "{% extends 'x' %}"]
)
def test_a_template_cannot_read_other_templates(text):
    document = valid_document()
    node(document, "transfer")["transfer"]["summary"] = text
    [problem] = check(document)
    assert (problem.code, problem.field, problem.message) == (
        "template_syntax",
        "transfer.summary",
        (
            "The template does not compile: line 1: a prompt cannot include, "
            "import or extend other templates."
        ),
    )


def test_templates_render_with_examples_defaults_and_names():
    document = valid_document()
    document["variables"]["fee"] = {"default": 99}
    document["variables"]["card"] = {"description": "no example"}
    node(document, "offer")["prompt"]["variants"][0]["text"] = (
        "{{ name|upper }} {{ fee + 1 }} {{ card|title }} "
        "{{ intents_heard|join(', ') }} {{ last_utterance[0] }}"
    )
    node(document, "greeting")["reprompts"]["no_input"][0] = "{{ 100 // fee }}"
    assert check(document) == []


def test_a_reprompt_that_cannot_render_is_reported_where_it_is():
    document = valid_document()
    node(document, "greeting")["reprompts"]["no_match"][0] = "{{ 1 // 0 }}"
    assert found(document) == {("template_render", "greeting", "reprompts.no_match[0]")}


# -- empty prompts and intents without examples --------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_a_variant_that_says_nothing_is_an_error(text):
    document = valid_document()
    node(document, "greeting")["prompt"]["variants"][1]["text"] = text
    [problem] = check(document)
    assert (problem.code, problem.node, problem.field, problem.message) == (
        "empty_prompt",
        "greeting",
        "prompt.variants[1].text",
        "The variant says nothing: give it a text (or an audio file).",
    )


def test_a_variant_with_audio_may_have_no_text():
    document = valid_document()
    node(document, "greeting")["prompt"]["variants"][2]["text"] = ""
    assert check(document) == []


def test_an_intent_without_examples_is_an_error():
    document = valid_document()
    document["intents"]["card_question"]["examples"] = []
    document["intents"]["yes"]["examples"] = ["  "]
    problems = check(document)
    assert [(p.code, p.node, p.field) for p in problems] == [
        ("intent_without_examples", None, "intents.card_question.examples"),
        ("intent_without_examples", None, "intents.yes.examples"),
    ]
    assert problems[0].message == (
        "Intent 'card_question' has no examples, so nothing said could ever "
        "match it; give it a few phrases a caller would say."
    )


def test_an_amd_question_names_all_its_events():
    document = valid_document()
    node(document, "amd")["routes"].append({"event": "next", "to": "offer"})
    [problem] = check(document)
    assert problem.message == (
        "An amd_question node never raises 'next': it leaves by intents, DTMF "
        "keys and the events 'human', 'machine', 'unsure', 'no_input' and "
        "'no_match'."
    )


# -- recordings -----------------------------------------------------------------

RECORDING = "sha256:" + "ab" * 32


def with_audio(audio, text="Это кредитная карта.") -> dict:
    document = valid_document()
    node(document, "explain")["prompt"]["variants"][0].update(audio=audio, text=text)
    return document


def test_a_recording_is_checked_against_the_scripts_recordings_when_given():
    document = with_audio(RECORDING)
    # Without the script's recordings, only the form of a reference.
    assert check(document) == []
    recordings = validate_document(
        document, builtin_intents=BUILTIN_INTENTS, audio={RECORDING}
    )
    assert recordings == []
    [problem] = validate_document(document, builtin_intents=BUILTIN_INTENTS, audio=[])
    assert (problem.code, problem.node, problem.field) == (
        "unknown_audio", "explain", "prompt.variants[0].audio"
    )
    with pytest.raises(TypeError, match="collection of references"):
        validate_document(document, builtin_intents=BUILTIN_INTENTS, audio=RECORDING)


@pytest.mark.parametrize(
    "audio",
    [
        "sha256:", "sha256:" + "AB" * 32, "sha256:" + "ab" * 31, RECORDING + "0",
        # Mistyped references are references, never legacy paths.
        "SHA256:" + "ab" * 32, " " + RECORDING, RECORDING + " ", "Sha256:" + "ab" * 32,
        "sha256" + "ab" * 32,
    ],
)
def test_a_malformed_recording_reference_is_an_error(audio):
    assert found(with_audio(audio)) == {
        ("invalid_audio_reference", "explain", "prompt.variants[0].audio")
    }
    [problem] = check(with_audio(audio))
    assert "'sha256:' and 64 lower-case hex digits" in problem.message


def test_a_legacy_audio_path_is_not_checked():
    document = with_audio("prompts/explain.wav", text="{{ name }}, это карта.")
    assert validate_document(document, builtin_intents=BUILTIN_INTENTS, audio=[]) == []
    assert validate_document(
        document, builtin_intents=BUILTIN_INTENTS, audio=[], legacy_audio=True
    ) == []


@pytest.mark.parametrize(
    "audio",
    ["../../etc/passwd", "/etc/passwd", "prompts/../../secret.wav", "..",
     "\\\\server\\share.wav", "C:\\prompts\\a.wav", "prompts\\..\\..\\a.wav"],
)
def test_a_legacy_audio_path_outside_the_directory_is_an_error(audio):
    for legacy_audio in (None, True, False):
        problems = validate_document(
            with_audio(audio), builtin_intents=BUILTIN_INTENTS, audio=[],
            legacy_audio=legacy_audio,
        )
        # (The fixture's "greeting-vip.wav" is warned about without the
        # directory.)
        [problem] = [p for p in problems if p.node == "explain"]
        assert (problem.code, problem.severity, problem.field) == (
            "invalid_audio_path", "error", "prompt.variants[0].audio"
        )
        assert "outside the prompt audio directory" in problem.message


def test_a_legacy_audio_path_without_the_directory_is_a_warning():
    problems = validate_document(
        with_audio("prompts/explain.wav"), builtin_intents=BUILTIN_INTENTS,
        audio=[], legacy_audio=False,
    )
    assert [p.node for p in problems] == ["greeting", "explain"]
    problem = problems[1]
    assert (problem.code, problem.severity) == ("legacy_audio_unplayable", "warning")
    assert problem.message == (
        "Variant 'a' of node 'explain' names the audio file 'prompts/explain.wav', "
        "but no prompt audio directory is set (OUTCALL_PROMPT_AUDIO_DIR), so its "
        "text is spoken instead. Upload the recording and use its reference."
    )


def test_a_recording_on_a_template_is_a_warning():
    document = with_audio(RECORDING, text="{{ name }}, это кредитная карта.")
    [problem] = check(document)
    assert (problem.code, problem.severity) == ("audio_with_template", "warning")
    assert problem.message == (
        "Variant 'a' of node 'explain' plays its recording, so callers do not "
        "hear what the template in its text would say; the text is what "
        "transcripts show and what is spoken if the recording cannot be played."
    )
