"""Hand-built mailboxes for the ledger tests: a fixed ``now`` and one-line messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from itertools import count

from outlook_networking.core.ledger import Ledger, LedgerSettings, build_ledger
from outlook_networking.model import Attendee, Flag, Interaction, Kind, Mailbox, Response

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ME = "me@owner.example"
OWNER = frozenset({ME})
_numbers = count(1)


def ago(days: float, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def _box(address: str) -> Mailbox:
    return Mailbox(address, address.partition("@")[0].title())


def mail(
    sender: str,
    to: str | Iterable[str],
    at: datetime,
    *,
    cc: Iterable[str] = (),
    bcc: Iterable[str] = (),
    subject: str = "Hello",
    answers: Interaction | None = None,
    flags: frozenset[Flag] = frozenset(),
    source: str = "file",
) -> Interaction:
    """An e-mail; ``answers`` makes it a reply with In-Reply-To and References."""
    n = next(_numbers)
    to = [to] if isinstance(to, str) else list(to)
    return Interaction(
        source=source,
        item_id=f"mail-{n}",
        kind=Kind.EMAIL,
        at=at,
        sender=_box(sender),
        to=tuple(_box(a) for a in to),
        cc=tuple(_box(a) for a in cc),
        bcc=tuple(_box(a) for a in bcc),
        subject=("Re: " + answers.subject) if answers is not None else subject,
        message_id=f"<{n}@test.example>",
        in_reply_to=answers.message_id if answers is not None else "",
        references=(answers.message_id,) if answers is not None else (),
        flags=flags,
        list_id="team.lists.example" if Flag.LIST in flags else "",
    )


def meeting(
    organizer: str, attendees: Iterable[str], at: datetime, *, cancelled: bool = False
) -> Interaction:
    n = next(_numbers)
    return Interaction(
        source="file",
        item_id=f"event-{n}",
        kind=Kind.MEETING,
        at=at,
        sender=_box(organizer),
        attendees=tuple(Attendee(_box(a), Response.ACCEPTED) for a in attendees),
        subject="Meeting",
        duration_s=3600,
        cancelled=cancelled,
    )


def ledger_of(
    *items: Interaction,
    settings: LedgerSettings | None = None,
    dismissed: frozenset[str] = frozenset(),
    people: dict[str, str] | None = None,
    excluded: Callable[[str], bool] | None = None,
) -> Ledger:
    return build_ledger(
        items,
        OWNER,
        now=NOW,
        settings=settings,
        dismissed=dismissed,
        people=people,
        excluded=excluded,
    )


def kinds(ledger: Ledger) -> list[tuple[str, str]]:
    """(kind, contact) of every item, in time order."""
    return [(i.kind.value, i.contact) for i in ledger.items]
