import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from designer.errors import DesignerError, ValidationFailed
from designer.graph.validation import has_errors
from designer.models import Membership, Script, Team
from designer.services import (
    draft_save,
    script_create,
    script_publish,
    script_validate,
)

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

TEAM_SLUG = "demo"
USER_NAME = "demo"
USER_PASSWORD = "demo"

# slug, file in designer/demo/, name, language
SCRIPTS = (
    ("bank-card-offer", "bank-card-offer.json", "Кредитная карта: предложение", "ru"),
    ("bank-card-offer-en", "bank-card-offer-en.json", "Credit card offer", "en"),
)


class Command(BaseCommand):
    help = (
        "Install the demo: the team 'demo', the user 'demo' with the password "
        "'demo' as a publisher of the team (created only if missing, never "
        "changed), and the two credit card scripts of designer/demo/, "
        "published. Safe to run again: a script whose latest published version "
        "equals its file is left alone; a changed file is saved as the draft "
        "and published as a new version. Nothing is ever deleted."
    )

    def handle(self, *args, **options):
        documents = [(spec, self._read(spec[1])) for spec in SCRIPTS]
        # Both files are checked before anything is written, so that a bad
        # one leaves the database as it was.
        report = []
        for (_, filename, _, _), document in documents:
            problems = script_validate(document=document)
            if has_errors(problems):
                report.append(_problems_text(filename, problems))
        if report:
            raise CommandError("\n".join(report))

        lines = []
        try:
            with transaction.atomic():
                team, author = self._team_and_user(lines)
                for (slug, filename, name, language), document in documents:
                    try:
                        lines.append(
                            self._install(
                                team=team,
                                author=author,
                                slug=slug,
                                name=name,
                                language=language,
                                document=document,
                            )
                        )
                    except ValidationFailed as exc:
                        raise CommandError(
                            _problems_text(filename, exc.problems)
                        ) from None
        except DesignerError as exc:
            # A demo script that someone remade in another language, say.
            raise CommandError(f"Nothing was changed: {exc.message}") from None

        # Written once committed, so that no line reports a rolled-back change.
        for line in lines:
            self.stdout.write(line)

    def _read(self, filename):
        path = DEMO_DIR / filename
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None

    def _team_and_user(self, lines):
        team, created = Team.objects.get_or_create(
            slug=TEAM_SLUG, defaults={"name": "Demo"}
        )
        lines.append(f"team {team.slug}: {'created' if created else 'exists'}")

        User = get_user_model()
        user = User.objects.filter(username=USER_NAME).first()
        if user is None:
            user = User.objects.create_user(username=USER_NAME, password=USER_PASSWORD)
            lines.append(f"user {USER_NAME}: created, password '{USER_PASSWORD}'")
        else:
            lines.append(f"user {USER_NAME}: exists, left as it is")

        _, created = Membership.objects.get_or_create(
            user=user, team=team, defaults={"role": Membership.Role.PUBLISHER}
        )
        if created:
            lines.append(f"user {USER_NAME}: made a publisher of team {team.slug}")
        return team, user

    def _install(self, *, team, author, slug, name, language, document) -> str:
        script = Script.objects.filter(team=team, slug=slug).first()
        if script is None:
            script = script_create(
                team=team,
                slug=slug,
                name=name,
                language=language,
                document=document,
                author=author,
            )
            version = script_publish(script=script, author=author)
            return f"{slug}: created and published as v{version.number}"

        latest = script.latest_published()
        if latest is not None and latest.document == document:
            return f"{slug}: unchanged, v{latest.number} is published"

        draft_save(script=script, document=document, author=author, base_revision=None)
        version = script_publish(script=script, author=author)
        return (
            f"{slug}: file changed, saved as the draft and published as "
            f"v{version.number}"
        )


def _problems_text(filename, problems) -> str:
    lines = [f"{filename} does not validate:"]
    for problem in problems:
        where = " ".join(part for part in (problem.node, problem.field) if part)
        where = where or "top level"
        lines.append(f"  {problem.severity} at {where}: {problem.message}")
    return "\n".join(lines)
