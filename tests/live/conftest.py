"""Live-call fixtures: the demo scripts, a team token, caller audio as the
telephony layer sends it, and a client that streams it at real-time pace."""

import asyncio
import io
import json

import numpy as np
import pytest
from django.core.management import call_command

from designer.models import ApiToken, Team
from runtime.audio.formats import encode_mulaw, read_audio, resample
from runtime.speech.espeak import espeak

FRAME = 0.02


@pytest.fixture
def demo_token(db):
    call_command("load_demo", stdout=io.StringIO())
    _, key = ApiToken.issue(team=Team.objects.get(slug="demo"), name="telephony")
    return key


def mulaw_frames(samples_16k: np.ndarray) -> list[bytes]:
    """16 kHz float samples as 20 ms frames of 8 kHz mu-law."""
    codes = encode_mulaw(resample(samples_16k, 16000, 8000)).astype(np.uint8).tobytes()
    codes += b"\xff" * (-len(codes) % 160)
    return [codes[i : i + 160] for i in range(0, len(codes), 160)]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), dtype=np.float32)


def spoken(text: str, voice: str) -> np.ndarray:
    """``text`` said by espeak-ng, at 16 kHz."""
    engine = espeak()
    samples = engine.render(text, voice=voice).astype(np.float32) / 32768.0
    return resample(samples, engine.sample_rate, 16000)


@pytest.fixture(scope="session")
def caller_audio(shared_data):
    """Real recordings at 16 kHz, by name."""
    return {
        "vm_intro_ru": read_audio(shared_data / "asterisk-sounds-ru/vm-intro.wav").samples,
        "vm_intro_en": read_audio(shared_data / "asterisk-sounds-en/vm-intro.wav").samples,
    }


class Transcript:
    """What the server sent during a call, with the time of each message."""

    def __init__(self):
        self.t0 = asyncio.get_running_loop().time()
        self.messages = []  # (seconds, dict)
        self.audio_at = []  # seconds of each audio frame received
        self.closed = None

    def add(self, at, message):
        self.messages.append((at - self.t0, message))

    def of(self, kind):
        return [m for _, m in self.messages if m.get("type") == kind]

    def times(self, kind):
        return [t for t, m in self.messages if m.get("type") == kind]

    @property
    def hangup(self):
        found = self.of("hangup")
        return found[0] if found else None


async def stream_call(
    communicator, frames, *, start: dict, dtmf_at: dict | None = None,
    hangup_after: float | None = None, tail: float = 20.0,
):
    """Send ``start``, then ``frames`` at real-time pace followed by silence
    (or hang up after ``hangup_after`` seconds), reading everything the
    server sends until it closes the call."""
    loop = asyncio.get_running_loop()
    result = Transcript()
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    await communicator.send_json_to(start)
    quiet = b"\xff" * 160

    async def send():
        t0 = loop.time()
        total = len(frames) + int(tail / FRAME)
        for index in range(total):
            if hangup_after is not None and index * FRAME >= hangup_after:
                await communicator.send_json_to({"type": "hangup"})
                return
            if dtmf_at and index in dtmf_at:
                await communicator.send_json_to({"type": "dtmf", "digit": dtmf_at[index]})
            await communicator.send_to(bytes_data=frames[index] if index < len(frames) else quiet)
            delay = t0 + (index + 1) * FRAME - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)

    sender = asyncio.create_task(send())
    try:
        while True:
            output = await communicator.receive_output(timeout=tail + 10)
            now = loop.time()
            if output["type"] == "websocket.close":
                result.closed = output.get("code", 1000)
                break
            if output.get("bytes") is not None:
                result.audio_at.append(now - result.t0)
            else:
                result.add(now, json.loads(output["text"]))
    finally:
        sender.cancel()
        # Ends the consumer too, and with it its channel layer receive.
        await communicator.disconnect()
    return result


# A real server for the clients that speak over TCP (streamdouble, the
# AudioSocket tests): daphne on 127.0.0.1 with a database of its own.

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds}s")


def http_get(base: str, path: str, token: str | None) -> tuple[int, str, str]:
    """(status, content type, body) of a GET, as Asterisk's CURL() sees it."""
    headers = {"Authorization": f"Token {token}"} if token else {}
    request = urllib.request.Request(f"{base}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
            return response.status, response.headers.get_content_type(), body
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read().decode()


class ServerDatabase:
    """The server's SQLite database, read directly by the tests."""

    def __init__(self, path: Path):
        self.path = path

    def session(self, call_id: str) -> dict | None:
        with sqlite3.connect(self.path) as db:
            db.row_factory = sqlite3.Row
            row = db.execute(
                "select * from runtime_callsession where call_id = ?", (call_id,)
            ).fetchone()
            return dict(row) if row else None

    def events(self, call_id: str) -> list[dict]:
        with sqlite3.connect(self.path) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "select e.* from runtime_callevent e join runtime_callsession s"
                " on e.session_id = s.id where s.call_id = ? order by e.seq",
                (call_id,),
            ).fetchall()
            return [dict(r) for r in rows]


@pytest.fixture(scope="session")
def live_server_env(tmp_path_factory):
    """Environment of a server process: its own SQLite file with the demo
    scripts, the in-memory channel layer; and the demo team's token."""
    home = tmp_path_factory.mktemp("live-server")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DATABASE_URL"] = f"sqlite:///{home / 'live.sqlite3'}"
    env["OUTCALL_SPEECH_CACHE_DIR"] = str(home / "speech-cache")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    key = subprocess.run(
        [*manage, "shell", "-c",
         "from designer.models import ApiToken, Team;"
         "print(ApiToken.issue(team=Team.objects.get(slug='demo'))[1])"],
        env=env, check=True, cwd=ROOT, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    return env, key, ServerDatabase(home / "live.sqlite3")


@pytest.fixture(scope="session")
def daphne_server(live_server_env):
    """``ws://127.0.0.1:PORT``, the token and the server's database."""
    env, key, database = live_server_env
    port = free_port()
    log = open(Path(env["OUTCALL_SPEECH_CACHE_DIR"]).parent / "daphne.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "outcall.asgi:application"],
        env=env, cwd=ROOT, stdout=log, stderr=log,
    )
    try:
        wait_for_port(port, process)
        yield f"ws://127.0.0.1:{port}", key, database
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
