"""A population of 2500 simulated calls with known proportions comes out
exactly in the funnel, the node table and the A/B comparison, in total,
per segment, per variant and per both (population in conftest.py)."""

import pytest

from analytics import queries
from analytics.filters import Filters

pytestmark = pytest.mark.django_db

ALL_DAYS = {"from": "2026-03-01", "to": "2026-03-05"}


def figures(version, query, **params):
    return query(Filters.parse(version.script, {**ALL_DAYS, **params}))


def counts(stages):
    return [(s["name"], s["count"]) for s in stages]


def test_the_funnel_of_all_calls(population):
    stages = figures(population, queries.funnel)["stages"]

    assert stages == [
        {"name": "started", "count": 2500, "share_of_previous": 1.0, "share_of_all": 1.0},
        {"name": "answered", "count": 2500, "share_of_previous": 1.0, "share_of_all": 1.0},
        {"name": "human", "count": 2500, "share_of_previous": 1.0, "share_of_all": 1.0},
        {"name": "greeting_heard", "count": 850, "share_of_previous": 0.34,
         "share_of_all": 0.34},
        {"name": "offer_heard", "count": 663, "share_of_previous": 0.78,
         "share_of_all": 0.2652},
        {"name": "target_action", "count": 85, "share_of_previous": 0.1282,
         "share_of_all": 0.034},
    ]  # fmt: skip


def test_the_funnel_of_one_segment_and_of_one_variant(population):
    inactive = figures(population, queries.funnel, segment="inactive")["stages"]
    variant_b = figures(population, queries.funnel, variant="greeting:b")["stages"]
    both = figures(population, queries.funnel, segment="active", variant="greeting:a")

    # inactive: 650 + 550 calls, 430 + 360 hang up in the greeting,
    # 50 + 42 in the offer, 20 + 15 transferred.
    assert counts(inactive) == [
        ("started", 1200), ("answered", 1200), ("human", 1200),
        ("greeting_heard", 410), ("offer_heard", 318), ("target_action", 35),
    ]  # fmt: skip
    assert counts(variant_b) == [
        ("started", 1150), ("answered", 1150), ("human", 1150),
        ("greeting_heard", 390), ("offer_heard", 303), ("target_action", 35),
    ]  # fmt: skip
    assert counts(both["stages"]) == [
        ("started", 700), ("answered", 700), ("human", 700),
        ("greeting_heard", 240), ("offer_heard", 190), ("target_action", 30),
    ]  # fmt: skip


def test_the_funnel_broken_down_by_segment_and_variant_at_once(population):
    groups = figures(
        population, queries.funnel, breakdown="segment,variant", node="greeting"
    )["groups"]

    found = {(g["segment"], g["variant"]): counts(g["stages"])[3:] for g in groups}
    assert found == {
        ("active", "a"): [("greeting_heard", 240), ("offer_heard", 190),
                          ("target_action", 30)],
        ("active", "b"): [("greeting_heard", 200), ("offer_heard", 155),
                          ("target_action", 20)],
        ("inactive", "a"): [("greeting_heard", 220), ("offer_heard", 170),
                            ("target_action", 20)],
        ("inactive", "b"): [("greeting_heard", 190), ("offer_heard", 148),
                            ("target_action", 15)],
    }  # fmt: skip


def test_the_node_table(population):
    rows = {r["node"]: r for r in figures(population, queries.nodes)["nodes"]}

    greeting = rows["greeting"]
    assert (greeting["type"], greeting["entered"], greeting["hung_up_in_prompt"]) == (
        "greeting", 2500, 1650)  # fmt: skip
    # Callers hang up half-way: variant a (2.229 s) after 1.115 s, 890
    # times; b (4.443 s) after 2.221 s, 760 times; (890·1.115 + 760·2.221)
    # / 1650 = 1.624. Half of b rounds to 0.49989: the second quarter.
    assert greeting["heard_in_prompt"] == {
        "mean_seconds": 1.624, "mean_share": 0.5, "quarters": [0, 760, 890, 0]
    }
    assert greeting["moved_on"] == 850
    assert greeting["ended"]["dropped"] == 1650
    assert rows["offer"]["entered"] == 850
    assert rows["offer"]["hung_up_in_prompt"] == 187
    assert rows["offer"]["heard_in_prompt"]["mean_seconds"] == 2.293
    assert rows["offer"]["moved_on"] == 663
    assert rows["offer"]["ended"]["dropped"] == 187
    assert rows["transfer"]["entered"] == 85
    assert rows["transfer"]["ended"]["transfer"] == 85
    assert rows["end_refusal"]["ended"]["refusal"] == 578
    assert rows["end_no_response"]["entered"] == 0
    assert [r["hung_up_listening"] for r in rows.values()] == [0] * 6


def test_the_node_table_of_one_variant_and_segment(population):
    rows = {
        r["node"]: r
        for r in figures(
            population, queries.nodes, segment="inactive", variant="greeting:b"
        )["nodes"]
    }

    assert rows["greeting"]["hung_up_in_prompt"] == 360
    assert rows["greeting"]["heard_in_prompt"]["mean_seconds"] == 2.221
    assert rows["offer"]["entered"] == 190
    assert rows["offer"]["hung_up_in_prompt"] == 42
    assert rows["transfer"]["entered"] == 15
    assert rows["end_refusal"]["entered"] == 133


def test_the_greeting_variants_compared(population):
    (comparison,) = figures(population, queries.comparisons)["comparisons"]

    assert comparison["node"] == "greeting"
    assert [
        (v["variant"], v["calls"], v["moved_on"], v["target_action"])
        for v in comparison["variants"]
    ] == [("a", 1350, 460, 50), ("b", 1150, 390, 35)]
    target, moved_on = comparison["tests"]
    # Worked out by hand in test_stats.py.
    assert target["metric"] == "target_action"
    assert target["difference"] == pytest.approx(-0.006602, abs=1e-6)
    assert target["p_value"] == pytest.approx(0.3640, abs=1e-4)
    assert target["more_per_arm_needed"] == 10589
    # 390/1150 - 460/1350 = -0.00161; z = -0.0847, p = 0.9325.
    assert moved_on["difference"] == pytest.approx(-0.00161, abs=1e-5)
    assert (moved_on["ci_low"], moved_on["ci_high"]) == pytest.approx(
        (-0.03887, 0.03564), abs=1e-5
    )
    assert moved_on["p_value"] == pytest.approx(0.9325, abs=1e-4)
    assert moved_on["sample_size_per_arm"] == 1358325


def test_days_and_local_hours(population):
    trends = figures(population, queries.trends)

    days = {d["day"]: d["calls"] for d in trends["days"] if d["calls"]}
    # Calls alternate between the two days; 09:00 and 15:00 UTC are 12 and
    # 18 o'clock in Moscow.
    assert days == {"2026-03-02": 1250, "2026-03-03": 1250}
    hours = {h["hour"]: h["calls"] for h in trends["hours"] if h["calls"]}
    assert hours == {12: 1250, 18: 1250}
    one_day = figures(population, queries.funnel, **{"from": "2026-03-03"})
    assert one_day["stages"][0]["count"] == 1250
