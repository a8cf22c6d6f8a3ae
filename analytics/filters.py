"""The filters every analytics figure takes, parsed and checked once.

``Filters.parse`` turns query parameters into a ``Filters`` or raises
``InvalidFilter`` naming the parameter; nothing is read before it passes.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from analytics.errors import InvalidFilter
from analytics.facts import parse_variants_key, version_shape
from analytics.models import CallDaily
from designer.models import Script, ScriptVersion
from runtime.models import CallSession

DEFAULT_DAYS = 30
MAX_DAYS = 366
SOURCES = tuple(CallSession.Source.values)
BREAKDOWNS = ("segment", "variant")


@dataclass
class Filters:
    script: Script
    version: ScriptVersion
    day_from: date
    day_to: date
    segment: str | None = None
    variant: tuple[str, str] | None = None  # (node, variant)
    sources: tuple = SOURCES
    breakdown: tuple = ()
    node: str | None = None  # the A/B node of a variant breakdown
    node_types: dict = field(default_factory=dict)
    ab_nodes: set = field(default_factory=set)
    warnings: list = field(default_factory=list)

    @classmethod
    def parse(cls, script: Script, params) -> "Filters":
        version = _version(script, params.get("version"))
        node_types, ab_nodes = version_shape(version.document)
        day_to = _day(params.get("to"), "to") or timezone.now().date()
        day_from = _day(params.get("from"), "from") or _days_before(
            day_to, DEFAULT_DAYS - 1
        )
        if day_from > day_to:
            raise InvalidFilter(
                "from", f"'from' ({day_from}) is after 'to' ({day_to})."
            )
        if (day_to - day_from).days >= MAX_DAYS:
            raise InvalidFilter(
                "from",
                f"The range is limited to {MAX_DAYS} days; "
                f"{day_from} to {day_to} is {(day_to - day_from).days + 1}.",
            )

        filters = cls(
            script=script,
            version=version,
            day_from=day_from,
            day_to=day_to,
            segment=params.get("segment") or None,
            node_types=node_types,
            ab_nodes=ab_nodes,
        )
        filters.variant = _variant(params.get("variant"), version.document, ab_nodes)
        filters.sources = _sources(params.get("source"))
        filters.breakdown = _breakdown(params.get("breakdown"))
        filters.node = _node(params.get("node"), ab_nodes)
        filters.warnings = _warnings(filters)
        return filters

    def as_dict(self) -> dict:
        return {
            "script": self.script.slug,
            "version": self.version.number,
            "from": self.day_from.isoformat(),
            "to": self.day_to.isoformat(),
            "segment": self.segment,
            "variant": ":".join(self.variant) if self.variant else None,
            "source": list(self.sources),
        }

    def variant_matches(self, key: str) -> bool:
        if self.variant is None:
            return True
        node, variant = self.variant
        return parse_variants_key(key).get(node) == variant


def _version(script: Script, raw) -> ScriptVersion:
    published = script.versions.filter(number__isnull=False)
    if raw in (None, ""):
        version = published.order_by("-number").first()
        if version is None:
            raise InvalidFilter(
                "version", f"Script '{script.slug}' has no published version yet."
            )
        return version
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidFilter("version", f"'version' is a number, not {raw!r}.")
    number = int(raw)
    version = published.filter(number=number).first()
    if version is None:
        numbers = list(published.order_by("number").values_list("number", flat=True))
        raise InvalidFilter(
            "version",
            f"Script '{script.slug}' has no version {number}"
            + (f" (published: {', '.join(map(str, numbers))})." if numbers else "."),
        )
    return version


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _days_before(day: date, days: int) -> date:
    """``days`` days before ``day``, or the first day there is."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


def _day(raw, name: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        if not ISO_DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidFilter(
            name, f"'{name}' is a date as YYYY-MM-DD, not {raw!r}."
        ) from None


def _variant(raw, document: dict, ab_nodes) -> tuple[str, str] | None:
    if raw in (None, ""):
        return None
    node, sep, variant = raw.rpartition(":")
    if not sep or not node or not variant:
        raise InvalidFilter(
            "variant", f"'variant' is NODE:VARIANT, e.g. greeting:a, not {raw!r}."
        )
    for each in document.get("nodes", []):
        if each["id"] == node:
            if node not in ab_nodes:
                raise InvalidFilter("variant", _not_ab(node, ab_nodes))
            ids = [
                v.get("id") for v in (each.get("prompt") or {}).get("variants") or []
            ]
            if variant in ids:
                return node, variant
            raise InvalidFilter(
                "variant",
                f"Node '{node}' has no variant '{variant}' (it has {', '.join(ids) or 'none'}).",
            )
    raise InvalidFilter("variant", f"The version has no node '{node}'.")


def _sources(raw) -> tuple:
    if raw in (None, ""):
        return SOURCES
    sources = tuple(s.strip() for s in raw.split(",") if s.strip())
    unknown = [s for s in sources if s not in SOURCES]
    if unknown or not sources:
        raise InvalidFilter(
            "source",
            f"Unknown source {', '.join(unknown)!s}; sources are {', '.join(SOURCES)}.",
        )
    return sources


def _breakdown(raw) -> tuple:
    if raw in (None, ""):
        return ()
    parts = tuple(p.strip() for p in raw.split(",") if p.strip())
    unknown = [p for p in parts if p not in BREAKDOWNS]
    if unknown or len(set(parts)) != len(parts):
        raise InvalidFilter(
            "breakdown", "'breakdown' is segment, variant, or segment,variant."
        )
    return parts


def _node(raw, ab_nodes) -> str | None:
    if raw in (None, ""):
        return None
    if raw not in ab_nodes:
        raise InvalidFilter("node", _not_ab(raw, ab_nodes))
    return raw


def _not_ab(node: str, ab_nodes) -> str:
    names = ", ".join(sorted(ab_nodes)) or "none"
    return f"'{node}' is not a node with A/B variants ({names})."


def _warnings(filters: Filters) -> list[str]:
    """What a caller should know about filters that are valid but match
    nothing this version ever recorded."""
    warnings = []
    segment = filters.segment
    if (
        segment is not None
        and not CallDaily.objects.filter(
            version=filters.version, segment=segment
        ).exists()
    ):
        warnings.append(f"no calls of segment '{segment}' in this version")
    return warnings
