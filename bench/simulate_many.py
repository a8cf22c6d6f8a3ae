"""Many text-mode calls in one run of ``simulate_calls``, in bounded memory.

Runs ``simulate_calls`` on generated files of 10,000 and 100,000 calls
against the demo scripts, each in a fresh SQLite database in a temporary
directory, and prints the time and the peak memory of the process. Bounded
memory shows as a peak that does not grow with the number of calls.

    .venv/bin/python bench/simulate_many.py [--calls 10000 100000]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

CALLERS = [
    ["Алло, да", "Да, это я", "Да, давайте, интересно"],
    ["Мне сейчас неудобно, перезвоните завтра после пяти"],
    ["Да", "Да, я", "Нет, мне это не интересно", "Нет, всё равно не нужно"],
    ["Алло", "Да", "Дорого"],
    [None, None, None, None],
    ["Оставьте сообщение после сигнала"],
]


# Runs its arguments as a process and prints that process's peak resident
# memory (KiB) on standard error.
PEAK_OF_CHILD = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def write_calls(path: Path, count: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            call = {
                "script": "bank-card-offer",
                "segment": rng.choice(["triggers", "active", "inactive"]),
                "vars": {"name": "Анна", "limit": "150 000"},
                "turns": rng.choice(CALLERS),
            }
            if rng.random() < 0.3:
                call["hangup_after"] = rng.randint(1, 3)
            out.write(json.dumps(call, ensure_ascii=False) + "\n")


def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, OUTCALL_VAR_DIR=tmp, OUTCALL_LOG_LEVEL="WARNING")
        env.pop("DATABASE_URL", None)
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "load_demo"], env=env, check=True, capture_output=True)
        calls = Path(tmp) / "calls.jsonl"
        write_calls(calls, count)

        started = time.perf_counter()
        child = subprocess.Popen(
            [PYTHON, "-c", PEAK_OF_CHILD, *manage, "simulate_calls", str(calls)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out, err = child.communicate()
        elapsed = time.perf_counter() - started
        if child.returncode:
            sys.exit(f"simulate_calls failed:\n{err}")
        peak_kib = int(err.strip().splitlines()[-1])
        print(
            f"{count:>7,} calls: {elapsed:6.1f} s, {count / elapsed:6.0f} calls/s, "
            f"peak memory {peak_kib / 1024:.0f} MiB  ({out.splitlines()[0]})"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, nargs="+", default=[10_000, 100_000])
    for count in parser.parse_args().calls:
        run(count)


if __name__ == "__main__":
    main()
