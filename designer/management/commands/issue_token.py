from django.core.management.base import BaseCommand, CommandError

from designer.models import ApiToken, Team


class Command(BaseCommand):
    help = (
        "Issue an API token for a team and print its key, alone on one line. "
        "Only a digest is stored: the key cannot be shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True, help="slug of the team")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, team, name, **options):
        found = Team.objects.filter(slug=team).first()
        if found is None:
            known = ", ".join(
                Team.objects.order_by("slug").values_list("slug", flat=True)
            )
            raise CommandError(
                f"no team {team!r}"
                + (f" (teams: {known})" if known else " (no team exists yet)")
            )
        _, key = ApiToken.issue(team=found, name=name)
        self.stdout.write(key)
