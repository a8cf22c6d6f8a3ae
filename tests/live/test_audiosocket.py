"""Asterisk AudioSocket: ``run_audiosocket`` as Asterisk sees it, and the
framing rules, malformed and truncated messages included."""

import asyncio
import json
import struct
import subprocess
import sys
import urllib.request
import uuid

import numpy as np
import pytest
import pytest_asyncio

from runtime.audio.formats import resample
from runtime.models import CallRoute, CallSession
from runtime.transports.audiosocket import serve_audiosocket
from tests.live.conftest import ROOT, free_port, http_get, silence, wait_for_port

pytestmark = pytest.mark.asyncio


def slin_frames(samples_16k: np.ndarray) -> list[bytes]:
    pcm = np.clip(np.round(resample(samples_16k, 16000, 8000) * 32767), -32768, 32767)
    data = pcm.astype("<i2").tobytes()
    data += b"\0" * (-len(data) % 320)
    return [data[i : i + 320] for i in range(0, len(data), 320)]


def message(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack(">BH", kind, len(payload)) + payload


async def read_all(reader, timeout: float = 30.0) -> list[tuple[int, int]]:
    """(type, length) of every message until the server closes."""
    got = []
    try:
        while True:
            header = await asyncio.wait_for(reader.readexactly(3), timeout)
            kind, length = struct.unpack(">BH", header)
            await reader.readexactly(length)
            got.append((kind, length))
    except asyncio.IncompleteReadError:
        return got


async def stream(writer, frames, digits: dict | None = None):
    """``frames`` at real-time pace; ``digits`` maps a frame's index to a
    DTMF digit sent before it."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        for index, frame in enumerate(frames):
            if digits and index in digits:
                writer.write(message(0x03, digits[index].encode()))
            writer.write(message(0x10, frame))
            await writer.drain()
            delay = t0 + (index + 1) * 0.02 - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
    except ConnectionError:
        pass


def post_route(base: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{base}/api/live/routes/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.asr
async def test_a_voicemail_greeting_over_audiosocket_ends_as_answering_machine(
    daphne_server, live_server_env, caller_audio
):
    """The route is set over REST first, as the dialplan would, then the
    call comes in through ``manage.py run_audiosocket``."""
    url, token, database = daphne_server
    env = live_server_env[0]
    call_uuid = uuid.uuid4()
    post_route(url.replace("ws://", "http://"), token, {
        "call_uuid": str(call_uuid), "script": "bank-card-offer", "segment": "active",
        "variables": {"name": "Ольга", "limit": "120 000"},
    })
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "run_audiosocket", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(message(0x01, call_uuid.bytes))
        frames = slin_frames(np.concatenate([caller_audio["vm_intro_ru"], silence(8)]))
        sender = asyncio.create_task(stream(writer, frames))
        received = await read_all(reader)
        sender.cancel()
        writer.close()
    finally:
        server.terminate()
        server.wait(10)

    audio = [length for kind, length in received if kind == 0x10]
    assert audio and set(audio) == {320}
    assert received[-1] == (0x00, 0)  # the server hangs up
    session = database.session(f"audiosocket-{call_uuid}")
    assert session["outcome"] == "answering_machine"
    assert session["source"] == "live"


@pytest.fixture(scope="module")
def other_team_token(live_server_env):
    """A token of a second team in the server's database."""
    env = live_server_env[0]
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from designer.models import ApiToken, Team;"
         "team, _ = Team.objects.get_or_create(slug='rivals', name='Rivals');"
         "print(ApiToken.issue(team=team)[1])"],
        env=env, check=True, cwd=ROOT, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]


SUMMARY = (
    "Ольга, сегмент active, одобренный лимит 120 000 ₽. Интересуется кредитной картой."
)


async def test_a_transfer_hangs_up_the_call_and_the_dialplan_then_reads_its_target(
    daphne_server, live_server_env, other_team_token
):
    """Four presses of 1 take bank-card-offer from the greeting to its
    transfer. The server ends the call with the hang-up message; what the
    dialplan asks the moment AudioSocket() returns already has the result."""
    url, token, database = daphne_server
    base = url.replace("ws://", "http://")
    call_uuid = uuid.uuid4()
    post_route(base, token, {
        "call_uuid": str(call_uuid), "script": "bank-card-offer", "segment": "active",
        "variables": {"name": "Ольга", "limit": "120 000"},
    })
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "run_audiosocket", "--port", str(port)],
        cwd=ROOT, env=live_server_env[0],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(message(0x01, call_uuid.bytes))
        presses = {50: "1", 100: "1", 150: "1", 200: "1"}  # once a second
        sender = asyncio.create_task(
            stream(writer, slin_frames(silence(40)), digits=presses)
        )
        received = await read_all(reader)
        # What the dialplan does next, before anything else.
        result = await asyncio.to_thread(
            http_get, base, f"/api/live/calls/{call_uuid}/", token
        )
        target = await asyncio.to_thread(
            http_get, base, f"/api/live/calls/{call_uuid}/transfer-target/", token
        )
        sender.cancel()
        writer.close()
    finally:
        server.terminate()
        server.wait(10)

    assert received[-1] == (0x00, 0)
    assert {length for kind, length in received if kind == 0x10} == {320}
    assert target == (200, "text/plain", "operators-cards")
    status, content_type, body = result
    assert (status, content_type) == (200, "application/json")
    answer = json.loads(body)
    assert answer["call_id"] == f"audiosocket-{call_uuid}"
    assert answer["status"] == "ended"
    assert (answer["outcome"], answer["node"]) == ("transfer", "transfer")
    assert answer["transfer"]["target"] == "operators-cards"
    assert answer["transfer"]["summary"] == SUMMARY
    context = answer["transfer"]["context"]
    assert context["call_id"] == f"audiosocket-{call_uuid}"
    assert context["path"] == [
        "greeting", "amd_check", "check_person", "disclaimer", "offer", "say_connect",
        "transfer",
    ]
    assert context["variables"] == {"name": "Ольга", "limit": "120 000"}
    # The event log's call id names the call too.
    again = http_get(base, f"/api/live/calls/audiosocket-{call_uuid}/", token)
    assert json.loads(again[2]) == answer
    kinds = [e["kind"] for e in database.events(f"audiosocket-{call_uuid}")]
    assert kinds.count("dtmf") == 4 and kinds[-2:] == ["target_reached", "call_ended"]

    # Another team's call, an unknown one, and no token.
    path = f"/api/live/calls/{call_uuid}/"
    foreign = http_get(base, path, other_team_token)
    assert foreign[0] == 404
    assert json.loads(foreign[2])["error"]["code"] == "call_not_found"
    assert http_get(base, path + "transfer-target/", other_team_token) == (
        404, "text/plain", ""
    )
    unknown = f"/api/live/calls/{uuid.uuid4()}/"
    assert http_get(base, unknown, token)[0] == 404
    assert http_get(base, unknown + "transfer-target/", token) == (
        404, "text/plain", ""
    )
    assert http_get(base, path, None)[0] == 401
    assert http_get(base, path + "transfer-target/", None) == (401, "text/plain", "")


# Framing, in process.


@pytest_asyncio.fixture
async def audiosocket(demo_token):
    """The server on a free port of 127.0.0.1, with a default route."""
    from designer.models import Team

    await CallRoute.objects.acreate(
        team=await Team.objects.aget(slug="demo"), is_default=True,
        script="bank-card-offer", variables={"name": "Ольга", "limit": "1"},
    )
    port = free_port()
    started, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve_audiosocket("127.0.0.1", port, started=started, stop=stop))
    await started.wait()
    yield port
    stop.set()
    await task


async def exchange(port, *chunks, pause: float = 0.0):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for chunk in chunks:
        writer.write(chunk)
        await writer.drain()
        await asyncio.sleep(pause)
    if not chunks or chunks[-1] != b"close":
        pass
    received = await read_all(reader, timeout=15)
    writer.close()
    return received


async def ended(call_id):
    for _ in range(100):
        session = await CallSession.objects.filter(call_id=call_id).afirst()
        if session and session.ended_at:
            return session
        await asyncio.sleep(0.05)
    raise AssertionError(f"{call_id} was not closed in the log")


@pytest.mark.django_db(transaction=True)
async def test_a_first_message_other_than_the_uuid_is_refused(audiosocket):
    received = await exchange(audiosocket, message(0x10, b"\0" * 320))
    assert received == [(0x00, 0)]
    assert await CallSession.objects.acount() == 0


@pytest.mark.django_db(transaction=True)
async def test_a_short_uuid_is_refused(audiosocket):
    assert await exchange(audiosocket, message(0x01, b"\1" * 15)) == [(0x00, 0)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "bad",
    [message(0x10, b"\0" * 321), message(0x03, b"12"), message(0x42, b"x"),
     message(0x03, b"x")],
    ids=["odd-audio", "two-digits", "unknown-type", "bad-digit"],
)
async def test_a_malformed_message_ends_that_call_only(audiosocket, bad):
    call_uuid = uuid.uuid4()
    received = await exchange(
        audiosocket, message(0x01, call_uuid.bytes), message(0x10, b"\0" * 320), bad,
        pause=0.2,
    )
    assert received[-1] == (0x00, 0)
    session = await ended(f"audiosocket-{call_uuid}")
    assert session.outcome == "dropped"
    # The server still takes calls.
    again = uuid.uuid4()
    await exchange(audiosocket, message(0x01, again.bytes), message(0x00))
    assert (await ended(f"audiosocket-{again}")).outcome == "dropped"


@pytest.mark.django_db(transaction=True)
async def test_a_truncated_frame_is_a_vanished_caller(audiosocket):
    call_uuid = uuid.uuid4()
    reader, writer = await asyncio.open_connection("127.0.0.1", audiosocket)
    writer.write(message(0x01, call_uuid.bytes))
    await asyncio.sleep(0.8)
    writer.write(b"\x10\x01\x40" + b"\0" * 100)  # 320 announced, 100 sent
    await writer.drain()
    writer.close()
    session = await ended(f"audiosocket-{call_uuid}")
    assert session.outcome == "dropped"
    hangup = await session.events.filter(kind="hangup").afirst()
    assert hangup.node == "greeting" and hangup.data["during_prompt"] is True
    assert 0.5 <= hangup.data["heard"] <= 1.2


@pytest.mark.django_db(transaction=True)
async def test_without_a_route_or_default_the_call_is_refused(demo_token):
    port = free_port()
    started, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve_audiosocket("127.0.0.1", port, started=started, stop=stop))
    await started.wait()
    try:
        received = await exchange(port, message(0x01, uuid.uuid4().bytes))
    finally:
        stop.set()
        await task
    assert received == [(0x00, 0)]
    assert await CallSession.objects.acount() == 0
