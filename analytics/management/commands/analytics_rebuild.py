from django.core.management.base import CommandError

from analytics.counting import rebuild
from runtime.lookup import ScriptCommand, find_script, find_version


class Command(ScriptCommand):
    help = (
        "Recount the analytics counters from the raw event log: of one "
        "script (--script, optionally --version) or of every call."
    )

    def add_arguments(self, parser):
        parser.add_argument("--script", help="script slug")
        parser.add_argument("--team", help="team slug, when two teams use the slug")
        parser.add_argument("--version", type=int, dest="number", help="version number")

    def handle(self, *args, **options):
        versions = None
        if options["script"]:
            script = find_script(options["script"], team=options["team"])
            if options["number"] is not None:
                versions = [find_version(script, options["number"])]
            else:
                versions = list(script.versions.all())
        elif options["number"] is not None:
            raise CommandError("--version needs --script")
        counted = rebuild(versions=versions)
        self.stdout.write(f"{counted} calls counted")
