"""Reading scripts and versions, in the shape the API and pages show."""

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, QuerySet, Subquery

from designer.models import Script, ScriptVersion, Team


def script_list(*, teams: list[Team]) -> QuerySet[Script]:
    """The teams' scripts, each with a summary of its draft and versions.

    Annotates ``draft_revision``, ``draft_checksum``, ``draft_updated_at``,
    ``last_editor`` (who saved the draft last), ``latest_version`` and
    ``latest_checksum`` (``None`` before the first publish), in one query.
    """
    drafts = ScriptVersion.objects.filter(script=OuterRef("pk"), number__isnull=True)
    published = ScriptVersion.objects.filter(
        script=OuterRef("pk"), number__isnull=False
    ).order_by("-number")
    username = f"author__{get_user_model().USERNAME_FIELD}"
    return (
        Script.objects.filter(team__in=teams)
        .select_related("team")
        .annotate(
            draft_revision=Subquery(drafts.values("revision")[:1]),
            draft_checksum=Subquery(drafts.values("checksum")[:1]),
            draft_updated_at=Subquery(drafts.values("updated_at")[:1]),
            last_editor=Subquery(drafts.values(username)[:1]),
            latest_version=Subquery(published.values("number")[:1]),
            latest_checksum=Subquery(published.values("checksum")[:1]),
        )
        .order_by("team__slug", "slug")
    )


def version_list(*, script: Script) -> QuerySet[ScriptVersion]:
    """The script's published versions, newest first, without documents."""
    return (
        script.versions.filter(number__isnull=False)
        .select_related("author")
        .defer("document")
        .order_by("-number")
    )
