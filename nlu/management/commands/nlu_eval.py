from django.core.management.base import BaseCommand, CommandError

from designer.models import Script
from nlu.evaluation import (
    EvalFileError,
    check_labels,
    evaluate,
    format_report,
    read_cases,
)
from nlu.languages import LANGUAGES, UnknownLanguage, require_language
from nlu.matcher import InvalidIntents, matcher_for


class Command(BaseCommand):
    help = (
        "Evaluate the intent matcher on a UTF-8 file of 'intent<TAB>phrase' "
        "lines ('none' for a phrase that must match no intent): print the "
        "accuracy, the confusion table and the misses. --script adds the own "
        "intents of that script's latest published version."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the evaluation file, e.g. nlu/eval/ru.tsv")
        parser.add_argument("--language", required=True, help=" or ".join(LANGUAGES))
        parser.add_argument(
            "--script", metavar="SLUG", help="a script slug, or TEAM/SLUG if ambiguous"
        )

    def handle(self, *args, file, language, script, **options):
        try:
            require_language(language)
            cases = read_cases(file)
            intents = _script_intents(script, language) if script else None
            matcher = matcher_for(language, intents)
            check_labels(cases, matcher.intents)
        except (EvalFileError, UnknownLanguage, InvalidIntents) as exc:
            raise CommandError(str(exc)) from None

        report = evaluate(matcher, cases)
        labels = list(matcher.intents)
        self.stdout.write(format_report(report, labels + ["none"]))


def _script_intents(slug: str, language: str) -> dict[str, list[str]]:
    team, _, slug = slug.rpartition("/")
    scripts = Script.objects.filter(slug=slug)
    if team:
        scripts = scripts.filter(team__slug=team)
    found = list(scripts.select_related("team")[:2])
    if not found:
        raise CommandError(f"no script with the slug {slug!r}")
    if len(found) > 1:
        raise CommandError(f"several teams have a script {slug!r}; use TEAM/{slug}")

    script = found[0]
    if script.language != language:
        raise CommandError(
            f"script {slug!r} is in {script.language!r}, not {language!r}"
        )
    version = script.latest_published()
    if version is None:
        raise CommandError(f"script {slug!r} has no published version")
    own = version.document.get("intents") or {}
    return {intent: spec.get("examples", []) for intent, spec in own.items()}
