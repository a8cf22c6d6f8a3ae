"""``python manage.py run_call_servers --port N --processes P``: P call
server processes behind one address (see runtime/serving.py).

While it serves, the supervisor closes every minute the live calls that a
stopped process left open (``runtime.live.sweep``)."""

import logging
import sys
import threading

from django.core.management.base import BaseCommand, CommandError

from runtime.live.sweep import close_lost_calls
from runtime.serving import ServerGroup, ServingError, default_processes

logger = logging.getLogger("outcall.serving")

SWEEP_SECONDS = 60.0


def sweep_lost_calls() -> None:
    """One run of the sweeper; a failure is logged, serving goes on."""
    from django.db import connection

    try:
        close_lost_calls()
    except Exception:
        logger.exception("closing lost calls failed")
    finally:
        connection.close()


def sweep_periodically(stop: threading.Event, every: float = SWEEP_SECONDS) -> None:
    while True:
        sweep_lost_calls()
        if stop.wait(every):
            return


class Command(BaseCommand):
    help = (
        "Serve live calls (/ws/call/, /ws/twilio/) and the API from several "
        "Daphne processes that share one listening address."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="server processes (default: one per CPU core)",
        )

    def handle(self, *args, host, port, processes, **options):
        processes = default_processes() if processes is None else processes
        if processes < 1:
            raise CommandError("--processes must be at least 1")
        group = ServerGroup(host=host, port=port, processes=processes)
        try:
            group.start()
        except ServingError as exc:
            raise CommandError(str(exc)) from None
        bound_host, bound_port = group.address
        self.stdout.write(
            f"serving calls on {bound_host}:{bound_port} with {processes} processes "
            f"(pids {' '.join(map(str, group.pids))})"
        )
        self.stdout.flush()
        stop_sweeping = threading.Event()
        sweeper = threading.Thread(
            target=sweep_periodically, args=(stop_sweeping,), name="sweeper", daemon=True
        )
        sweeper.start()
        try:
            group.serve_forever()
        except ServingError as exc:
            sys.stderr.write(f"{exc}\n")
            raise CommandError("stopped") from None
        finally:
            stop_sweeping.set()
