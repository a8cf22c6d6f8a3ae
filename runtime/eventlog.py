"""Writing calls to the event log in batches, and reading drop-off back.

The engine produces ``LogEvent`` objects (kind, node, offset, data); this
module turns them into ``CallSession`` and ``CallEvent`` rows. Events are
never written one by one: a single call buffers them (``CallRecorder``),
and a simulation of many calls buffers whole calls (``BulkCallWriter``).
"""

import logging
import time
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


_END_FIELDS = ["outcome", "end_node", "variant_choices", "duration", "ended_at"]


def _lock_open(session_pk: int) -> bool:
    """Lock the call's row for the rest of the transaction; whether it is
    still open. A write rather than SELECT FOR UPDATE, so that SQLite too
    takes its write lock here (waiting for it) instead of failing to
    upgrade a read lock later. Closing a call, by its recorder or as lost,
    starts with this, so only one of them closes it."""
    return bool(
        CallSession.objects.filter(pk=session_pk, ended_at__isnull=True).update(
            ended_at=None
        )
    )


def _save_end(session: CallSession, *, sender) -> None:
    """Store the end of an open call and count it; inside a transaction."""
    session.save(update_fields=_END_FIELDS)
    calls_closed.send(sender=sender, calls=[(session, None)])


class CallRecorder:
    """The event log of one call in progress.

    ``open()`` stores the session when the call starts; ``record()`` buffers
    the engine's log events and writes them once ``batch_size`` gather;
    ``close()`` writes the rest and the outcome. ``save_whole()`` does all of
    it at once in one transaction, for a call that has already ended (a
    replay), so a failure leaves nothing behind.

    Events also go out once the oldest buffered one has waited
    ``flush_seconds``, so the stored log of a call in progress is never
    much behind it: ``close_lost_calls`` judges a call by its last stored
    event.
    """

    def __init__(
        self, session: CallSession, *, batch_size: int = 50, flush_seconds: float = 60.0
    ):
        self.session = session
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self._buffer = []
        self._buffered_since = 0.0
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
        if not self._buffer:
            self._buffered_since = time.monotonic()
        self._buffer.extend(events)
        if (
            len(self._buffer) >= self.batch_size
            or time.monotonic() - self._buffered_since >= self.flush_seconds
        ):
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

    def close(self, call, *, ended_offset: float) -> bool:
        """Write the rest and the outcome; ``False`` (and nothing written)
        when the call was already closed, by ``close_lost_calls``."""
        with transaction.atomic():
            if not _lock_open(self.session.pk):
                logger.warning(
                    "%s: already closed as lost; its last %s events are dropped",
                    self.session.call_id,
                    len(self._buffer),
                )
                self._buffer = []
                return False
            self.flush()
            _finish_fields(self.session, call, ended_offset=ended_offset)
            _save_end(self.session, sender=CallRecorder)
        return True

    def save_whole(self, call, *, ended_offset: float) -> CallSession:
        with transaction.atomic():
            _finish_fields(self.session, call, ended_offset=ended_offset)
            self.session.save()
            self.flush()
            calls_closed.send(sender=CallRecorder, calls=[(self.session, None)])
        return self.session


def close_lost_session(session_pk: int, *, idle_since: datetime) -> CallSession | None:
    """Close the open call ``session_pk`` whose process is gone, as if its
    caller had vanished, unless it has logged anything after ``idle_since``.

    The call ends at its last stored event (or its start) with a ``hangup``
    marked ``lost`` and ``call_ended`` with the outcome ``dropped``; when
    the engine had already logged ``call_ended``, that outcome stands and
    no event is added. Returns the closed session, or ``None`` when the
    call was closed meanwhile or is active again.
    """
    with transaction.atomic():
        if not _lock_open(session_pk):
            return None
        session = CallSession.objects.get(pk=session_pk)
        last = session.events.order_by("-seq").first()
        at = last.at if last else session.started_at
        if at > idle_since:
            return None
        offset = last.offset if last else 0.0
        node = last.node if last else ""
        ended = (
            session.events.filter(kind=CallEvent.Kind.CALL_ENDED)
            .order_by("-seq")
            .first()
        )
        if ended is not None:
            session.outcome = (ended.data or {}).get("outcome") or ""
        else:
            session.outcome = CallSession.Outcome.DROPPED
            seq = last.seq + 1 if last else 0
            CallEvent.objects.bulk_create(
                [
                    CallEvent(
                        session=session, seq=seq, kind=CallEvent.Kind.HANGUP,
                        node=node, offset=offset, at=at,
                        data={"during_prompt": False, "heard": None, "lost": True},
                    ),
                    CallEvent(
                        session=session, seq=seq + 1, kind=CallEvent.Kind.CALL_ENDED,
                        node=node, offset=offset, at=at,
                        data={"outcome": CallSession.Outcome.DROPPED},
                    ),
                ]
            )  # fmt: skip
        session.end_node = node
        session.duration = round(offset, 3)
        session.ended_at = at
        _save_end(session, sender=close_lost_session)
    return session


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
