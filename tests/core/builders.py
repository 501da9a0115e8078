"""Small builders for hand-made interactions in core tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from outlook_networking.model import Attendee, Flag, Interaction, Kind, Mailbox, Response

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ME = "me@example.com"
OWNER = frozenset({ME})
_ids = count(1)


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def box(address: str) -> Mailbox:
    local = address.partition("@")[0]
    return Mailbox(address, local.replace(".", " ").title())


def mail(
    sender: str,
    to: str | list[str],
    at: datetime,
    *,
    subject: str = "Hello",
    cc: list[str] | None = None,
    message_id: str | None = None,
    in_reply_to: str = "",
    references: tuple[str, ...] = (),
    conversation_id: str = "",
    flags: frozenset[Flag] = frozenset(),
    list_id: str = "",
    item_id: str | None = None,
) -> Interaction:
    n = next(_ids)
    recipients = [to] if isinstance(to, str) else to
    return Interaction(
        source="test",
        item_id=item_id or f"m{n}",
        kind=Kind.EMAIL,
        at=at,
        sender=box(sender),
        to=tuple(box(r) for r in recipients),
        cc=tuple(box(r) for r in cc or ()),
        subject=subject,
        message_id=message_id if message_id is not None else f"<m{n}@test>",
        in_reply_to=in_reply_to,
        references=references,
        conversation_id=conversation_id,
        flags=flags,
        list_id=list_id,
    )


def reply_to(parent: Interaction, at: datetime, *, sender: str | None = None) -> Interaction:
    """A reply with proper headers from a recipient of ``parent`` back to its sender."""
    assert parent.sender is not None
    who = sender or parent.to[0].address
    return mail(
        who,
        parent.sender.address,
        at,
        subject="Re: " + parent.subject,
        in_reply_to=parent.message_id,
        references=(parent.message_id,),
    )


def meeting(
    organizer: str,
    attendees: list[str],
    at: datetime,
    *,
    duration_s: int = 3600,
    cancelled: bool = False,
    subject: str = "Meeting",
) -> Interaction:
    n = next(_ids)
    return Interaction(
        source="test",
        item_id=f"e{n}",
        kind=Kind.MEETING,
        at=at,
        sender=box(organizer),
        attendees=tuple(Attendee(box(a), Response.ACCEPTED) for a in attendees),
        subject=subject,
        duration_s=duration_s,
        cancelled=cancelled,
    )
