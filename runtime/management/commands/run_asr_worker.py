"""``python manage.py run_asr_worker``: recognise utterances sent by live
calls over the channel layer (set ``OUTCALL_LIVE_ASR=channel`` and
``REDIS_URL`` on the call servers and here)."""

import asyncio
import os

from django.core.management.base import BaseCommand, CommandError

from runtime.live.asr import default_recognizer
from runtime.transports.asr import serve_asr

PRIORITIES = ("idle", "low", "normal")


def lower_priority(priority: str) -> None:
    """Make this process's threads (and those it starts afterwards, such as
    the model's decoding threads) yield the CPU to everything else on the
    machine.

    ``idle``: Linux's SCHED_IDLE, decoding runs only on CPU time no other
    process wants; ``low``: nice 10; ``normal``: unchanged.
    """
    if priority == "normal":
        return
    # Linux applies both per thread, and libraries (numpy's BLAS) have
    # started threads of their own by now.
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        threads = [0]
    for tid in threads:
        if priority == "idle" and hasattr(os, "SCHED_IDLE"):
            os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        else:
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + 10)


class Command(BaseCommand):
    help = "Serve speech recognition for live calls over the channel layer."

    def add_arguments(self, parser):
        parser.add_argument(
            "--priority",
            choices=PRIORITIES,
            default="idle",
            help=(
                "CPU priority of decoding (default idle): call servers on the same "
                "machine, whose audio is due every 20 ms, go first, and decoding "
                "takes the CPU they leave; on a machine of its own it makes no "
                "difference"
            ),
        )

    def handle(self, *args, priority, **options):
        if priority not in PRIORITIES:
            raise CommandError(f"--priority must be one of {', '.join(PRIORITIES)}")
        lower_priority(priority)
        recognizer = default_recognizer()
        recognizer.load()
        self.stdout.write("asr worker ready", ending="\n")
        self.stdout.flush()
        try:
            asyncio.run(serve_asr(recognizer))
        except KeyboardInterrupt:
            pass
