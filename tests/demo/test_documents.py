"""The two demo documents: valid, complete, and laid out for the editor."""

from designer.graph.document import NODE_TYPES
from designer.services import script_validate

from .conftest import FILES, demo_document


def nodes_by_id(document):
    return {node["id"]: node for node in document["nodes"]}


def test_each_document_validates_without_a_single_problem(language):
    problems = script_validate(document=demo_document(language))

    assert [p.as_dict() for p in problems] == []


def test_each_document_is_in_its_own_language(language):
    assert demo_document(language)["language"] == language


def test_each_script_uses_every_node_type(language):
    used = {node["type"] for node in demo_document(language)["nodes"]}

    assert used == set(NODE_TYPES)


def test_the_two_scripts_have_the_same_graph():
    """The translations differ in words only: the same nodes, routes and
    outcomes, so that figures of the two can be compared node by node."""

    def shape(document):
        return [
            (n["id"], n["type"], n.get("outcome"), n.get("routes"), n["position"])
            for n in document["nodes"]
        ] + [document["global_routes"], sorted(document["intents"])]

    assert shape(demo_document("ru")) == shape(demo_document("en"))


def test_the_greeting_has_four_weighted_variants(language):
    greeting = nodes_by_id(demo_document(language))["greeting"]

    variants = greeting["prompt"]["variants"]
    assert [v["id"] for v in variants] == ["a", "b", "c", "d"]
    assert all(v["weight"] > 0 and not v.get("segment") for v in variants)


def test_the_offer_has_a_variant_per_segment_and_a_default(language):
    offer = nodes_by_id(demo_document(language))["offer"]

    segments = [v.get("segment") for v in offer["prompt"]["variants"]]
    assert segments == ["triggers", "active", "inactive", None]


def test_the_transfer_goes_to_the_card_operators(language):
    transfer = nodes_by_id(demo_document(language))["transfer"]

    assert transfer["type"] == "target_action"
    assert transfer["outcome"] == "transfer"
    assert transfer["transfer"]["target"] == "operators-cards"


def test_global_routes_end_the_call_on_do_not_call_and_a_machine(language):
    document = demo_document(language)
    nodes = nodes_by_id(document)
    routes = {r["intent"]: r["to"] for r in document["global_routes"]}

    assert nodes[routes["do_not_call"]]["outcome"] == "do_not_call"
    assert nodes[routes["answering_machine"]]["outcome"] == "answering_machine"
    assert nodes[routes["busy_callback"]]["outcome"] == "callback"


def test_nodes_are_laid_out_left_to_right_without_overlapping(language):
    """Every route points right, except those of the four loops back to a
    question; no two nodes share a spot."""
    nodes = nodes_by_id(demo_document(language))
    spots = {(n["position"]["x"], n["position"]["y"]) for n in nodes.values()}
    backwards = {
        (node["id"], route["to"])
        for node in nodes.values()
        for route in node.get("routes", ())
        if nodes[route["to"]]["position"]["x"] <= node["position"]["x"]
    }

    assert len(spots) == len(nodes)
    assert backwards == {
        ("about_call", "check_person"),
        ("check_person", "amd_check"),
        ("offer_confirm", "say_conditions"),
        ("offer_confirm", "say_robot"),
    }


def test_the_files_are_the_ones_the_command_installs():
    from designer.management.commands.load_demo import SCRIPTS

    assert {language: filename for (_, filename, _, language) in SCRIPTS} == FILES
