"""Live calls whose server process stopped: closed at shutdown by their
consumer, or later by ``close_lost_calls`` (runtime/live/sweep.py)."""

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import websockets
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from analytics.models import CallDaily
from designer.models import Team
from designer.services import resolve_version
from runtime.engine import Contact, Dtmf
from runtime.eventlog import CallRecorder
from runtime.live.setup import compiled_version
from runtime.live.sweep import close_lost_calls
from runtime.models import CallEvent, CallSession
from tests.live.conftest import ROOT, free_port, wait_for_port

CONTACT = Contact(phone="+70000000005", segment="active",
                  variables={"name": "Ольга", "limit": "1"})  # fmt: skip


def open_call(call_id, *, minutes_ago, source=CallSession.Source.LIVE, close=False):
    """A call of the demo's bank-card-offer that got past the greeting and
    stopped logging ``minutes_ago`` minutes ago, left open (as a killed
    server leaves it) unless ``close``."""
    version = resolve_version(
        team=Team.objects.get(slug="demo"), slug="bank-card-offer", number=None
    )
    call = compiled_version(version).start_call(call_id=call_id, contact=CONTACT)
    recorder = CallRecorder.for_call(
        version=version, source=source, call_id=call_id, contact=CONTACT,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )  # fmt: skip
    recorder.open()
    call.start()
    call.handle(Dtmf("1"))
    recorder.record(call.drain_log())
    if close:
        recorder.close(call, ended_offset=3.0)
    else:
        recorder.flush()
    return recorder, call


def counted(outcome="dropped"):
    sums = CallDaily.objects.aggregate(calls=Sum("calls"), dropped=Sum(f"outcome_{outcome}"))
    return sums["calls"] or 0, sums["dropped"] or 0


@pytest.mark.django_db
def test_a_silent_open_call_is_closed_as_a_vanished_caller(demo_token):
    _, call = open_call("lost-1", minutes_ago=20)
    last = CallEvent.objects.filter(session__call_id="lost-1").order_by("-seq").first()

    closed = close_lost_calls()

    assert [c.call_id for c in closed] == ["lost-1"]
    session = CallSession.objects.get(call_id="lost-1")
    assert session.outcome == "dropped"
    assert session.ended_at == last.at and session.duration == round(last.offset, 3)
    assert session.end_node == last.node == call.node
    hangup, ended = CallEvent.objects.filter(session=session).order_by("-seq")[:2][::-1]
    assert (hangup.kind, hangup.seq, hangup.node) == ("hangup", last.seq + 1, last.node)
    assert hangup.data == {"during_prompt": False, "heard": None, "lost": True}
    assert (ended.kind, ended.data) == ("call_ended", {"outcome": "dropped"})
    assert ended.at == last.at
    assert counted() == (1, 1)


@pytest.mark.django_db
def test_recent_ended_and_not_live_calls_are_left_alone(demo_token):
    open_call("recent", minutes_ago=2)
    open_call("ended", minutes_ago=30, close=True)
    open_call("replayed", minutes_ago=30, source=CallSession.Source.REPLAY)
    before = {
        s.call_id: (s.ended_at, s.outcome, s.events.count())
        for s in CallSession.objects.all()
    }
    counters = counted("refusal"), counted()

    assert close_lost_calls() == []

    after = {
        s.call_id: (s.ended_at, s.outcome, s.events.count())
        for s in CallSession.objects.all()
    }
    assert after == before and (counted("refusal"), counted()) == counters
    assert before["recent"][0] is None and before["replayed"][0] is None
    # A shorter threshold takes the recent one.
    assert [c.call_id for c in close_lost_calls(older_than=60)] == ["recent"]


@pytest.mark.django_db
def test_a_second_run_and_a_dry_run_change_nothing(demo_token):
    open_call("lost-2", minutes_ago=15)

    dry = close_lost_calls(dry_run=True)
    assert [c.call_id for c in dry] == ["lost-2"]
    assert CallSession.objects.get(call_id="lost-2").ended_at is None
    assert counted() == (0, 0)

    assert len(close_lost_calls()) == 1
    events = list(CallEvent.objects.filter(session__call_id="lost-2").values_list("pk"))
    assert close_lost_calls() == [] and close_lost_calls(older_than=0) == []
    assert list(CallEvent.objects.filter(session__call_id="lost-2").values_list("pk")) == events
    assert counted() == (1, 1)


@pytest.mark.django_db
def test_a_call_closed_as_lost_is_not_closed_again_by_its_recorder(demo_token):
    recorder, call = open_call("late", minutes_ago=15)
    close_lost_calls()
    ended_at = CallSession.objects.get(call_id="late").ended_at

    assert recorder.close(call, ended_offset=999.0) is False

    session = CallSession.objects.get(call_id="late")
    assert (session.ended_at, session.outcome) == (ended_at, "dropped")
    assert counted() == (1, 1)


@pytest.mark.django_db
def test_an_engine_ended_call_keeps_its_outcome(demo_token):
    """The server died between the engine's end and the close."""
    recorder, call = open_call("refused", minutes_ago=15)
    call.handle(Dtmf("2"))
    while not call.finished:
        call.handle(Dtmf("2"))
    recorder.record(call.drain_log())
    recorder.flush()
    outcome = call.outcome
    events = CallEvent.objects.filter(session__call_id="refused").count()

    close_lost_calls()

    session = CallSession.objects.get(call_id="refused")
    assert session.outcome == outcome != "dropped" and session.ended_at
    assert session.events.count() == events
    assert counted(outcome)[1] == 1


@pytest.mark.django_db
def test_a_recorder_stores_events_that_waited_its_flush_seconds(demo_token):
    recorder, call = open_call("flushing", minutes_ago=0)
    recorder.flush_seconds = 0.05
    call.handle(Dtmf("1"))
    recorder.record(call.drain_log()[:1])
    assert recorder._buffer  # under the batch size: kept
    time.sleep(0.06)
    call.handle(Dtmf("1"))
    recorder.record(call.drain_log())
    assert not recorder._buffer


@pytest.mark.django_db
def test_the_command_lists_and_closes(demo_token):
    open_call("lost-3", minutes_ago=11)
    out = io.StringIO()
    call_command("close_lost_calls", "--dry-run", stdout=out)
    assert "would close lost-3" in out.getvalue()
    assert CallSession.objects.get(call_id="lost-3").ended_at is None

    out = io.StringIO()
    call_command("close_lost_calls", "--older-than", "900", stdout=out)
    assert "0 lost call(s) closed" in out.getvalue()
    call_command("close_lost_calls", stdout=out)
    assert "closed lost-3" in out.getvalue()
    assert CallSession.objects.get(call_id="lost-3").outcome == "dropped"


# Real servers, stopped with the calls in progress.


async def start_calls(port, key, call_ids):
    sockets = []
    for call_id in call_ids:
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/call/?token={key}")
        await ws.send(json.dumps({
            "type": "start", "script": "bank-card-offer", "call_id": call_id,
            "contact": {"variables": {"name": "Ольга", "limit": "1"}},
            "format": {"encoding": "mulaw", "sample_rate": 8000},
        }))  # fmt: skip
        started = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert started["type"] == "started"
        sockets.append(ws)
    await asyncio.sleep(1.0)  # the greeting is being played
    return sockets


def test_a_daphne_process_stopped_by_sigterm_closes_its_calls(live_server_env):
    env, key, database = live_server_env
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "outcall.asgi:application"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    call_ids = [f"sigterm-{port}-{i}" for i in range(3)]
    try:
        wait_for_port(port, process)

        async def scenario():
            calls = await start_calls(port, key, call_ids)
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.wait, 20)
            for ws in calls:
                await ws.close()

        asyncio.run(scenario())
    finally:
        if process.poll() is None:
            process.kill()
        stderr = process.communicate()[1]
    assert "Killed 3 pending application instances" in stderr
    for call_id in call_ids:
        session = database.session(call_id)
        assert session["ended_at"] and session["outcome"] == "dropped", stderr[-2000:]
        kinds = [e["kind"] for e in database.events(call_id)]
        assert kinds[-2:] == ["hangup", "call_ended"]


def test_calls_of_a_killed_process_are_closed_by_the_sweeper(live_server_env):
    env, key, database = live_server_env
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_call_servers", "--port", str(port),
         "--processes", "1"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    call_ids = [f"sigkill-{port}-{i}" for i in range(2)]
    try:
        process.stdout.readline()
        wait_for_port(port, process)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        child = int(children.read_text().split()[0])

        async def scenario():
            calls = await start_calls(port, key, call_ids)
            os.kill(child, signal.SIGKILL)
            await asyncio.sleep(0.5)
            for ws in calls:
                await ws.close()

        asyncio.run(scenario())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
    for call_id in call_ids:
        assert database.session(call_id)["ended_at"] is None

    manage = [sys.executable, "manage.py", "close_lost_calls", "--older-than", "0"]
    out = subprocess.run(manage, env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout  # fmt: skip
    for call_id in call_ids:
        assert f"closed {call_id}" in out
        session = database.session(call_id)
        assert session["ended_at"] and session["outcome"] == "dropped"
        events = database.events(call_id)
        assert [e["kind"] for e in events][-2:] == ["hangup", "call_ended"]
        assert json.loads(events[-2]["data"])["lost"] is True
