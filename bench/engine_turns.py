"""Turns per second through the dialog engine and the intent matcher.

No database, no audio: the demo credit-card script in Russian (21 nodes)
is compiled once, then text calls are run one after another on one CPU
core, each through ``start()``, its turns and the drain of its log, as a
live worker would. A turn is one caller event (an utterance, a silence or
a digit) and the robot's answer to it; hang-ups are run but not counted.

    .venv/bin/python bench/engine_turns.py [--seconds 10] [--cpu 0]

``--unique`` appends a different number to every utterance, so that no
cache of the matcher can answer a phrase it has seen before.

The figure is turns per second of this process's CPU time, which other
work on a busy machine does not distort; the wall-clock rate is printed
beside it.
"""

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.engine import (  # noqa: E402 (the path is set just above)
    CallerHangup,
    Contact,
    Dtmf,
    NoInput,
    Utterance,
    compile_script,
)

SCRIPT = ROOT / "designer" / "demo" / "bank-card-offer.json"

# What callers say, turn by turn; None is silence, "#1" the digit 1. A
# call that still listens when its turns run out hangs up.
CALLS = [
    ["алло", "да, это я", "да, давайте"],
    ["здравствуйте", "да", "а какой процент", "дорого", "нет, спасибо"],
    [None, None],
    ["кто это", "да", "у меня уже есть карта", "#2"],
    ["вы позвонили абоненту, оставьте сообщение после сигнала"],
    ["алло", "нет, вы ошиблись номером"],
    ["слушаю", "да", "перезвоните мне завтра после пяти"],
    ["да", "да", "не звоните мне больше"],
    [
        "алло",
        "да",
        "подождите минутку",
        "повторите, пожалуйста",
        "мне надо подумать",
        "да",
    ],
    ["ээ ну как бы", "да", "это я", "вы робот?", "хорошо"],
    ["алло", "#1", "какие условия по карте", "нет", "не интересно"],
    ["да, слушаю", "да", None, "соедините с оператором"],
    ["добрый день", "а вы кто", "да", "сколько стоит обслуживание", "ладно, давайте"],
    ["алло", "да", "я сейчас за рулём, неудобно"],
    ["что?", "алло", "да это я", "нет"],
]
SEGMENTS = ["triggers", "active", "inactive", ""]
VARIABLES = {"name": "Анна", "limit": "150 000"}


def _events(turns, unique_from=None):
    events = []
    for i, turn in enumerate(turns):
        if turn is None:
            events.append(NoInput())
        elif turn.startswith("#"):
            events.append(Dtmf(turn[1:]))
        elif unique_from is not None:
            events.append(Utterance(f"{turn} {unique_from + i}", 0.9))
        else:
            events.append(Utterance(turn, 0.9))
    return events


def run(seconds: float, unique: bool) -> dict:
    document = json.loads(SCRIPT.read_text(encoding="utf-8"))
    began = time.perf_counter()
    script = compile_script(document)
    compile_seconds = time.perf_counter() - began

    prepared = [_events(turns) for turns in CALLS]
    turns = calls = 0
    outcomes = Counter()
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    cpu_started = time.process_time()
    while time.perf_counter() < deadline:
        for _ in range(100):
            index = calls % len(CALLS)
            events = (
                _events(CALLS[index], unique_from=calls * 10)
                if unique
                else prepared[index]
            )
            call = script.start_call(
                call_id=f"bench-{calls}",
                contact=Contact(
                    segment=SEGMENTS[calls % len(SEGMENTS)], variables=VARIABLES
                ),
            )
            call.start()
            for event in events:
                if call.finished:
                    break
                call.handle(event)
                turns += 1
            if not call.finished:
                call.handle(CallerHangup())
            call.drain_log()
            outcomes[call.outcome] += 1
            calls += 1
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {
        "cpu": cpu,
        "compile_seconds": compile_seconds,
        "elapsed": elapsed,
        "calls": calls,
        "turns": turns,
        "outcomes": outcomes,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cpu", type=int, default=0, help="the core to run on")
    parser.add_argument("--unique", action="store_true", help="no utterance twice")
    options = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {options.cpu})

    result = run(options.seconds, options.unique)
    rate = result["turns"] / result["cpu"]
    wall_rate = result["turns"] / result["elapsed"]
    print(
        f"script: {SCRIPT.name}, compiled in {result['compile_seconds'] * 1000:.1f} ms"
    )
    unique = " (every utterance unique)" if options.unique else ""
    print(
        f"{result['calls']} calls, {result['turns']} turns "
        f"in {result['elapsed']:.1f} s on one core{unique}"
    )
    print(f"outcomes: {dict(result['outcomes'].most_common())}")
    print(
        f"{rate:,.0f} turns/s of CPU time ({1e6 / rate:.0f} µs a turn, matching "
        f"included); {wall_rate:,.0f} turns/s of wall-clock time"
    )


if __name__ == "__main__":
    main()
