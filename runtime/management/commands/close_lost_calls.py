"""``python manage.py close_lost_calls [--older-than SECONDS] [--dry-run]``:
close the live calls whose server process stopped (see runtime/live/sweep.py)."""

from django.core.management.base import BaseCommand, CommandError

from runtime.live.sweep import LOST_CALL_SECONDS, close_lost_calls


class Command(BaseCommand):
    help = (
        "Close live calls that have logged nothing for a while (their server "
        "stopped) as dropped, so they stop showing as running and are counted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=LOST_CALL_SECONDS,
            metavar="SECONDS",
            help=f"silence that marks a call lost (default {LOST_CALL_SECONDS:.0f})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list the calls, change nothing"
        )

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must not be negative")
        calls = close_lost_calls(older_than=older_than, dry_run=dry_run)
        verb = "would close" if dry_run else "closed"
        for call in calls:
            self.stdout.write(
                f"{verb} {call.call_id} (last activity {call.last_activity.isoformat()})"
            )
        self.stdout.write(f"{len(calls)} lost call(s) {verb}")
