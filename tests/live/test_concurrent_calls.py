"""Fifty calls at once, with recognition in a separate ASR worker process
fed over the Redis channel layer, and the event log in PostgreSQL."""

import asyncio
import os
import subprocess
import sys

import numpy as np
import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import connection

from outcall.asgi import application
from runtime.models import CallSession
from tests.live.conftest import ROOT, mulaw_frames, silence, stream_call

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.asr,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs DATABASE_URL of PostgreSQL"
    ),
]

CALLS = 50
SPEAKING = 3  # the calls that say something; the rest stay silent


@pytest.fixture
def redis_layer(settings):
    url = os.environ.get("REDIS_URL") or django_settings.__dict__.get("REDIS_URL")
    if not url:
        pytest.fail("set REDIS_URL (redis://127.0.0.1:6379/N) for this test")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": url, "socket_timeout": 30}],
                "capacity": 500,
            },
        }
    }
    settings.OUTCALL_LIVE_ASR = "channel"
    channel_layers.backends = {}
    env = {**os.environ, "REDIS_URL": url}
    worker = subprocess.Popen(
        # Normal priority: this test's fifty calls share the machine with
        # it, and the worker must keep up, not take what they leave.
        [sys.executable, "manage.py", "run_asr_worker", "--priority", "normal"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert worker.stdout.readline().strip() == "asr worker ready"
    yield url
    worker.terminate()
    worker.wait(10)
    channel_layers.backends = {}


@pytest.mark.asyncio
async def test_fifty_concurrent_calls_are_logged_whole(demo_token, redis_layer, caller_audio):
    voicemail = mulaw_frames(np.concatenate([caller_audio["vm_intro_ru"], silence(1.0)]))

    async def one(index):
        client = WebsocketCommunicator(application, f"/ws/call/?token={demo_token}")
        start = {
            "type": "start", "script": "bank-card-offer", "call_id": f"many-{index}",
            "contact": {"segment": "active",
                        "variables": {"name": "Ольга", "limit": "120 000"}},
            "format": {"encoding": "mulaw", "sample_rate": 8000},
        }
        frames = voicemail if index < SPEAKING else []
        return await stream_call(client, frames, start=start, tail=40.0)

    results = await asyncio.gather(*(one(i) for i in range(CALLS)))

    outcomes = [r.hangup["outcome"] for r in results]
    assert outcomes[:SPEAKING] == ["answering_machine"] * SPEAKING
    assert outcomes[SPEAKING:] == ["no_response"] * (CALLS - SPEAKING)
    sessions = [s async for s in CallSession.objects.filter(call_id__startswith="many-")]
    assert len(sessions) == CALLS
    for session in sessions:
        assert session.source == "live" and session.ended_at is not None
        events = [e async for e in session.events.order_by("seq")]
        assert [e.seq for e in events] == list(range(len(events)))
        assert events[0].kind == "node_entered" and events[-1].kind == "call_ended"
        assert events[-1].data["outcome"] == session.outcome
    # Frame lag is measured by bench/live_load.py with callers in their
    # own process; here they share one core with the fifty calls.
