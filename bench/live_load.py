"""Load on the live runtime: N concurrent calls over /ws/call/.

Starts its own servers on 127.0.0.1 (``--servers`` Daphne processes behind
one address, ``manage.py run_call_servers``), an ASR worker process fed over
Redis (``--asr channel``, the default; ``--asr thread`` recognises inside
each server), then places N calls that stream a real recording from
../shared/data as 8 kHz mu-law at real-time pace, followed by silence,
until the server ends each call. Reports from the servers' own figures:

- turn latency: the end of the caller's utterance (as the endpointing
  decides it) to the first byte of the answer, p50/p95/p99, next to the
  recognition time itself;
- frame lag: how far behind real time each frame was taken in, p50/p95/p99;
- CPU of the servers and the ASR worker (per cent of one core).

    python bench/live_load.py --calls 100 --servers 2
    python bench/live_load.py --calls 20 --asr thread

Needs REDIS_URL for ``--asr channel``; uses DATABASE_URL when set, else a
temporary SQLite file.
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def machine_cpu():
    """The machine's CPU time so far, by kind (jiffies, from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:9]
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    return dict(zip(names, map(int, fields)))


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def caller_frames(path, *, seconds, noise_dbfs):
    """The recording, then silence, to ``seconds``, as 20 ms mu-law frames,
    with white noise at ``noise_dbfs`` (RMS) over all of it: the line."""
    from runtime.audio.formats import encode_mulaw, read_audio, resample

    speech = resample(read_audio(path).samples, 16000, 8000)
    samples = np.zeros(int(seconds * 8000), dtype=np.float32)
    samples[: len(speech)] = speech[: len(samples)]
    if noise_dbfs is not None:
        noise = np.random.default_rng(0).standard_normal(len(samples))
        samples += (noise * 10 ** (noise_dbfs / 20)).astype(np.float32)
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype(np.int16)
    codes = encode_mulaw(pcm).astype(np.uint8).tobytes()
    return [codes[i : i + 160] for i in range(0, len(codes) - 159, 160)]


async def one_call(url, token, index, frames, max_seconds):
    import websockets

    result = {"hangup": None, "send_lag": []}
    address = f"{url}/ws/call/?token={token}"
    async with websockets.connect(address, max_size=None) as ws:
        await ws.send(
            json.dumps(
                {
                    "type": "start",
                    "script": "bank-card-offer",
                    "call_id": f"bench-{index}-{time.time_ns()}",
                    "contact": {
                        "segment": "active",
                        "variables": {"name": "Ольга", "limit": "1"},
                    },
                    "format": {"encoding": "mulaw", "sample_rate": 8000},
                }
            )
        )

        async def send():
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            for n in range(min(int(max_seconds / 0.02), len(frames))):
                await ws.send(frames[n])
                result["send_lag"].append(max(0.0, loop.time() - (t0 + n * 0.02)))
                delay = t0 + (n + 1) * 0.02 - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)

        sender = asyncio.create_task(send())
        try:
            async for message in ws:
                if isinstance(message, str):
                    body = json.loads(message)
                    if body["type"] == "hangup":
                        result["hangup"] = body
        except websockets.ConnectionClosed:
            pass
        finally:
            sender.cancel()
    return result


def percentiles(values):
    if not values:
        return "n/a"
    p = np.percentile(values, [50, 95, 99])
    return f"p50 {p[0]:.0f} ms, p95 {p[1]:.0f} ms, p99 {p[2]:.0f} ms"


async def place_calls(urls, token, frames, calls, ramp, max_seconds):
    async def delayed(i):
        await asyncio.sleep(ramp * i / max(calls, 1))
        return await one_call(urls[i % len(urls)], token, i, frames, max_seconds)

    return await asyncio.gather(
        *(delayed(i) for i in range(calls)), return_exceptions=True
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--asr", choices=["channel", "thread"], default="channel")
    parser.add_argument(
        "--asr-workers",
        type=int,
        default=1,
        help="run_asr_worker processes (with --asr channel)",
    )
    parser.add_argument(
        "--asr-threads",
        type=int,
        default=os.cpu_count() or 1,
        help="CPU threads of each ASR worker",
    )
    parser.add_argument(
        "--audio", default=str(DATA / "picovoice-rhino/test_within_context_ru.wav")
    )
    parser.add_argument(
        "--ramp", type=float, default=5.0, help="seconds to start all calls"
    )
    parser.add_argument("--max-seconds", type=float, default=40.0)
    parser.add_argument(
        "--noise-dbfs",
        type=float,
        default=-60.0,
        help="line noise under the caller's audio (RMS dBFS)",
    )
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="live-bench-"))
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{home / 'bench.sqlite3'}")
    env["OUTCALL_LIVE_ASR"] = args.asr
    env["OUTCALL_SPEECH_CACHE_DIR"] = str(home / "speech")
    if args.asr == "channel" and not env.get("REDIS_URL"):
        raise SystemExit("--asr channel needs REDIS_URL=redis://127.0.0.1:6379/N")
    if args.asr == "thread":
        env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*manage, "load_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    token = (
        subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from designer.models import ApiToken, Team;"
                "print(ApiToken.issue(team=Team.objects.get(slug='demo'))[1])",
            ],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    processes = []
    log = open(home / "servers.log", "wb")
    try:
        workers = []
        if args.asr == "channel":
            worker_env = dict(env, OUTCALL_ASR_THREADS=str(args.asr_threads))
            for _ in range(args.asr_workers):
                worker = subprocess.Popen(
                    [*manage, "run_asr_worker"],
                    env=worker_env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                )
                processes.append(worker)
                workers.append(worker)
            for worker in workers:
                worker.stdout.readline()
        # The servers: one address, --servers Daphne processes sharing its
        # listening socket (manage.py run_call_servers), as in production.
        port = free_port()
        group = subprocess.Popen(
            [
                *manage,
                "run_call_servers",
                "--port",
                str(port),
                "--processes",
                str(args.servers),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        processes.append(group)
        group.stdout.readline()
        wait_for_port(port)
        urls = [f"ws://127.0.0.1:{port}"]
        servers = children(group.pid)

        frames = caller_frames(
            args.audio, seconds=args.max_seconds, noise_dbfs=args.noise_dbfs
        )
        measured = [w.pid for w in workers] + servers
        before = {pid: cpu_seconds(pid) for pid in measured}
        machine_before = machine_cpu()
        started = time.monotonic()
        own = os.times()
        results = asyncio.run(
            place_calls(urls, token, frames, args.calls, args.ramp, args.max_seconds)
        )
        wall = time.monotonic() - started
        own_cpu = (sum(os.times()[:2]) - sum(own[:2])) / wall * 100
        cpu = {pid: (cpu_seconds(pid) - before[pid]) / wall * 100 for pid in measured}
        machine = {k: v - machine_before[k] for k, v in machine_cpu().items()}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)
        log.close()

    failed = [r for r in results if isinstance(r, Exception) or not r["hangup"]]
    stats = [
        r["hangup"]["stats"]
        for r in results
        if not isinstance(r, Exception) and r["hangup"]
    ]
    outcomes = {}
    for r in results:
        if not isinstance(r, Exception) and r["hangup"]:
            outcomes[r["hangup"]["outcome"]] = (
                outcomes.get(r["hangup"]["outcome"], 0) + 1
            )
    turns = [v for s in stats for v in s["turn_latency_ms"]]
    overhead = [v for s in stats for v in s["turn_overhead_ms"]]
    asr = [v for s in stats for v in s["asr_ms"]]
    decode = [v for s in stats for v in s["decode_ms"]]
    lag_p95 = [
        s["frame_lag_p95_ms"] for s in stats if s["frame_lag_p95_ms"] is not None
    ]

    asr_setup = (
        f"{args.asr_workers} worker(s) x {args.asr_threads} thread(s)"
        if args.asr == "channel"
        else "a thread in each server"
    )
    print(
        f"calls {args.calls} over {args.servers} server(s), ramp {args.ramp:g} s, ASR {asr_setup}, "
        f"audio {Path(args.audio).name}, wall {wall:.1f} s"
    )
    print(f"ended {len(stats)}, failed {len(failed)}, outcomes {outcomes}")
    print(f"turn latency: {percentiles(turns)} ({len(turns)} turns answered)")
    print(f"recognition:  {percentiles(asr)} ({len(asr)} utterances recognised)")
    print(f"  of which decoding: {percentiles(decode)}")
    print(f"turn latency above recognition, per turn: {percentiles(overhead)}")
    print(f"frame lag, per-call p95: {percentiles(lag_p95)}")
    playback = [
        s["playback_lag_p95_ms"] for s in stats if s["playback_lag_p95_ms"] is not None
    ]
    print(f"prompt frames sent late, per-call p95: {percentiles(playback)}")
    sent = [
        np.percentile(r["send_lag"], 95) * 1000
        for r in results
        if not isinstance(r, Exception) and r["send_lag"]
    ]
    print(f"callers' own send lag, per-call p95: {percentiles(sent)}")
    total = sum(machine.values()) or 1
    busy = total - machine["idle"] - machine["iowait"]
    print(
        f"machine: {os.cpu_count()} cores {busy / total * 100:.0f}% busy, "
        f"of which steal {machine['steal'] / total * 100:.1f}%; "
        f"worst frame lag of any call {max(s['frame_lag_max_ms'] or 0 for s in stats):.0f} ms"
    )
    print(f"cpu callers (this process): {own_cpu:.0f}% of one core")
    for pid in measured:
        kind = "asr worker" if pid in {w.pid for w in workers} else "server"
        print(f"cpu {kind} {pid}: {cpu[pid]:.0f}% of one core")
    if failed:
        print("first failure:", failed[0])


if __name__ == "__main__":
    main()
