"""Adding finished calls to the counters, and recounting them from the log.

``count_closed_calls`` receives ``runtime.eventlog.calls_closed`` inside
the transaction that closes the calls, so the counters change together
with the event log or not at all. ``rebuild`` throws the counters away and
recounts every call from the raw events, through the same ``call_facts``.
"""

import logging
from collections import defaultdict

from django.db import connection, transaction

from analytics.facts import OUTCOMES, call_facts, version_shape
from analytics.models import CallDaily, NodeDaily
from runtime.models import CallEvent, CallSession

logger = logging.getLogger("outcall.analytics")

CALL_SUMS = (
    "calls", "answered", "human", "greeting_heard", "offer_heard", "target_action",
    "amd_machine", "target_reached", "duration_ms", "recognition_ms",
    *(f"outcome_{o}" for o in OUTCOMES),
)  # fmt: skip
NODE_SUMS = (
    "entered", "calls", "hung_up_in_prompt", "heard_ms", "heard_permille",
    "heard_q1", "heard_q2", "heard_q3", "heard_q4", "hung_up_listening",
    "no_match", "no_input", "moved_on", "calls_moved_on", "calls_target",
    *(f"ended_{o}" for o in OUTCOMES),
)  # fmt: skip
CALL_CELL = ("version_id", "day", "hour", "source", "segment", "variants")
NODE_CELL = ("version_id", "day", "source", "segment", "variants", "node")


class Tally:
    """Counter increments gathered in memory, written in a few statements."""

    def __init__(self):
        self.calls = defaultdict(lambda: [0] * len(CALL_SUMS))
        self.nodes = defaultdict(lambda: [0] * len(NODE_SUMS))

    def add(self, version_id: int, facts, *, times: int = 1) -> None:
        """Add the facts of one call, or of ``times`` calls alike."""
        cell = (version_id, facts.day, facts.hour, facts.source, facts.segment,
                facts.variants)  # fmt: skip
        sums = self.calls[cell]
        values = (
            1,
            *(int(facts.stages[s]) for s in CALL_SUMS[1:6]),
            int(facts.amd_machine),
            int(facts.target_reached),
            facts.duration_ms,
            facts.recognition_ms,
            *(int(facts.outcome == o) for o in OUTCOMES),
        )
        for i, value in enumerate(values):
            sums[i] += value * times

        for node, n in facts.nodes.items():
            cell = (version_id, facts.day, facts.source, facts.segment,
                    facts.variants, node)  # fmt: skip
            sums = self.nodes[cell]
            values = (
                n.entered, n.calls, n.hung_up_in_prompt, n.heard_ms,
                n.heard_permille, *n.heard_quarters, n.hung_up_listening,
                n.no_match, n.no_input, n.moved_on, n.calls_moved_on,
                n.calls_target, *(n.ended.get(o, 0) for o in OUTCOMES),
            )  # fmt: skip
            for i, value in enumerate(values):
                sums[i] += value * times

    def write(self) -> None:
        _upsert(CallDaily, CALL_CELL, CALL_SUMS, self.calls)
        _upsert(NodeDaily, NODE_CELL, NODE_SUMS, self.nodes)
        self.calls.clear()
        self.nodes.clear()


# Rows per statement: a few round trips instead of one per row, within
# SQLite's limit on parameters (32,766) for the widest row (29 columns).
UPSERT_ROWS = 200


def _upsert(model, cell_fields, sum_fields, cells) -> None:
    """``INSERT ... ON CONFLICT DO UPDATE`` adding to the stored sums
    (PostgreSQL and SQLite both accept this form), many rows a statement.
    Each cell is one key of ``cells``, so no statement touches a row twice."""
    if not cells:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [*cell_fields, *sum_fields]
    updates = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in sum_fields)
    row_sql = f"({', '.join(['%s'] * len(columns))})"
    # A fixed order of cells keeps concurrent writers from deadlocking.
    rows = [(*key, *sums) for key, sums in sorted(cells.items(), key=_cell_order)]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES {', '.join([row_sql] * len(chunk))} "
                f"ON CONFLICT ({', '.join(cell_fields)}) DO UPDATE SET {updates}",
                [value for row in chunk for value in row],
            )


def _cell_order(item):
    return tuple(str(part) for part in item[0])


class Shapes:
    """The node types and A/B nodes of versions, read once each."""

    def __init__(self):
        self._shapes = {}

    def __call__(self, version) -> tuple[dict, set]:
        if version.pk not in self._shapes:
            self._shapes[version.pk] = version_shape(version.document)
        return self._shapes[version.pk]


def count_closed_calls(sender, *, calls, **kwargs) -> None:
    """Receiver of ``calls_closed``: add the calls to the counters.

    ``calls`` holds (session, events) pairs; events are ``None`` when they
    were written in earlier batches, and are then read back.
    """
    shapes = Shapes()
    tally = Tally()
    for session, events in calls:
        if events is None:
            events = CallEvent.objects.filter(session=session).order_by("seq")
        node_types, ab_nodes = shapes(session.version)
        facts = call_facts(session, events, node_types=node_types, ab_nodes=ab_nodes)
        tally.add(session.version_id, facts)
    tally.write()


def rebuild(*, versions=None, chunk: int = 2000) -> int:
    """Recount the calls of ``versions`` (all when ``None``) from the raw
    event log; returns the number of calls counted. One transaction."""
    sessions = CallSession.objects.select_related("version").order_by("pk")
    calls_daily = CallDaily.objects.all()
    nodes_daily = NodeDaily.objects.all()
    if versions is not None:
        ids = [v.pk for v in versions]
        sessions = sessions.filter(version_id__in=ids)
        calls_daily = calls_daily.filter(version_id__in=ids)
        nodes_daily = nodes_daily.filter(version_id__in=ids)

    shapes = Shapes()
    counted = 0
    with transaction.atomic():
        calls_daily.delete()
        nodes_daily.delete()
        last_pk = 0
        while True:
            batch = list(sessions.filter(pk__gt=last_pk)[:chunk])
            if not batch:
                break
            last_pk = batch[-1].pk
            events = defaultdict(list)
            rows = (
                CallEvent.objects.filter(session_id__in=[s.pk for s in batch])
                .order_by("session_id", "seq")
                .only("session_id", "kind", "node", "offset", "data")
            )
            for event in rows.iterator(chunk_size=5000):
                events[event.session_id].append(event)
            tally = Tally()
            for session in batch:
                if session.ended_at is None:
                    continue  # still in progress: counted when it closes
                node_types, ab_nodes = shapes(session.version)
                facts = call_facts(
                    session,
                    events[session.pk],
                    node_types=node_types,
                    ab_nodes=ab_nodes,
                )
                tally.add(session.version_id, facts)
                counted += 1
            tally.write()
    logger.info("analytics rebuilt: %s calls counted", counted)
    return counted
