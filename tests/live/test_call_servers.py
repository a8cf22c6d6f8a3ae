"""Several call server processes behind one address (run_call_servers)."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import websockets

from tests.live.conftest import ROOT, free_port, wait_for_port


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def established(pid: int, port: int) -> int:
    """Connections to ``port`` that process ``pid`` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


@pytest.fixture
def call_servers(live_server_env):
    env, key, _ = live_server_env
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_call_servers",
            "--port",
            str(port),
            "--processes",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert f"127.0.0.1:{port} with 2 processes" in banner
        wait_for_port(port, process)
        yield process, port, key
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


async def start_calls(port, key, count):
    sockets = []
    for index in range(count):
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/call/?token={key}")
        await ws.send(
            json.dumps(
                {
                    "type": "start",
                    "script": "bank-card-offer",
                    "call_id": f"group-{port}-{index}-{time.time_ns()}",
                    "contact": {"variables": {"name": "Ольга", "limit": "1"}},
                    "format": {"encoding": "mulaw", "sample_rate": 8000},
                }
            )
        )
        started = json.loads(await asyncio.wait_for(ws.recv(), 20))
        assert started["type"] == "started"
        sockets.append(ws)
        await asyncio.sleep(0.05)
    return sockets


def test_calls_to_one_address_spread_over_the_processes(call_servers):
    process, port, key = call_servers
    pids = children(process.pid)
    assert len(pids) == 2

    async def scenario():
        calls = await start_calls(port, key, 20)
        try:
            return {pid: established(pid, port) for pid in pids}
        finally:
            for ws in calls:
                await ws.close()

    held = asyncio.run(scenario())
    assert sum(held.values()) == 20
    assert all(count > 0 for count in held.values()), held


def test_a_process_that_dies_is_replaced_and_calls_go_on(call_servers):
    process, port, key = call_servers
    first, second = sorted(children(process.pid))
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = children(process.pid)
        if len(now) == 2 and first not in now:
            break
        time.sleep(0.2)
    now = children(process.pid)
    assert second in now and first not in now and len(now) == 2

    async def scenario():
        calls = await start_calls(port, key, 4)
        for ws in calls:
            await ws.close()

    asyncio.run(scenario())
    assert process.poll() is None


def test_a_taken_address_is_a_clear_error(live_server_env):
    env, _, _ = live_server_env
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "run_call_servers",
                "--port",
                str(port),
                "--processes",
                "1",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_processes_must_be_at_least_one(live_server_env):
    env, _, _ = live_server_env
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "run_call_servers",
            "--port",
            str(free_port()),
            "--processes",
            "0",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "--processes must be at least 1" in result.stderr


def test_a_second_group_on_the_same_address_is_refused(call_servers, live_server_env):
    """SO_REUSEPORT would otherwise let it share the address with the first."""
    _, port, _ = call_servers
    env, _, _ = live_server_env
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "run_call_servers",
            "--port",
            str(port),
            "--processes",
            "1",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
