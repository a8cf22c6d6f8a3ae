"""Analytics at volume: funnel and node-table latency over 10 million
events, and the ingestion rate of the event-log write path.

Creates a PostgreSQL database of its own (``analytics_bench`` on the
server of ``BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``),
migrates it, loads the demo scripts, and seeds calls of the English demo
script by COPY: sessions and events spread over 40 days, and the counters
computed from the same calls by ``analytics.facts`` / ``counting.Tally``
(what counting as calls close writes). Then it times the funnel and the
node table of the version over the last 30 days, and the rate at which
``BulkCallWriter`` (events, sessions and counters in one transaction)
takes simulated calls. The database is dropped at the end.

    .venv/bin/python bench/analytics.py [--events 10000000]
"""

import argparse
import io
import os
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "analytics_bench"
os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outcall.settings")

# What callers of the demo script do, as text turns, with a share each.
PATTERNS = [
    (["Hello"], 1, 30),  # hangs up during the greeting
    ([], 1, 20),
    (["yes", "yes, speaking"], 3, 12),  # hangs up in the offer
    (["yes", "yes, speaking", "yes, I'd like that"], None, 6),
    (["yes", "yes, speaking", "no, not interested", "no"], None, 10),
    (["yes", "yes, speaking", "too expensive", "yes"], None, 3),
    (["you have reached the voicemail of", ""], None, 8),
    ([None, None, None], None, 6),
    (["call me back tomorrow"], None, 5),
]
SEGMENTS = ["triggers", "active", "inactive"]
SOURCES = ["live"] * 8 + ["simulation"] + ["replay"]
DAYS = 40


def server_sql(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def setup_django():
    server_sql(f"DROP DATABASE IF EXISTS {DATABASE}")
    server_sql(f"CREATE DATABASE {DATABASE}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())


def templates(version):
    """Calls of each pattern, segment and greeting variant, run once by the
    engine; the seed repeats them with other ids, times and sources."""
    from runtime.engine import Contact, compile_script
    from runtime.simulation import run_text_call

    compiled = compile_script(version.document)
    found = {}
    n = 0
    variables = {"name": "Anna", "limit": "5000"}
    for index, (turns, hangup_after, _) in enumerate(PATTERNS):
        for segment in SEGMENTS:
            seen = set()
            for attempt in range(60):
                n += 1
                contact = Contact(phone="+100", segment=segment, variables=variables)
                text_call = run_text_call(
                    compiled, call_id=f"t{n}", contact=contact,
                    turns=[t for t in turns if t != ""] or [],
                    hangup_after=hangup_after,
                )  # fmt: skip
                variant = text_call.call.variant_choices.get("greeting")
                if variant in seen:
                    continue
                seen.add(variant)
                found[(index, segment, variant)] = (
                    text_call.call,
                    text_call.call.drain_log(),
                    text_call.end_offset,
                )
    return found


class Seeded:
    pass


def seed(version, total_events: int, rng: random.Random):
    from analytics.counting import Tally
    from analytics.facts import call_facts, version_shape
    from django.db import connection
    from runtime.eventlog import finished_session

    cells = templates(version)
    keys = list(cells)
    weights = [PATTERNS[k[0]][2] for k in keys]
    node_types, ab_nodes = version_shape(version.document)
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = today - timedelta(days=DAYS - 1)

    # A call's facts depend on its session only through the day, the local
    # hour and the source (the rest is the template's), so the facts of each
    # template are computed once and added once per distinct cell.
    import dataclasses
    import json
    from collections import Counter

    prepared = {}
    for key, (call, log, end_offset) in cells.items():
        session = finished_session(
            version=version, source="live", call=call, contact=call.contact,
            started_at=first_day, ended_offset=end_offset,
        )  # fmt: skip
        facts = call_facts(session, log, node_types=node_types, ab_nodes=ab_nodes)
        head = (
            f"\t{version.script_id}\t{version.pk}\t",
            f"\t+100\t{session.segment}\tEurope/Moscow\t{{}}\t"
            f"{json.dumps(session.variant_choices)}\t{session.outcome}\t"
            f"{session.end_node}\t",
        )
        rows = [
            (
                timedelta(seconds=round(e.offset, 3)),
                f"\t{i}\t{e.kind}\t{e.node or ''}\t{round(e.offset, 3)}\t",
                "\t" + json.dumps(e.data).replace("\\", "\\\\") + "\n",
            )
            for i, e in enumerate(log)
        ]
        prepared[key] = (facts, head, rows, timedelta(seconds=end_offset), end_offset)

    sessions = io.StringIO()
    events = io.StringIO()
    per_cell = Counter()
    written = calls = 0
    session_id = event_id = 0
    conn = connection.connection
    t0 = time.perf_counter()

    copy_seconds = [0.0]

    def copy_out():
        start = time.perf_counter()
        _copy()
        copy_seconds[0] += time.perf_counter() - start

    def _copy():
        with conn.cursor() as cursor:
            with cursor.copy(
                "COPY runtime_callsession (id, call_id, script_id, version_id, source,"
                " phone, segment, timezone, variables, variant_choices, outcome,"
                " end_node, started_at, ended_at, duration) FROM STDIN"
            ) as copy:
                copy.write(sessions.getvalue())
            with cursor.copy(
                "COPY runtime_callevent (id, session_id, seq, kind, node, \"offset\","
                " at, data) FROM STDIN"
            ) as copy:
                copy.write(events.getvalue())
        conn.commit()

    # Bulk loading: the event table's secondary indexes and constraints are
    # dropped during the COPY and built again once at the end.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'runtime_callevent'::regclass AND contype IN ('f', 'u')"
        )
        constraints = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f"ALTER TABLE runtime_callevent DROP CONSTRAINT {name}")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename ="
            " 'runtime_callevent' AND indexname NOT LIKE '%%pkey'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET synchronous_commit = off")

    chosen = rng.choices(keys, weights, k=total_events // 6 + 1000)
    moscow = timezone(timedelta(hours=3))
    for key in chosen:
        if written >= total_events:
            break
        facts, head, rows, length, end_offset = prepared[key]
        source = rng.choice(SOURCES)
        session_id += 1
        started = first_day + timedelta(seconds=rng.randrange(DAYS * 86400))
        sessions.write(
            f"{session_id}\tbench-{session_id}"
            + head[0] + source + head[1]
            + f"{started.isoformat()}\t{(started + length).isoformat()}\t{end_offset}\n"
        )
        id_text = str(session_id)
        for delta, middle, data in rows:
            event_id += 1
            events.write(
                f"{event_id}\t{id_text}{middle}{(started + delta).isoformat()}{data}"
            )
        written += len(rows)
        calls += 1
        per_cell[(key, started.date(), started.astimezone(moscow).hour, source)] += 1
        if calls % 25000 == 0:
            copy_out()
            sessions.seek(0), sessions.truncate()
            events.seek(0), events.truncate()
            print(f"  {written:,} events seeded", flush=True, end="\r")
    copy_out()
    from django.db import transaction

    tally = Tally()
    for (key, day, hour, source), times in per_cell.items():
        facts = dataclasses.replace(prepared[key][0], day=day, hour=hour, source=source)
        tally.add(version.pk, facts, times=times)
    with transaction.atomic():
        tally.write()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE runtime_callevent ADD CONSTRAINT {name} {definition}")
        for table in ("runtime_callsession", "runtime_callevent"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    seconds = time.perf_counter() - t0
    print(
        f"seeded {calls:,} calls, {written:,} events in {seconds:.0f} s "
        f"({copy_seconds[0]:.0f} s of COPY)"
    )
    return cells, today


def time_queries(version, today, rounds=7):
    from analytics import queries
    from analytics.filters import Filters

    params = {
        "version": str(version.number),
        "from": (today - timedelta(days=29)).date().isoformat(),
        "to": today.date().isoformat(),
    }
    results = {}
    for name, query in (("funnel", queries.funnel), ("nodes", queries.nodes)):
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            answer = query(Filters.parse(version.script, params))
            times.append(time.perf_counter() - t0)
        results[name] = (times[0], statistics.median(times), answer)
    return results


def time_ingest(version, cells, calls=4000, prefix="ingest"):
    """Calls through BulkCallWriter (the simulate_calls path) and through
    CallRecorder (one live call at a time), with the counting hook."""
    from runtime.eventlog import BulkCallWriter, CallRecorder, finished_session

    keys = list(cells)
    now = datetime.now(timezone.utc)
    writer = BulkCallWriter(batch_calls=500)
    events = 0
    t0 = time.perf_counter()
    for n in range(calls):
        call, log, end_offset = cells[keys[n % len(keys)]]
        call.call_id = f"{prefix}-{n}"
        session = finished_session(
            version=version, source="simulation", call=call, contact=call.contact,
            started_at=now, ended_offset=end_offset,
        )  # fmt: skip
        writer.add(session, list(log))
        events += len(log)
    writer.flush()
    bulk_rate = events / (time.perf_counter() - t0)

    events = 0
    t0 = time.perf_counter()
    for n in range(calls // 10):
        call, log, end_offset = cells[keys[n % len(keys)]]
        recorder = CallRecorder.for_call(
            version=version, source="live", call_id=f"{prefix}-live-{n}", contact=call.contact,
            started_at=now,
        )  # fmt: skip
        recorder.open()
        recorder.record(list(log))
        recorder.close(call, ended_offset=end_offset)
        events += len(log)
    recorder_rate = events / (time.perf_counter() - t0)
    return bulk_rate, recorder_rate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        setup_django()
        from designer.services import resolve_version
        from django.db import connection

        version = resolve_version(team="demo", slug="bank-card-offer-en")
        cells, today = seed(version, args.events, random.Random(7))
        results = time_queries(version, today)
        bulk_rate, recorder_rate = time_ingest(version, cells)
        if os.environ.get("BENCH_WITHOUT_COUNTING"):
            from runtime.eventlog import calls_closed

            calls_closed.disconnect(dispatch_uid="analytics-count")
            bare_rate, _ = time_ingest(version, cells, prefix="bare")
            print(f"ingest without the counting hook: {bare_rate:,.0f} events/s")
        connection.close()
    finally:
        server_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    funnel_first, funnel_median, funnel = results["funnel"]
    nodes_first, nodes_median, _ = results["nodes"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"calls in the 30-day funnel: {funnel['stages'][0]['count']:,}")
    print(f"funnel:     first {funnel_first * 1000:.0f} ms, median {funnel_median * 1000:.0f} ms")
    print(f"node table: first {nodes_first * 1000:.0f} ms, median {nodes_median * 1000:.0f} ms")
    print(f"ingest, BulkCallWriter: {bulk_rate:,.0f} events/s")
    print(f"ingest, CallRecorder (one call at a time): {recorder_rate:,.0f} events/s")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
