"""What a live call leaves for the telephony layer once it has ended.

AudioSocket and Twilio Media Streams have no message that carries a
transfer, so their transports keep its summary and context
(``record_transfer``) and end the call. The telephony layer then asks the
call-result API (``call_result``) where the caller goes: the outcome, the
end node and, for a transfer, the target, summary and context.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from asgiref.sync import sync_to_async

from runtime.models import CallEvent, CallSession, CallTransfer

logger = logging.getLogger("outcall.live")

AUDIOSOCKET_CALL_ID = "audiosocket-{}"


class CallNotFound(Exception):
    """No live call of that id in the team (or one of another team)."""

    code = "call_not_found"


@dataclass(frozen=True)
class TransferResult:
    target: str
    summary: str | None  # None when the transport did not keep them
    context: dict | None


@dataclass(frozen=True)
class CallResult:
    call_id: str
    ended: bool
    started_at: datetime
    ended_at: datetime | None = None
    duration: float | None = None
    outcome: str | None = None
    node: str | None = None
    transfer: TransferResult | None = None


def call_result(*, team, call_id: str) -> CallResult:
    """The result of ``team``'s live call ``call_id``.

    An AudioSocket call may also be named by its bare call UUID. Until
    the call has ended only its start is known.
    """
    session = _live_session(team=team, call_id=call_id)
    if session.ended_at is None:
        return CallResult(
            call_id=session.call_id, ended=False, started_at=session.started_at
        )

    transfer = None
    if session.outcome == CallSession.Outcome.TRANSFER:
        transfer = _transfer(session)
    return CallResult(
        call_id=session.call_id,
        ended=True,
        started_at=session.started_at,
        ended_at=session.ended_at,
        duration=session.duration,
        outcome=session.outcome,
        node=session.end_node or None,
        transfer=transfer,
    )


def _live_session(*, team, call_id: str) -> CallSession:
    calls = CallSession.objects.filter(
        script__team=team, source=CallSession.Source.LIVE
    )
    session = calls.filter(call_id=call_id).first()
    if session is None:
        try:
            call_uuid = uuid.UUID(call_id)
        except ValueError:
            call_uuid = None
        if call_uuid is not None:
            audiosocket_id = AUDIOSOCKET_CALL_ID.format(call_uuid)
            session = calls.filter(call_id=audiosocket_id).first()
    if session is None:
        raise CallNotFound(f"No live call {call_id!r} in your team.")
    return session


def _transfer(session: CallSession) -> TransferResult:
    # The target is logged on the target_reached event; it is read there
    # rather than kept a second time with the summary.
    reached = (
        session.events.filter(kind=CallEvent.Kind.TARGET_REACHED)
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    kept = CallTransfer.objects.filter(session=session).first()
    return TransferResult(
        target=(reached or {}).get("target", ""),
        summary=kept.summary if kept else None,
        context=kept.context if kept else None,
    )


async def record_transfer(recorder, transfer) -> None:
    """Keep the summary and context of the engine's ``Transfer`` with the
    call that ``recorder`` logs. A failure is logged; the call still ends."""

    def work():
        from django.db import close_old_connections

        try:
            recorder.record_transfer(summary=transfer.summary, context=transfer.context)
        finally:
            close_old_connections()

    try:
        await sync_to_async(work, thread_sensitive=False)()
    except Exception:
        logger.exception(
            "%s: the transfer to %s could not be stored",
            recorder.session.call_id,
            transfer.target,
        )
