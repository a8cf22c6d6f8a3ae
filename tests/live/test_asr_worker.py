"""run_asr_worker's CPU priority on the machine."""

import os
import subprocess
import sys

import pytest

from tests.live.conftest import ROOT


def start_worker(env, *arguments):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_asr_worker", *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    "arguments, policy, nice",
    [
        ((), os.SCHED_IDLE, 0),
        (("--priority", "low"), os.SCHED_OTHER, 10),
        (("--priority", "normal"), os.SCHED_OTHER, 0),
    ],
)
def test_decoding_yields_the_cpu_to_call_servers(
    live_server_env, arguments, policy, nice
):
    env, _, _ = live_server_env
    worker = start_worker(env, *arguments)
    try:
        assert worker.stdout.readline().strip() == "asr worker ready"
        # Every thread, the model's decoding threads included.
        threads = os.listdir(f"/proc/{worker.pid}/task")
        assert len(threads) > 1
        for tid in map(int, threads):
            assert os.sched_getscheduler(tid) == policy
            assert os.getpriority(os.PRIO_PROCESS, tid) == nice + os.getpriority(
                os.PRIO_PROCESS, 0
            )
    finally:
        worker.terminate()
        worker.wait(10)


def test_an_unknown_priority_is_refused(live_server_env):
    env, _, _ = live_server_env
    worker = start_worker(env, "--priority", "realtime")
    _, err = worker.communicate(timeout=60)
    assert worker.returncode != 0
    assert "invalid choice: 'realtime'" in err
