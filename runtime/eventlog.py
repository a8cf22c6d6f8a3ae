"""Writing calls to the event log in batches, and reading drop-off back.

The engine produces ``LogEvent`` objects (kind, node, offset, data); this
module turns them into ``CallSession`` and ``CallEvent`` rows. Events are
never written one by one: a single call buffers them (``CallRecorder``),
and a simulation of many calls buffers whole calls (``BulkCallWriter``).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.dispatch import Signal
from django.utils import timezone

from runtime.models import CallEvent, CallSession, CallTransfer

logger = logging.getLogger("outcall.eventlog")

# Sent inside the transaction that writes the end of calls, with ``calls``:
# a list of (CallSession, events) pairs, where events are the engine's
# LogEvents of the whole call, or None when they went out in earlier batches
# (read them back from CallEvent). The analytics counters listen to it.
calls_closed = Signal()


def _event_rows(session, events, *, first_seq: int, started_at: datetime):
    return [
        CallEvent(
            session=session,
            seq=first_seq + i,
            kind=event.kind,
            node=event.node or "",
            offset=round(event.offset, 3),
            at=started_at + timedelta(seconds=event.offset),
            data=event.data,
        )
        for i, event in enumerate(events)
    ]


def _new_session(*, version, source, call_id, contact, started_at) -> CallSession:
    """An unsaved ``CallSession`` of ``contact``, not yet ended."""
    return CallSession(
        call_id=call_id,
        script_id=version.script_id,
        version=version,
        source=source,
        phone=contact.phone,
        segment=contact.segment,
        variables=dict(contact.variables),
        started_at=started_at,
    )


def _finish_fields(session: CallSession, call, *, ended_offset: float) -> None:
    session.outcome = call.outcome or ""
    session.end_node = call.node if call.finished else ""
    session.variant_choices = dict(call.variant_choices)
    session.duration = round(ended_offset, 3)
    session.ended_at = session.started_at + timedelta(seconds=ended_offset)


class CallRecorder:
    """The event log of one call in progress.

    ``open()`` stores the session when the call starts; ``record()`` buffers
    the engine's log events and writes them once ``batch_size`` gather;
    ``close()`` writes the rest and the outcome. ``save_whole()`` does all of
    it at once in one transaction, for a call that has already ended (a
    replay), so a failure leaves nothing behind.
    """

    def __init__(self, session: CallSession, *, batch_size: int = 50):
        self.session = session
        self.batch_size = batch_size
        self._buffer = []
        self._next_seq = 0

    @classmethod
    def for_call(
        cls, *, version, source, call_id, contact, started_at=None, batch_size=50
    ) -> "CallRecorder":
        session = _new_session(
            version=version,
            source=source,
            call_id=call_id,
            contact=contact,
            started_at=started_at or timezone.now(),
        )
        return cls(session, batch_size=batch_size)

    def open(self) -> None:
        self.session.save()

    def record(self, events) -> None:
        self._buffer.extend(events)
        if len(self._buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        rows = _event_rows(
            self.session,
            self._buffer,
            first_seq=self._next_seq,
            started_at=self.session.started_at,
        )
        CallEvent.objects.bulk_create(rows)
        self._next_seq += len(rows)
        self._buffer = []

    def record_transfer(self, *, summary: str, context: dict) -> None:
        """Keep what the call's transfer hands the operator, for the
        telephony layer to read back once the call has ended."""
        CallTransfer.objects.create(
            session=self.session, summary=summary, context=context
        )

    def close(self, call, *, ended_offset: float) -> None:
        with transaction.atomic():
            self.flush()
            _finish_fields(self.session, call, ended_offset=ended_offset)
            self.session.save(
                update_fields=[
                    "outcome",
                    "end_node",
                    "variant_choices",
                    "duration",
                    "ended_at",
                ]
            )
            calls_closed.send(sender=CallRecorder, calls=[(self.session, None)])

    def save_whole(self, call, *, ended_offset: float) -> CallSession:
        with transaction.atomic():
            _finish_fields(self.session, call, ended_offset=ended_offset)
            self.session.save()
            self.flush()
            calls_closed.send(sender=CallRecorder, calls=[(self.session, None)])
        return self.session


@dataclass
class BulkCallWriter:
    """Buffers finished calls and writes them in batches of whole calls.

    Memory stays bounded by ``batch_calls`` whatever the number of calls.
    """

    batch_calls: int = 500
    written: int = 0
    _pending: list = field(default_factory=list)

    def add(self, session: CallSession, events: list) -> None:
        self._pending.append((session, events))
        if len(self._pending) >= self.batch_calls:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        with transaction.atomic():
            sessions = CallSession.objects.bulk_create([s for s, _ in self._pending])
            rows = []
            for session, events in zip(sessions, (e for _, e in self._pending)):
                rows.extend(
                    _event_rows(
                        session, events, first_seq=0, started_at=session.started_at
                    )
                )
            CallEvent.objects.bulk_create(rows, batch_size=2000)
            calls_closed.send(sender=BulkCallWriter, calls=self._pending)
        self.written += len(self._pending)
        self._pending = []


def finished_session(*, version, source, call, contact, started_at, ended_offset):
    """An unsaved ``CallSession`` for a call that has ended."""
    session = _new_session(
        version=version,
        source=source,
        call_id=call.call_id,
        contact=contact,
        started_at=started_at,
    )
    _finish_fields(session, call, ended_offset=ended_offset)
    return session


@dataclass(frozen=True)
class NodeDropoff:
    node: str
    type: str
    entered: int
    moved_on: int
    hung_up: int
    ended: int


def node_dropoff(version, *, sources=None) -> list[NodeDropoff]:
    """Per node of ``version``: calls that entered it, moved on from it,
    hung up at it, or ended there (by a terminal node).

    ``entered`` counts entries, so a node visited twice in one call counts
    twice; ``moved_on`` counts the entries of another node coming from it.
    """
    events = CallEvent.objects.filter(session__version=version)
    if sources:
        events = events.filter(session__source__in=list(sources))

    entered = dict(
        events.filter(kind=CallEvent.Kind.NODE_ENTERED)
        .values_list("node")
        .annotate(n=Count("id"))
    )
    moved_on = {}
    transitions = (
        events.filter(kind=CallEvent.Kind.NODE_ENTERED)
        .values_list("data__from", "node")
        .annotate(n=Count("id"))
    )
    for source, target, n in transitions:
        # Re-entering the same node (a route back to itself) is not moving on.
        if source and source != target:
            moved_on[source] = moved_on.get(source, 0) + n
    hung_up = dict(
        events.filter(kind=CallEvent.Kind.HANGUP).values_list("node").annotate(n=Count("id"))
    )
    ended = dict(
        events.filter(kind=CallEvent.Kind.CALL_ENDED)
        .filter(~Q(data__outcome=CallSession.Outcome.DROPPED))
        .values_list("node")
        .annotate(n=Count("id"))
    )

    rows = []
    for node in version.document.get("nodes", []):
        node_id = node["id"]
        rows.append(
            NodeDropoff(
                node=node_id,
                type=node["type"],
                entered=entered.get(node_id, 0),
                moved_on=moved_on.get(node_id, 0),
                hung_up=hung_up.get(node_id, 0),
                ended=ended.get(node_id, 0),
            )
        )
    return rows
