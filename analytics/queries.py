"""The figures of the dashboards and the API, read from the counters.

Every function takes parsed ``Filters`` and answers plain dicts and lists
(the API serialises them as they are). Stage and node definitions live in
``analytics.facts`` and docs/analytics.md.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from analytics.counting import CALL_SUMS, NODE_SUMS
from analytics.facts import OUTCOMES, STAGES, parse_variants_key
from analytics.filters import Filters
from analytics.models import CallDaily, CostRate, NodeDaily
from analytics.stats import compare_proportions

NO_VARIANT = "(not reached)"  # the variant of a call that never reached the node
SEGMENT_VARIANTS = "segment variants, not an A/B test"


def _cells(model, filters: Filters):
    rows = model.objects.filter(
        version=filters.version,
        day__gte=filters.day_from,
        day__lte=filters.day_to,
        source__in=filters.sources,
    )
    if filters.segment is not None:
        rows = rows.filter(segment=filters.segment)
    if filters.variant is not None:
        keys = set(rows.values_list("variants", flat=True).distinct())
        rows = rows.filter(variants__in=[k for k in keys if filters.variant_matches(k)])
    return rows


def _sums(rows, fields, by=()) -> list[dict]:
    sums = {f: Sum(f) for f in fields}
    if not by:
        return [rows.aggregate(**sums)]
    return list(rows.values(*by).annotate(**sums).order_by())


def _add(total: dict, row: dict, fields) -> None:
    for f in fields:
        total[f] = total.get(f, 0) + (row[f] or 0)


def _group_key(filters: Filters, row: dict, *, node=None) -> tuple:
    key = []
    for part in filters.breakdown:
        if part == "segment":
            key.append(row["segment"])
        else:
            key.append(_variant_label(row["variants"], node or filters.node))
    return tuple(key)


def _variant_label(key: str, node: str | None) -> str:
    if node is None:
        return key
    return parse_variants_key(key).get(node, NO_VARIANT)


def _grouped(filters, rows, fields, *, node=None) -> dict:
    groups = defaultdict(dict)
    for row in rows:
        _add(groups[_group_key(filters, row, node=node)], row, fields)
    return dict(sorted(groups.items()))


def _group_labels(filters: Filters, key: tuple) -> dict:
    return dict(zip(filters.breakdown, key))


def _breakdown_fields(filters: Filters) -> tuple:
    by = []
    if "segment" in filters.breakdown:
        by.append("segment")
    if "variant" in filters.breakdown:
        by.append("variants")
    return tuple(by)


# The funnel.


def funnel_stages(sums: dict) -> list[dict]:
    stages, previous, started = [], None, sums.get("calls", 0)
    for name in STAGES:
        count = sums.get("calls" if name == "started" else name, 0)
        stages.append(
            {
                "name": name,
                "count": count,
                "share_of_previous": _share(
                    count, previous if previous is not None else count
                ),
                "share_of_all": _share(count, started),
            }
        )
        previous = count
    return stages


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def funnel(filters: Filters) -> dict:
    rows = _sums(_cells(CallDaily, filters), CALL_SUMS, _breakdown_fields(filters))
    total = {}
    for row in rows:
        _add(total, row, CALL_SUMS)
    answer = {"filters": filters.as_dict(), "stages": funnel_stages(total)}
    if filters.breakdown:
        answer["groups"] = [
            {**_group_labels(filters, key), "stages": funnel_stages(sums)}
            for key, sums in _grouped(filters, rows, CALL_SUMS).items()
        ]
    return answer


# The node table.


def node_row(node: dict, sums: dict) -> dict:
    hung = sums.get("hung_up_in_prompt", 0)
    return {
        "node": node["id"],
        "type": node.get("type"),
        "entered": sums.get("entered", 0),
        "calls": sums.get("calls", 0),
        "hung_up_in_prompt": hung,
        "heard_in_prompt": {
            "mean_seconds": round(sums.get("heard_ms", 0) / hung / 1000, 3)
            if hung
            else None,
            "mean_share": round(sums.get("heard_permille", 0) / hung / 1000, 3)
            if hung
            else None,
            "quarters": [sums.get(f"heard_q{i}", 0) for i in range(1, 5)],
        },
        "hung_up_listening": sums.get("hung_up_listening", 0),
        "no_match": sums.get("no_match", 0),
        "no_input": sums.get("no_input", 0),
        "moved_on": sums.get("moved_on", 0),
        "ended": {o: sums.get(f"ended_{o}", 0) for o in OUTCOMES},
    }


def _node_rows(filters: Filters, per_node: dict) -> list[dict]:
    return [
        node_row(node, per_node.get(node["id"], {}))
        for node in filters.version.document.get("nodes", [])
    ]


def nodes(filters: Filters) -> dict:
    by = ("node", *_breakdown_fields(filters))
    rows = _sums(_cells(NodeDaily, filters), NODE_SUMS, by)
    per_node = defaultdict(dict)
    for row in rows:
        _add(per_node[row["node"]], row, NODE_SUMS)
    answer = {"filters": filters.as_dict(), "nodes": _node_rows(filters, per_node)}
    if filters.breakdown:
        groups = defaultdict(lambda: defaultdict(dict))
        for row in rows:
            _add(groups[_group_key(filters, row)][row["node"]], row, NODE_SUMS)
        answer["groups"] = [
            {**_group_labels(filters, key), "nodes": _node_rows(filters, per_node)}
            for key, per_node in sorted(groups.items())
        ]
    return answer


# A/B comparisons.


def _variant_ids(filters: Filters, node_id: str) -> list[str]:
    for node in filters.version.document.get("nodes", []):
        if node["id"] == node_id:
            return [v["id"] for v in node["prompt"]["variants"]]
    return []


def _segment_pools(filters: Filters, node_id: str) -> dict | None:
    """For a node with segment-bound variants, the variants each segment
    draws from ({segment: ids}, None for the default ones); None for a node
    whose variants all apply to every segment."""
    for node in filters.version.document.get("nodes", []):
        if node["id"] == node_id:
            variants = node["prompt"]["variants"]
            if not any(v.get("segment") for v in variants):
                return None
            pools = defaultdict(list)
            for v in variants:
                pools[v.get("segment") or None].append(v["id"])
            return dict(pools)
    return None


def comparisons(filters: Filters) -> dict:
    """Per A/B node: each variant's conversions, and each variant against
    the node's first variant (the control). Variants bound to segments are
    compared only within a segment, among the variants that segment draws
    from; a segment with one of them is no A/B test and has no tests."""
    wanted = [filters.node] if filters.node else sorted(filters.ab_nodes)
    rows = _sums(
        _cells(NodeDaily, filters).filter(node__in=wanted),
        ("calls", "calls_moved_on", "calls_target"),
        ("node", "variants", "segment"),
    )
    answer = []
    for node_id in wanted:
        pools = _segment_pools(filters, node_id)
        split = pools is not None or "segment" in filters.breakdown
        cells = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
        for row in rows:
            if row["node"] != node_id:
                continue
            segment = row["segment"] if split else None
            variant = parse_variants_key(row["variants"]).get(node_id, NO_VARIANT)
            sums = cells[segment][variant]
            sums[0] += row["calls"]
            sums[1] += row["calls_moved_on"]
            sums[2] += row["calls_target"]
        for segment, per_variant in sorted(cells.items(), key=lambda i: str(i[0])):
            pool = None
            if pools is not None:
                pool = pools.get(segment) or pools.get(None, [])
            answer.append(
                _node_comparison(filters, node_id, segment, per_variant, pool)
            )
    return {"filters": filters.as_dict(), "comparisons": answer}


def _node_comparison(filters, node_id, segment, per_variant, pool=None) -> dict:
    order = [v for v in _variant_ids(filters, node_id) if v in per_variant]
    order += sorted(v for v in per_variant if v not in order)
    variants = [
        {
            "variant": v,
            "calls": per_variant[v][0],
            "moved_on": per_variant[v][1],
            "target_action": per_variant[v][2],
            "moved_on_rate": _share(per_variant[v][1], per_variant[v][0]),
            "target_action_rate": _share(per_variant[v][2], per_variant[v][0]),
        }
        for v in order
    ]
    ab_test = pool is None or len(pool) > 1
    arms = [v for v in variants if pool is None or v["variant"] in pool]
    tests = []
    if ab_test and arms:
        control = arms[0]
        for other in arms[1:]:
            for metric in ("target_action", "moved_on"):
                result = compare_proportions(
                    control[metric], control["calls"], other[metric], other["calls"]
                )
                tests.append(
                    {
                        "metric": metric,
                        "control": control["variant"],
                        "variant": other["variant"],
                        **result.as_dict(),
                    }
                )
    answer = {"node": node_id, "ab_test": ab_test, "variants": variants, "tests": tests}
    if not ab_test:
        answer["note"] = SEGMENT_VARIANTS
    if segment is not None:
        answer = {"segment": segment, **answer}
    return answer


# Trends and answering machines.


TREND_FIELDS = (
    "calls", "answered", "human", "target_action", "amd_machine",
    *(f"outcome_{o}" for o in OUTCOMES),
)  # fmt: skip


def _trend_row(label: str, value, sums: dict) -> dict:
    return {
        label: value,
        "calls": sums.get("calls", 0),
        "answered": sums.get("answered", 0),
        "human": sums.get("human", 0),
        "target_action": sums.get("target_action", 0),
        "answering_machine_share": _share(
            sums.get("amd_machine", 0), sums.get("answered", 0)
        ),
        "outcomes": {o: sums.get(f"outcome_{o}", 0) for o in OUTCOMES},
    }


def trends(filters: Filters) -> dict:
    cells = _cells(CallDaily, filters)
    days = {r["day"]: r for r in _sums(cells, TREND_FIELDS, ("day",))}
    hours = {r["hour"]: r for r in _sums(cells, TREND_FIELDS, ("hour",))}
    per_day = []
    for ordinal in range(filters.day_from.toordinal(), filters.day_to.toordinal() + 1):
        day = date.fromordinal(ordinal)
        per_day.append(_trend_row("day", day.isoformat(), days.get(day, {})))
    per_hour = [_trend_row("hour", h, hours.get(h, {})) for h in range(24)]
    return {"filters": filters.as_dict(), "days": per_day, "hours": per_hour}


def amd(filters: Filters) -> dict:
    cells = _cells(CallDaily, filters)
    fields = ("answered", "amd_machine")
    total = {}
    for row in _sums(cells, fields):
        _add(total, row, fields)
    days = {r["day"]: r for r in _sums(cells, fields, ("day",))}
    return {
        "filters": filters.as_dict(),
        "answered": total.get("answered", 0),
        "answering_machine": total.get("amd_machine", 0),
        "share": _share(total.get("amd_machine", 0), total.get("answered", 0)),
        "days": [
            {
                "day": day.isoformat(),
                "answered": row["answered"],
                "answering_machine": row["amd_machine"],
                "share": _share(row["amd_machine"], row["answered"]),
            }
            for day, row in sorted(days.items())
        ],
    }


# Unit economics.


def rates_for(script) -> CostRate | None:
    """The script's own rates, else its team's default rates."""
    own = CostRate.objects.filter(script=script).first()
    return own or CostRate.objects.filter(team_id=script.team_id, script=None).first()


ECONOMY_FIELDS = (
    "calls",
    "target_reached",
    "duration_ms",
    "recognition_ms",
    "outcome_transfer",
)
MS_PER_MINUTE = Decimal(60000)
CENT = Decimal("0.0001")


def costs(rate: CostRate | None, sums: dict) -> dict:
    calls = sums.get("calls", 0)
    targets = sums.get("target_reached", 0)
    transfers = sums.get("outcome_transfer", 0)
    robot_minutes = Decimal(sums.get("duration_ms", 0)) / MS_PER_MINUTE
    recognition_minutes = Decimal(sums.get("recognition_ms", 0)) / MS_PER_MINUTE
    if rate is None:
        robot = recognition = operator = transfer = Decimal(0)
        operator_minutes = Decimal(0)
    else:
        operator_minutes = rate.operator_minutes_per_transfer * transfers
        robot = rate.robot_minute * robot_minutes
        recognition = rate.recognition_minute * recognition_minutes
        operator = rate.operator_minute * operator_minutes
        transfer = rate.per_transfer * transfers
    total = robot + recognition + operator + transfer

    def money(value):
        return float(value.quantize(CENT))

    return {
        "calls": calls,
        "target_actions": targets,
        "transfers": transfers,
        "robot_minutes": money(robot_minutes),
        "recognition_minutes": money(recognition_minutes),
        "operator_minutes": money(operator_minutes),
        "cost": {
            "robot": money(robot),
            "recognition": money(recognition),
            "operator": money(operator),
            "transfers": money(transfer),
            "total": money(total),
        },
        "cost_per_call": money(total / calls) if calls else None,
        "cost_per_target_action": money(total / targets) if targets else None,
    }


def economics(filters: Filters) -> dict:
    rate = rates_for(filters.script)
    rows = _sums(_cells(CallDaily, filters), ECONOMY_FIELDS, ("variants",))
    total = {}
    for row in rows:
        _add(total, row, ECONOMY_FIELDS)
    per_variant = []
    for node_id in sorted(filters.ab_nodes):
        groups = defaultdict(dict)
        for row in rows:
            variant = parse_variants_key(row["variants"]).get(node_id, NO_VARIANT)
            _add(groups[variant], row, ECONOMY_FIELDS)
        for variant, sums in sorted(groups.items()):
            per_variant.append(
                {"node": node_id, "variant": variant, **costs(rate, sums)}
            )
    return {
        "filters": filters.as_dict(),
        "rates": _rates_dict(rate),
        **costs(rate, total),
        "variants": per_variant,
    }


def _rates_dict(rate: CostRate | None) -> dict | None:
    if rate is None:
        return None
    return {
        "scope": "script" if rate.script_id else "team",
        "currency": rate.currency,
        "robot_minute": str(rate.robot_minute),
        "recognition_minute": str(rate.recognition_minute),
        "operator_minute": str(rate.operator_minute),
        "per_transfer": str(rate.per_transfer),
        "operator_minutes_per_transfer": str(rate.operator_minutes_per_transfer),
    }
