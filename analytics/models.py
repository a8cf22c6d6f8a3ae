"""Pre-aggregated counters over the event log, and the cost rates.

``CallDaily`` and ``NodeDaily`` hold sums of ``analytics.facts`` per day and
per cell of the filters (source, segment, A/B variants), so a funnel or a
node table over a month sums a few thousand rows instead of millions of
events. They are kept exactly consistent with the event log: calls are
counted in the transaction that closes them, and ``analytics_rebuild``
recounts them from the raw events. Durations are whole milliseconds and
shares whole thousandths, so sums do not depend on the order of addition.
"""

from django.core.exceptions import ValidationError
from django.db import models

from designer.models import Script, ScriptVersion, Team

OUTCOME_FIELDS = (
    "transfer",
    "callback",
    "refusal",
    "answering_machine",
    "wrong_person",
    "do_not_call",
    "dropped",
    "no_response",
)


def _counter():
    return models.BigIntegerField(default=0)


class CallDaily(models.Model):
    """Calls of a version started on one UTC day, at one local hour, in one
    cell of source, segment and A/B variants."""

    version = models.ForeignKey(ScriptVersion, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    hour = models.PositiveSmallIntegerField(help_text="hour of the contact's local day")
    source = models.CharField(max_length=16)
    segment = models.CharField(max_length=64)
    variants = models.CharField(max_length=512, help_text="node=variant;... at A/B nodes")

    calls = _counter()
    answered = _counter()
    human = _counter()
    greeting_heard = _counter()
    offer_heard = _counter()
    target_action = _counter()
    amd_machine = _counter()
    target_reached = _counter()
    duration_ms = _counter()
    recognition_ms = _counter()
    outcome_transfer = _counter()
    outcome_callback = _counter()
    outcome_refusal = _counter()
    outcome_answering_machine = _counter()
    outcome_wrong_person = _counter()
    outcome_do_not_call = _counter()
    outcome_dropped = _counter()
    outcome_no_response = _counter()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "day", "hour", "source", "segment", "variants"],
                name="calldaily_cell",
            )
        ]


class NodeDaily(models.Model):
    """What happened at one node in calls of one UTC day and one cell."""

    version = models.ForeignKey(ScriptVersion, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    source = models.CharField(max_length=16)
    segment = models.CharField(max_length=64)
    variants = models.CharField(max_length=512)
    node = models.CharField(max_length=128)

    entered = _counter()
    calls = _counter()
    hung_up_in_prompt = _counter()
    heard_ms = _counter()
    heard_permille = _counter()
    heard_q1 = _counter()
    heard_q2 = _counter()
    heard_q3 = _counter()
    heard_q4 = _counter()
    hung_up_listening = _counter()
    no_match = _counter()
    no_input = _counter()
    moved_on = _counter()
    calls_moved_on = _counter()
    calls_target = _counter()
    ended_transfer = _counter()
    ended_callback = _counter()
    ended_refusal = _counter()
    ended_answering_machine = _counter()
    ended_wrong_person = _counter()
    ended_do_not_call = _counter()
    ended_dropped = _counter()
    ended_no_response = _counter()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "day", "source", "segment", "variants", "node"],
                name="nodedaily_cell",
            )
        ]


class CostRate(models.Model):
    """Prices for a team's calls, or for one script (which wins).

    The event log has no record of the operator's part of a transferred
    call, so its length is set here as an average.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="cost_rates")
    script = models.OneToOneField(
        Script,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cost_rate",
        help_text="leave empty for the team's default rates",
    )
    currency = models.CharField(max_length=8, default="USD")
    robot_minute = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    recognition_minute = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    operator_minute = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    per_transfer = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    operator_minutes_per_transfer = models.DecimalField(
        max_digits=8, decimal_places=2, default=0
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=models.Q(script__isnull=True),
                name="one_default_rate_per_team",
            )
        ]

    def clean(self):
        if self.script_id and self.script.team_id != self.team_id:
            raise ValidationError({"script": "The script belongs to another team."})

    def __str__(self):
        what = self.script.slug if self.script_id else "team default"
        return f"{self.team.slug}: {what}"
