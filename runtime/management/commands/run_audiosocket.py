"""``python manage.py run_audiosocket --port N``: serve Asterisk AudioSocket
calls (see runtime/transports/audiosocket.py)."""

import asyncio

from django.core.management.base import BaseCommand

from runtime.transports.audiosocket import serve_audiosocket


class Command(BaseCommand):
    help = "Serve live calls from Asterisk over AudioSocket (TCP)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, **options):
        self.stdout.write(f"AudioSocket on {options['host']}:{options['port']}")
        self.stdout.flush()
        try:
            asyncio.run(serve_audiosocket(options["host"], options["port"]))
        except KeyboardInterrupt:
            pass
