"""The analytics API: the issue's JSON fields, filters, team scoping, CSV
export, clear errors for bad filters, and costs."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from analytics.models import CostRate
from designer import services
from designer.models import ApiToken, Membership
from tests.analytics.conftest import BEHAVIOURS, DOCUMENT, population_calls, simulate

pytestmark = pytest.mark.django_db

SMALL = {
    ("active", "a"): {"hangs_up_in_greeting": 6, "transferred": 2, "refuses": 2},
    ("inactive", "b"): {"hangs_up_in_offer": 3, "transferred": 1},
}  # fmt: skip
DAYS = "from=2026-03-01&to=2026-03-05"


@pytest.fixture
def calls(version, tmp_path):
    simulate(tmp_path, population_calls(SMALL))
    return version


@pytest.fixture
def client(team):
    _, key = ApiToken.issue(team=team)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def get(client, path, query=""):
    return client.get(f"/api/analytics/{path}/?script=card&{DAYS}&{query}")


def test_the_funnel_answers_the_stages_in_order(client, calls):
    response = get(client, "funnel")

    assert response.status_code == 200
    assert response.json()["stages"] == [
        {"name": "started", "count": 14, "share_of_previous": 1.0, "share_of_all": 1.0},
        {"name": "answered", "count": 14, "share_of_previous": 1.0, "share_of_all": 1.0},
        {"name": "human", "count": 14, "share_of_previous": 1.0, "share_of_all": 1.0},
        {"name": "greeting_heard", "count": 8, "share_of_previous": 0.5714,
         "share_of_all": 0.5714},
        {"name": "offer_heard", "count": 5, "share_of_previous": 0.625,
         "share_of_all": 0.3571},
        {"name": "target_action", "count": 3, "share_of_previous": 0.6,
         "share_of_all": 0.2143},
    ]  # fmt: skip
    assert response.json()["filters"] == {
        "script": "card", "version": 1, "from": "2026-03-01", "to": "2026-03-05",
        "segment": None, "variant": None, "source": ["live", "replay", "simulation"],
    }  # fmt: skip


def test_the_node_table_has_the_issue_fields(client, calls):
    response = get(client, "nodes", "segment=active")

    greeting = response.json()["nodes"][0]
    assert {
        "node", "type", "entered", "hung_up_in_prompt", "hung_up_listening",
        "no_match", "no_input", "moved_on", "ended",
    } <= set(greeting)  # fmt: skip
    assert (greeting["node"], greeting["type"], greeting["entered"]) == (
        "greeting",
        "greeting",
        10,
    )
    assert greeting["hung_up_in_prompt"] == 6
    assert greeting["moved_on"] == 4
    assert greeting["ended"] == {
        "transfer": 0, "callback": 0, "refusal": 0, "answering_machine": 0,
        "wrong_person": 0, "do_not_call": 0, "dropped": 6, "no_response": 0,
    }  # fmt: skip


def test_every_table_exports_as_csv(client, calls):
    response = get(client, "funnel", "format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="funnel.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["name"], r["count"]) for r in rows] == [
        ("started", "14"), ("answered", "14"), ("human", "14"),
        ("greeting_heard", "8"), ("offer_heard", "5"), ("target_action", "3"),
    ]  # fmt: skip

    nodes = get(client, "nodes", "format=csv").content.decode().splitlines()
    assert nodes[0].startswith("group,node,type,entered,calls,hung_up_in_prompt,")
    assert "ended.dropped" in nodes[0]
    assert nodes[1].startswith("all,greeting,greeting,14,14,6,")
    for path in ("comparisons", "trends", "amd", "economics"):
        response = get(client, path, "format=csv")
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/csv"), path


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("from=2026-13-01", "from", "'from' is a date as YYYY-MM-DD, not '2026-13-01'."),
        ("from=20261201", "from", "'from' is a date as YYYY-MM-DD, not '20261201'."),
        ("to=2026-W49-1", "to", "'to' is a date as YYYY-MM-DD, not '2026-W49-1'."),
        ("version=\uff11", "version", "'version' is a number, not '\uff11'."),
        ("version=-1", "version", "'version' is a number, not '-1'."),
        ("version=7", "version", "Script 'card' has no version 7 (published: 1)."),
        ("version=x", "version", "'version' is a number, not 'x'."),
        ("source=robot", "source",
         "Unknown source robot; sources are live, replay, simulation."),
        ("variant=greeting:z", "variant",
         "Node 'greeting' has no variant 'z' (it has a, b)."),
        ("variant=greeting", "variant",
         "'variant' is NODE:VARIANT, e.g. greeting:a, not 'greeting'."),
        ("breakdown=hour", "breakdown",
         "'breakdown' is segment, variant, or segment,variant."),
        ("node=offer", "node", "'offer' is not a node with A/B variants (greeting)."),
        ("variant=offer:a", "variant",
         "'offer' is not a node with A/B variants (greeting)."),
    ],
)  # fmt: skip
def test_a_bad_filter_is_a_400_naming_it(client, version, query, field, message):
    response = client.get(f"/api/analytics/funnel/?script=card&{query}")

    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid_filter", "message": message, "field": field}
    }


ENDPOINTS = ("funnel", "nodes", "comparisons", "trends", "amd", "economics")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_the_first_and_last_days_there_are_are_answered(client, version, path):
    early = client.get(f"/api/analytics/{path}/?script=card&to=0001-01-05")
    late = client.get(
        f"/api/analytics/{path}/?script=card&from=9999-12-01&to=9999-12-31"
    )

    assert early.status_code == 200
    assert early.json()["filters"]["from"] == "0001-01-01"
    assert late.status_code == 200
    assert late.json()["filters"]["to"] == "9999-12-31"


def test_the_trend_lists_every_day_up_to_the_last_day_there_is(client, version):
    response = client.get(
        "/api/analytics/trends/?script=card&from=9999-12-01&to=9999-12-31"
    )

    days = response.json()["days"]
    assert (len(days), days[0]["day"], days[-1]["day"]) == (
        31,
        "9999-12-01",
        "9999-12-31",
    )


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_range_longer_than_366_days_is_a_400(client, version, path):
    response = client.get(
        f"/api/analytics/{path}/?script=card&from=0001-01-01&to=9999-12-31"
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid_filter",
            "field": "from",
            "message": "The range is limited to 366 days; "
            "0001-01-01 to 9999-12-31 is 3652059.",
        }
    }


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_segment_with_no_calls_is_answered_with_a_warning(client, calls, path):
    unknown = get(client, path, "segment=vip")
    known = get(client, path, "segment=active")

    assert unknown.status_code == 200
    assert unknown.json()["warnings"] == ["no calls of segment 'vip' in this version"]
    assert known.json()["warnings"] == []


def test_dates_in_the_wrong_order_are_a_400(client, version):
    response = client.get(
        "/api/analytics/nodes/?script=card&from=2026-03-05&to=2026-03-01"
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "'from' (2026-03-05) is after 'to' (2026-03-01)."
    )


def test_the_script_is_required(client, version):
    response = client.get("/api/analytics/funnel/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


def test_another_teams_script_does_not_exist(calls, other_team):
    _, key = ApiToken.issue(team=other_team)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = get(client, "funnel")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "script_not_found",
        "message": "Team globex has no script 'card'.",
    }


def test_a_session_user_sees_their_teams_scripts(calls, team):
    user = get_user_model().objects.create_user("ann", password="pw-ann-123")
    Membership.objects.create(user=user, team=team, role=Membership.Role.VIEWER)
    client = APIClient()
    client.force_login(user)

    assert get(client, "nodes").status_code == 200
    assert APIClient().get("/api/analytics/nodes/?script=card").status_code == 401


def test_variants_compared_through_the_api(client, calls):
    response = get(client, "comparisons", "breakdown=segment")

    comparisons = response.json()["comparisons"]
    assert [(c["segment"], c["node"]) for c in comparisons] == [
        ("active", "greeting"), ("inactive", "greeting"),
    ]  # fmt: skip
    assert [v["variant"] for v in comparisons[0]["variants"]] == ["a"]
    overall = get(client, "comparisons").json()["comparisons"][0]
    assert [(v["variant"], v["calls"], v["target_action"]) for v in overall["variants"]] == [
        ("a", 10, 2), ("b", 4, 1),
    ]  # fmt: skip
    (target, moved_on) = overall["tests"]
    # 1/4 - 2/10 = 0.05; pooled 3/14, z = 0.05 / sqrt(3/14·11/14·(1/10 + 1/4))
    # = 0.2060, p = 0.8368.
    assert target["difference"] == pytest.approx(0.05)
    assert target["z"] == pytest.approx(0.2060, abs=1e-4)
    assert target["p_value"] == pytest.approx(0.8368, abs=1e-4)


def test_costs_per_call_per_target_action_and_per_variant(client, calls, team):
    CostRate.objects.create(
        team=team, robot_minute=Decimal("0.10"), recognition_minute=Decimal("0.05"),
        operator_minute=Decimal("0.50"), per_transfer=Decimal("1.00"),
        operator_minutes_per_transfer=Decimal("3"),
    )  # fmt: skip

    data = get(client, "economics").json()

    assert data["rates"]["scope"] == "team"
    assert (data["calls"], data["transfers"], data["target_actions"]) == (14, 3, 3)
    # Three transfers: 3 × (1.00 + 3 min × 0.50) = 7.50 on top of the robot
    # and recognition minutes.
    assert data["cost"]["operator"] == 4.5
    assert data["cost"]["transfers"] == 3.0
    robot = round(data["robot_minutes"] * 0.10, 4)
    assert data["cost"]["robot"] == pytest.approx(robot, abs=1e-4)
    total = data["cost"]["total"]
    assert data["cost_per_call"] == pytest.approx(total / 14, abs=1e-4)
    assert data["cost_per_target_action"] == pytest.approx(total / 3, abs=1e-4)
    assert [(v["node"], v["variant"], v["calls"], v["transfers"]) for v in data["variants"]] == [
        ("greeting", "a", 10, 2), ("greeting", "b", 4, 1),
    ]  # fmt: skip


def test_script_rates_win_over_the_team_default(client, calls, team):
    CostRate.objects.create(team=team, per_transfer=Decimal("1.00"))
    CostRate.objects.create(
        team=team, script=calls.script, per_transfer=Decimal("2.00")
    )

    data = get(client, "economics").json()

    assert data["rates"]["scope"] == "script"
    assert data["cost"]["transfers"] == 6.0


def test_a_version_filter_picks_that_version(client, calls, team):
    script = calls.script
    changed = {**DOCUMENT, "variables": {**DOCUMENT.get("variables", {}), "extra": {}}}
    services.draft_save(
        script=script, document=changed, base_revision=None, author=None
    )
    services.script_publish(script=script, author=None)

    latest = get(client, "funnel").json()
    first = get(client, "funnel", "version=1").json()

    assert latest["filters"]["version"] == 2
    assert latest["stages"][0]["count"] == 0
    assert first["stages"][0]["count"] == 14


def test_the_comparisons_csv_has_the_variants_table_then_the_tests(client, calls):
    response = get(client, "comparisons", "format=csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["table"], r["node"], r["variant"], r["calls"], r["moved_on"],
             r["target_action"], r["target_action_rate"], r["ab_test"])
            for r in rows[:2]] == [
        ("variants", "greeting", "a", "10", "4", "2", "0.2", "true"),
        ("variants", "greeting", "b", "4", "4", "1", "0.25", "true"),
    ]  # fmt: skip
    assert [(r["table"], r["metric"], r["control"], r["variant"], r["significant"])
            for r in rows[2:]] == [
        ("tests", "target_action", "a", "b", "false"),
        ("tests", "moved_on", "a", "b", "true"),
    ]  # fmt: skip


def test_lists_in_csv_are_columns_of_their_own(client, calls):
    response = get(client, "nodes", "format=csv")

    greeting = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert [greeting[f"heard_in_prompt.quarters.{i}"] for i in (1, 2, 3, 4)] == [
        "0", "0", "6", "0",
    ]  # fmt: skip


SEGMENT_DOCUMENT = {
    **DOCUMENT,
    "nodes": [
        {**node, "prompt": {"variants": [
            {"id": "a", "text": "We have a card for you. Shall I connect you?",
             "segment": "active"},
            {"id": "b", "text": "We have a card for you. Shall I connect you?",
             "segment": "inactive"},
            {"id": "c", "text": "We have a card for you. Shall I connect you?"},
        ]}} if node["id"] == "offer" else
        {**node, "prompt": {"variants": node["prompt"]["variants"][:1]}}
        if node["id"] == "greeting" else node
        for node in DOCUMENT["nodes"]
    ],
}  # fmt: skip


@pytest.fixture
def segment_calls(team, tmp_path):
    """A script whose offer says variant a to active contacts, b to inactive
    ones and c to the others: segment variants, no A/B test."""
    script = services.script_create(
        team=team, slug="seg", name="Seg", language="en", document=SEGMENT_DOCUMENT
    )
    services.script_publish(script=script, author=None)
    what = [("active", "hangs_up_in_greeting")] * 2 + [("active", "transferred")] * 2 + [
        ("active", "refuses"), ("inactive", "transferred"), ("inactive", "refuses"),
        ("other", "transferred"),
    ]  # fmt: skip
    simulate(tmp_path, [
        {"script": "seg", "segment": segment, "call_id": f"seg-{n}",
         "started_at": "2026-03-02T09:00:00+00:00", **BEHAVIOURS[behaviour]}
        for n, (segment, behaviour) in enumerate(what)
    ])  # fmt: skip


def test_segment_variants_are_compared_only_within_a_segment(client, segment_calls):
    response = client.get(f"/api/analytics/comparisons/?script=seg&{DAYS}")

    assert [
        (c["segment"], c["ab_test"], c.get("note"),
         [(v["variant"], v["calls"], v["target_action"]) for v in c["variants"]],
         c["tests"])
        for c in response.json()["comparisons"]
    ] == [
        ("active", False, "segment variants, not an A/B test", [("a", 3, 2)], []),
        ("inactive", False, "segment variants, not an A/B test", [("b", 2, 1)], []),
        ("other", False, "segment variants, not an A/B test", [("c", 1, 1)], []),
    ]  # fmt: skip


def test_calls_that_never_reached_the_node_are_labelled_not_reached(
    client, segment_calls
):
    response = client.get(
        f"/api/analytics/funnel/?script=seg&{DAYS}&breakdown=variant&node=offer"
    )

    assert [(g["variant"], g["stages"][0]["count"]) for g in response.json()["groups"]] == [
        ("(not reached)", 2), ("a", 3), ("b", 2), ("c", 1),
    ]  # fmt: skip
