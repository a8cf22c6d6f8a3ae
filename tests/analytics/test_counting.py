"""The counters follow the event log exactly: counted as calls close, or
recounted from the raw events by ``analytics_rebuild``, they are equal."""

import io
from datetime import datetime, timezone

import pytest
from django.core.management import call_command

from analytics import queries
from analytics.filters import Filters
from analytics.models import CallDaily, NodeDaily
from runtime.engine import CallerHangup, Contact, Utterance, compile_script
from runtime.eventlog import BulkCallWriter, CallRecorder
from runtime.models import CallSession
from tests.analytics.conftest import DAY_ONE, population_calls, simulate

pytestmark = pytest.mark.django_db

SMALL = {
    ("active", "a"): {"hangs_up_in_greeting": 7, "transferred": 3, "refuses": 2,
                      "answering_machine": 4},
    ("inactive", "b"): {"hangs_up_in_offer": 5, "transferred": 1},
}  # fmt: skip


def counters():
    def rows(model):
        return sorted(
            tuple(v for k, v in row.items() if k != "id")
            for row in model.objects.values()
        )

    return rows(CallDaily), rows(NodeDaily)


def test_rebuild_from_the_raw_events_equals_counting_as_calls_close(version, tmp_path):
    simulate(tmp_path, population_calls(SMALL))
    counted = counters()

    out = io.StringIO()
    call_command("analytics_rebuild", stdout=out)

    assert out.getvalue() == "22 calls counted\n"
    assert counters() == counted
    assert sum(r.calls for r in CallDaily.objects.all()) == 22


def test_rebuild_of_one_script_leaves_the_others_alone(version, tmp_path):
    simulate(tmp_path, population_calls(SMALL))
    before = counters()
    NodeDaily.objects.filter(node="offer").update(entered=999)

    call_command("analytics_rebuild", "--script", "card", "--version", "1",
                 stdout=io.StringIO())  # fmt: skip

    assert counters() == before


def test_answering_machines_and_unanswered_calls(version, tmp_path):
    simulate(tmp_path, population_calls(SMALL))
    # The telephony logs a call nobody picked up as a session without events.
    writer = BulkCallWriter()
    for n in range(3):
        writer.add(
            CallSession(
                call_id=f"unanswered-{n}", script=version.script, version=version,
                source="live", segment="active", outcome="no_response",
                started_at=datetime.fromisoformat(DAY_ONE), duration=30.0,
                ended_at=datetime.fromisoformat(DAY_ONE),
            ),
            [],
        )  # fmt: skip
    writer.flush()

    filters = Filters.parse(version.script, {"from": "2026-03-01", "to": "2026-03-05"})
    stages = queries.funnel(filters)["stages"]
    amd = queries.amd(filters)

    assert [(s["name"], s["count"]) for s in stages] == [
        ("started", 25), ("answered", 22), ("human", 18), ("greeting_heard", 11),
        ("offer_heard", 6), ("target_action", 4),
    ]  # fmt: skip
    assert (amd["answered"], amd["answering_machine"], amd["share"]) == (22, 4, 0.1818)
    live = queries.funnel(
        Filters.parse(version.script, {"from": "2026-03-01", "source": "live"})
    )
    assert live["stages"][0]["count"] == 3


def test_a_live_call_is_counted_when_its_recorder_closes(version):
    compiled = compile_script(version.document)
    contact = Contact(phone="+100", segment="active", variables={})
    clock_now = [0.0]
    call = compiled.start_call(call_id="live-1", contact=contact, clock=lambda: clock_now[0])
    recorder = CallRecorder.for_call(
        version=version, source="live", call_id="live-1", contact=contact,
        started_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc), batch_size=2,
    )  # fmt: skip
    recorder.open()
    call.start()
    clock_now[0] = 3.0
    recorder.record(call.drain_log())
    call.handle(Utterance("yes", 1.0))
    clock_now[0] = 5.0
    recorder.record(call.drain_log())
    assert CallDaily.objects.count() == 0  # not counted while in progress

    call.handle(CallerHangup(during_prompt=True, heard=1.0))
    recorder.record(call.drain_log())
    recorder.close(call, ended_offset=5.0)

    filters = Filters.parse(version.script, {"from": "2026-03-02", "to": "2026-03-02"})
    stages = {s["name"]: s["count"] for s in queries.funnel(filters)["stages"]}
    offer = next(r for r in queries.nodes(filters)["nodes"] if r["node"] == "offer")
    assert stages == {"started": 1, "answered": 1, "human": 1, "greeting_heard": 1,
                      "offer_heard": 0, "target_action": 0}  # fmt: skip
    # The offer prompt lasts 0.3 + 60/14 = 4.586 s; 1 s heard is 0.218.
    assert offer["hung_up_in_prompt"] == 1
    assert offer["heard_in_prompt"] == {
        "mean_seconds": 1.0, "mean_share": 0.218, "quarters": [1, 0, 0, 0]
    }
