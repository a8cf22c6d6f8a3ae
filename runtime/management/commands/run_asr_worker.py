"""``python manage.py run_asr_worker``: recognise utterances sent by live
calls over the channel layer (set ``OUTCALL_LIVE_ASR=channel`` and
``REDIS_URL`` on the call servers and here)."""

import asyncio
import os

from django.core.management.base import BaseCommand, CommandError

from runtime.live.asr import default_recognizer
from runtime.transports.asr import serve_asr


class Command(BaseCommand):
    help = "Serve speech recognition for live calls over the channel layer."

    def add_arguments(self, parser):
        parser.add_argument(
            "--nice",
            type=int,
            default=10,
            help=(
                "lower this process's CPU priority by this much (0-19, default 10), "
                "so that call servers on the same machine, whose audio is due every "
                "20 ms, go first and decoding takes the CPU they leave"
            ),
        )

    def handle(self, *args, nice, **options):
        if not 0 <= nice <= 19:
            raise CommandError("--nice must be between 0 and 19")
        if nice:
            os.nice(nice)
        recognizer = default_recognizer()
        recognizer.load()
        self.stdout.write("asr worker ready", ending="\n")
        self.stdout.flush()
        try:
            asyncio.run(serve_asr(recognizer))
        except KeyboardInterrupt:
            pass
