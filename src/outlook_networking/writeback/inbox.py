"""The product's own messages in the owner's Inbox (the morning brief as a message), planned.

Pure: the messages wanted, the product's messages the Inbox holds now and the journal in,
actions out. The rules, each the user's interest first:

- a wanted message that is not there is created, unless the journal says the product already
  put one with that key there: then the user deleted or moved it, and it stays away (its key
  names the day, so the next day's brief comes as usual);
- one whose subject or body changed is replaced (Graph lets a message's subject and body change
  only while it is a draft, message-update), so the Inbox holds it once, up to date;
- one no longer wanted (yesterday's brief), and a second message under one key (a replace cut
  short between its two steps), is deleted;
- undo deletes every message of the product's the Inbox holds, and only those: one the user
  moved out of the Inbox (filed in a folder of their own, or deleted to Deleted Items) is
  theirs now and stays where they put it; the sinks do not look for it elsewhere.

Running :func:`plan_inbox` again on the state it produced yields no actions.

Exports: ``DesiredInboxMessage``, ``plan_inbox``, ``plan_inbox_undo``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..ports import (
    Action,
    CreateInboxMessage,
    DeleteInboxMessage,
    InboxMessageState,
    ReplaceInboxMessage,
)
from .plan import JournalEntry

__all__ = ["DesiredInboxMessage", "plan_inbox", "plan_inbox_undo"]


@dataclass(frozen=True, slots=True)
class DesiredInboxMessage:
    """A message the Inbox should hold, by its key (``brief:<day>``)."""

    key: str
    subject: str
    body: str


def _written(journal: Iterable[JournalEntry]) -> frozenset[str]:
    """The keys the product is known to have put a message under (not undone since)."""
    return frozenset(
        e.action.key
        for e in journal
        if e.done and isinstance(e.action, CreateInboxMessage | ReplaceInboxMessage)
    )


def plan_inbox(
    wanted: Sequence[DesiredInboxMessage],
    present: Sequence[InboxMessageState],
    journal: Sequence[JournalEntry],
) -> tuple[Action, ...]:
    """The actions that bring the Inbox's messages of the product's to ``wanted``."""
    by_key: dict[str, list[InboxMessageState]] = {}
    for message in present:
        by_key.setdefault(message.key, []).append(message)
    written = _written(journal)
    actions: list[Action] = []
    for want in wanted:
        have = by_key.pop(want.key, [])
        if not have:
            if want.key not in written:  # else the user removed it: theirs to decide
                actions.append(CreateInboxMessage(want.key, want.subject, want.body))
            continue
        # Of two under one key, the one already as wanted stays.
        have.sort(key=lambda m: (m.subject, m.body) != (want.subject, want.body))
        keep, *extra = have
        if (keep.subject, keep.body) != (want.subject, want.body):
            actions.append(ReplaceInboxMessage(want.key, keep.item_id, want.subject, want.body))
        actions.extend(DeleteInboxMessage(m.key, m.item_id) for m in extra)
    for stale in by_key.values():
        actions.extend(DeleteInboxMessage(m.key, m.item_id) for m in stale)
    return tuple(actions)


def plan_inbox_undo(present: Sequence[InboxMessageState]) -> tuple[Action, ...]:
    """Delete every message of the product's the Inbox holds."""
    return tuple(DeleteInboxMessage(m.key, m.item_id) for m in present)
