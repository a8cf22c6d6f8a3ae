"""The analytics API: parse the filters, call one query, answer.

Team-scoped like the authoring API (``designer.api.views.TeamView``): a
script of another team does not exist for the caller (404). Bad filters
answer 400 with ``invalid_filter`` and the parameter in ``field``.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from analytics import queries
from analytics.api.csv import CSVRenderer
from analytics.filters import Filters
from designer import selectors
from designer.api.views import TEAM_PARAMETER, TeamView
from designer.errors import InvalidInput, ScriptNotFound

PARAMETERS = [
    TEAM_PARAMETER,
    OpenApiParameter("script", OpenApiTypes.STR, required=True, description="script slug"),
    OpenApiParameter("version", OpenApiTypes.INT, description="version number; latest if left out"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="first UTC day; 30 days before `to` if left out"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="last UTC day; today if left out"),
    OpenApiParameter("segment", OpenApiTypes.STR),
    OpenApiParameter("variant", OpenApiTypes.STR, description="NODE:VARIANT, e.g. greeting:b"),
    OpenApiParameter("source", OpenApiTypes.STR, description="live, replay, simulation (comma-separated)"),
    OpenApiParameter("breakdown", OpenApiTypes.STR, description="segment, variant or segment,variant"),
    OpenApiParameter("node", OpenApiTypes.STR, description="the A/B node of a variant breakdown"),
    OpenApiParameter("format", OpenApiTypes.STR, description="csv for the table as CSV"),
]  # fmt: skip


class AnalyticsView(TeamView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    query = None
    csv_name = "analytics"

    def filters(self) -> Filters:
        slug = self.request.query_params.get("script")
        if not slug:
            raise InvalidInput("Say which script with `script` (its slug).")
        script = selectors.script_list(teams=[self.team]).filter(slug=slug).first()
        if script is None:
            raise ScriptNotFound(f"Team {self.team.slug} has no script '{slug}'.")
        return Filters.parse(script, self.request.query_params)

    def get(self, request):
        filters = self.filters()
        return Response({**type(self).query(filters), "warnings": filters.warnings})

    def csv_rows(self, data) -> list[dict]:
        raise NotImplementedError


def _with_group(data, key, rows_of):
    """Rows of the total, then rows of each breakdown group, labelled."""
    rows = [{"group": "all", **row} for row in rows_of(data)]
    for group in data.get("groups", []):
        label = {k: v for k, v in group.items() if k != key}
        name = ",".join(f"{k}={v}" for k, v in label.items())
        rows.extend({"group": name, **row} for row in group[key])
    return rows


@extend_schema(
    summary="The call funnel of a script version",
    parameters=PARAMETERS,
    responses=OpenApiTypes.OBJECT,
)
class FunnelView(AnalyticsView):
    query = queries.funnel
    csv_name = "funnel"

    def csv_rows(self, data):
        return _with_group(data, "stages", lambda d: d["stages"])


@extend_schema(
    summary="Drop-off per node",
    parameters=PARAMETERS,
    responses=OpenApiTypes.OBJECT,
)
class NodesView(AnalyticsView):
    query = queries.nodes
    csv_name = "nodes"

    def csv_rows(self, data):
        return _with_group(data, "nodes", lambda d: d["nodes"])


@extend_schema(
    summary="A/B variants compared, per node",
    parameters=PARAMETERS,
    responses=OpenApiTypes.OBJECT,
)
class ComparisonsView(AnalyticsView):
    query = queries.comparisons
    csv_name = "comparisons"

    def csv_rows(self, data):
        """The variants' table, then the tests, told apart by `table`."""
        variants, tests = [], []
        for comparison in data["comparisons"]:
            where = {k: comparison.get(k, "") for k in ("segment", "node", "ab_test")}
            variants.extend(
                {"table": "variants", **where, **v} for v in comparison["variants"]
            )
            tests.extend({"table": "tests", **where, **t} for t in comparison["tests"])
        return variants + tests


@extend_schema(
    summary="Outcomes per day and per local hour",
    parameters=PARAMETERS,
    responses=OpenApiTypes.OBJECT,
)
class TrendsView(AnalyticsView):
    query = queries.trends
    csv_name = "trends"

    def csv_rows(self, data):
        return [{"hour": "", **d} for d in data["days"]] + [
            {"day": "", **h} for h in data["hours"]
        ]


@extend_schema(
    summary="Answering-machine share",
    parameters=PARAMETERS,
    responses=OpenApiTypes.OBJECT,
)
class AmdView(AnalyticsView):
    query = queries.amd
    csv_name = "answering-machines"

    def csv_rows(self, data):
        return data["days"]


@extend_schema(
    summary="Cost per call, per target action, per variant",
    parameters=PARAMETERS,
    responses=OpenApiTypes.OBJECT,
)
class EconomicsView(AnalyticsView):
    query = queries.economics
    csv_name = "economics"

    def csv_rows(self, data):
        total = {
            k: v for k, v in data.items() if k not in ("filters", "rates", "variants")
        }
        return [{"node": "", "variant": "all", **total}] + data["variants"]
