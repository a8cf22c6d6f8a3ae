"""Closing the live calls whose server process is gone.

A call server that stops (a deploy, a crash, SIGKILL) takes its calls with
it before they can log their end: their sessions would stay open, "running"
for the call-result API and uncounted by analytics. ``close_lost_calls``
finds the live calls that have logged nothing for ``older_than`` seconds and
closes each as a caller who vanished (``runtime.eventlog.close_lost_session``).

A call in progress logs an event at every prompt and every turn, and its
recorder stores buffered events at least once a minute; the longest silence
the engine waits for is a node's ``no_input_timeout`` (at most 120 s). Ten
minutes without a stored event therefore means the call is gone.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Max, Q
from django.utils import timezone

from runtime.eventlog import close_lost_session
from runtime.models import CallSession

logger = logging.getLogger("outcall.live")

LOST_CALL_SECONDS = 600.0


@dataclass(frozen=True)
class LostCall:
    pk: int
    call_id: str
    started_at: object
    last_activity: object


def find_lost_calls(*, older_than: float = LOST_CALL_SECONDS, now=None) -> list[LostCall]:
    """Open live calls with no event (nor start) in the last ``older_than`` s."""
    if older_than < 0:
        raise ValueError("older_than must not be negative")
    idle_since = (now or timezone.now()) - timedelta(seconds=older_than)
    open_calls = (
        CallSession.objects.filter(
            source=CallSession.Source.LIVE,
            ended_at__isnull=True,
            started_at__lte=idle_since,
        )
        .annotate(last_at=Max("events__at"))
        .filter(Q(last_at__isnull=True) | Q(last_at__lte=idle_since))
        .order_by("pk")
    )
    return [
        LostCall(s.pk, s.call_id, s.started_at, s.last_at or s.started_at) for s in open_calls
    ]


def close_lost_calls(
    *, older_than: float = LOST_CALL_SECONDS, now=None, dry_run: bool = False
) -> list[LostCall]:
    """Close the calls ``find_lost_calls`` finds; returns those closed (or,
    with ``dry_run``, those that would be). Safe to run in several processes
    at once and again: each call is closed once, under a row lock."""
    now = now or timezone.now()
    lost = find_lost_calls(older_than=older_than, now=now)
    if dry_run:
        return lost
    idle_since = now - timedelta(seconds=older_than)
    closed = []
    for call in lost:
        if close_lost_session(call.pk, idle_since=idle_since):
            logger.warning(
                "%s: no event since %s; closed as lost (its server stopped)",
                call.call_id,
                call.last_activity.isoformat(),
            )
            closed.append(call)
    return closed
