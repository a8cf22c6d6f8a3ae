"""The event log: one ``CallSession`` per call and its ``CallEvent`` rows.

Live calls, replays of recordings and text simulations are logged the same
way, told apart by ``source``, so their figures can be compared.
"""

from django.db import models

from designer.models import Script, ScriptVersion, Team


class CallSession(models.Model):
    class Source(models.TextChoices):
        LIVE = "live"
        REPLAY = "replay"
        SIMULATION = "simulation"

    class Outcome(models.TextChoices):
        TRANSFER = "transfer"
        CALLBACK = "callback"
        REFUSAL = "refusal"
        ANSWERING_MACHINE = "answering_machine"
        WRONG_PERSON = "wrong_person"
        DO_NOT_CALL = "do_not_call"
        DROPPED = "dropped"
        NO_RESPONSE = "no_response"

    call_id = models.CharField(max_length=128, unique=True)
    script = models.ForeignKey(Script, on_delete=models.PROTECT, related_name="calls")
    version = models.ForeignKey(ScriptVersion, on_delete=models.PROTECT, related_name="calls")
    source = models.CharField(max_length=16, choices=Source.choices)
    phone = models.CharField(max_length=64, blank=True)
    segment = models.CharField(max_length=64, blank=True)
    # The contact's IANA time zone, for "hour of the contact's local day".
    timezone = models.CharField(max_length=64, blank=True)
    variables = models.JSONField(default=dict, blank=True)
    variant_choices = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    end_node = models.CharField(max_length=128, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["version", "started_at"]),
            models.Index(fields=["script", "started_at"]),
        ]

    def __str__(self):
        return self.call_id


class CallEvent(models.Model):
    class Kind(models.TextChoices):
        NODE_ENTERED = "node_entered"
        PROMPT_PLAYED = "prompt_played"
        UTTERANCE = "utterance"
        NO_INPUT = "no_input"
        NO_MATCH = "no_match"
        DTMF = "dtmf"
        HANGUP = "hangup"
        TARGET_REACHED = "target_reached"
        CALL_ENDED = "call_ended"

    session = models.ForeignKey(CallSession, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32, choices=Kind.choices)
    node = models.CharField(max_length=128, blank=True)
    # Seconds since the start of the call (virtual time for replays).
    offset = models.FloatField()
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="event_seq_per_call")
        ]
        indexes = [models.Index(fields=["kind", "node"])]

    def __str__(self):
        return f"{self.session_id}#{self.seq} {self.kind} {self.node}"


class CallTransfer(models.Model):
    """What a live call handed to the operator with its transfer: the
    rendered summary and the engine's context of the call.

    Kept for the transports whose wire cannot carry them (AudioSocket,
    Twilio Media Streams): the telephony layer reads them back from the
    call-result API once the call has ended. The target is on the call's
    ``target_reached`` event; the outcome and the end node on the session.
    """

    session = models.OneToOneField(
        CallSession, on_delete=models.CASCADE, primary_key=True, related_name="transfer"
    )
    summary = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"{self.session_id} transfer"


class CallRoute(models.Model):
    """Which script an AudioSocket call runs, set before Asterisk connects.

    A route names a call UUID; the one route marked ``is_default`` (it has
    no UUID) serves every call that has no route of its own. The script is
    one of the route's team's published scripts.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="call_routes")
    call_uuid = models.UUIDField(null=True, blank=True, unique=True)
    is_default = models.BooleanField(default=False)
    script = models.SlugField()
    version = models.PositiveIntegerField(null=True, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    segment = models.CharField(max_length=64, blank=True)
    variables = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_call_route",
            ),
            models.CheckConstraint(
                condition=models.Q(is_default=True, call_uuid__isnull=True)
                | models.Q(is_default=False, call_uuid__isnull=False),
                name="call_route_uuid_or_default",
            ),
        ]

    def __str__(self):
        return f"{self.call_uuid or 'default'} → {self.script}"
