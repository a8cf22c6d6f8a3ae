"""``python manage.py run_audiosocket --port N``: serve Asterisk AudioSocket
calls (see runtime/transports/audiosocket.py). It first closes the live
calls that a stopped server left open (``runtime.live.sweep``)."""

import asyncio

from django.core.management.base import BaseCommand, CommandError

from runtime.live.sweep import close_lost_calls
from runtime.transports.audiosocket import serve_audiosocket


class Command(BaseCommand):
    help = "Serve live calls from Asterisk over AudioSocket (TCP)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be 1-65535, not {port}.")
        closed = self._close_lost_calls()
        self.stdout.write(f"AudioSocket on {host}:{port}")
        if closed:
            self.stdout.write(f"closed {closed} lost call(s) a stopped server left open")
        self.stdout.flush()
        try:
            asyncio.run(serve_audiosocket(host, port))
        except KeyboardInterrupt:
            pass
        except OSError as exc:
            # An address in use, a host that is not an address of this
            # machine or cannot be resolved.
            raise CommandError(f"cannot listen on {host}:{port}: {exc}") from None

    def _close_lost_calls(self) -> int:
        """Calls a stopped server left open; a failure does not stop serving."""
        from django.db import connection

        try:
            return len(close_lost_calls())
        except Exception as exc:
            self.stderr.write(f"closing lost calls failed: {exc}")
            return 0
        finally:
            connection.close()
