"""Finding the script version a command or a call asks for."""

from django.core.management.base import BaseCommand, CommandError

from designer.models import Script, ScriptVersion


def find_script(slug: str, *, team: str | None = None, team_hint: str = "pass --team") -> Script:
    """The script ``slug``; ``team`` is needed only when two teams use it.

    ``team_hint`` says how the caller names a team, for the error.
    """
    scripts = Script.objects.filter(slug=slug).select_related("team")
    if team:
        scripts = scripts.filter(team__slug=team)
    found = list(scripts[:10])
    if not found:
        where = f" in team {team!r}" if team else ""
        raise CommandError(f"no such script: {slug!r}{where}")
    if len(found) > 1:
        teams = ", ".join(sorted(s.team.slug for s in found))
        raise CommandError(f"script {slug!r} exists in several teams ({teams}); {team_hint}")
    return found[0]


def find_version(script: Script, number: int | None) -> ScriptVersion:
    """Published version ``number`` of ``script``, or its latest one."""
    published = script.versions.filter(number__isnull=False)
    if number is None:
        version = published.order_by("-number").first()
        if version is None:
            raise CommandError(f"script {script.slug!r} has no published version; publish it first")
        return version
    version = published.filter(number=number).first()
    if version is None:
        numbers = ", ".join(str(n) for n in published.values_list("number", flat=True))
        raise CommandError(
            f"script {script.slug!r} has no version {number}"
            + (f" (published: {numbers})" if numbers else " (nothing published yet)")
        )
    return version


def parse_vars(pairs) -> dict:
    """``["name=Анна", "limit=150000"]`` as a dict."""
    variables = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--var takes key=value, not {pair!r}")
        if not key.strip().isidentifier():
            raise CommandError(f"--var {key.strip()!r}: a variable name is letters, digits and _")
        variables[key.strip()] = value
    return variables


def check_contact_fields(*, call_id: str = "", phone: str = "", segment: str = "") -> None:
    """The lengths the event log stores, checked before anything runs."""
    for name, value, limit in (
        ("call id", call_id, 128),
        ("phone", phone, 64),
        ("segment", segment, 64),
    ):
        if len(value) > limit:
            raise CommandError(f"{name} is longer than {limit} characters")


class ScriptCommand(BaseCommand):
    """A command whose ``--version`` means a script version.

    Django gives every command a ``--version`` that prints Django's own
    version; here the option picks the published script version instead.
    """

    def add_base_argument(self, parser, *args, **kwargs):
        if "--version" in args:
            return
        super().add_base_argument(parser, *args, **kwargs)
