"""``python manage.py run_asr_worker``: recognise utterances sent by live
calls over the channel layer (set ``OUTCALL_LIVE_ASR=channel`` and
``REDIS_URL`` on the call servers and here)."""

import asyncio

from django.core.management.base import BaseCommand

from runtime.live.asr import default_recognizer
from runtime.transports.asr import serve_asr


class Command(BaseCommand):
    help = "Serve speech recognition for live calls over the channel layer."

    def handle(self, *args, **options):
        recognizer = default_recognizer()
        recognizer.load()
        self.stdout.write("asr worker ready", ending="\n")
        self.stdout.flush()
        try:
            asyncio.run(serve_asr(recognizer))
        except KeyboardInterrupt:
            pass
