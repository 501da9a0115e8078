"""The two roles a mail system plays for the product: a Source it reads, a Sink it writes back to.

Terminology:

- **source name**: the key stored with every item a source produces (``"file"``,
  ``"ews:work"``, ``"graph:work"``), so items of different sources never collide.
- **folder**: one independently synchronised stream of a source (``"inbox"``, ``"sent"``,
  ``"calendar"``, ``"contacts"``; a file path for file sources). Each has its own cursor.
- **cursor**: the opaque sync state after a batch (an EWS SyncState, a Graph deltaLink). It is
  saved in the same transaction as the batch it covers, and only once that batch is complete, so a
  crash replays at most one batch, harmlessly, because every write is keyed and idempotent.
- **batch**: what a source yields: upserted interactions and cards, deleted item ids, partial
  updates (an item's new categories, when that is all the source was told), and the cursor that
  covers them. ``reset`` says the source lost its state and starts the folder over
  (the store then sweeps the copies the full resync did not see once a batch says ``complete``).
- **location**: one copy of an item in one folder of a source. The store keeps every location
  of a message but counts the message once, and keeps its history when every location is gone
  (see :class:`Batch` for what a source reports).
- **problem**: a part of the input that could not be read (a mangled date, a vCard with a broken
  line): counted and reported, never fatal. A *whole* problem is a whole file found among others
  that could not be read at all (a damaged ``.pst`` in a folder): each is named to the user. (A
  value of the model, re-exported here.)
- **skipped**: input read and left out on purpose (a task, a note, mail in Deleted Items),
  counted by what it is, so the user sees that it was not lost.
- **action**: one write-back step the planner computed; a sink applies it and says what it did
  (``Applied``), which the store journals so ``undo`` can invert exactly that.
- **product-owned**: a category name, task, contact or Inbox message (the morning brief) the
  product created. A sink never removes or reorders anything else. On a message, only the
  categories and the flag the product wrote there (the journal says which) are its own.
- **marks**: what a message shows that the product may write: its categories and its follow-up
  flag, with the item's version (EWS change key, Graph ``changeKey``) to guard a write against a
  change made since. Sources report them per copy (``Batch.marks``), the store keeps them as
  synced, and a sink writes them many messages at a time (``MessageSink``).
- **retry policy**: how long one call to a mail server may wait for it to recover (throttling,
  503, dropped connections) before the connector gives up with an error.

Exports: ``Problem``, ``Skipped``, ``CategoriesChanged``, ``FollowUpFlag``, ``MessageMarks``,
``Batch``, ``Source``, ``MasterCategory``, ``ContactState``, ``TaskState``, ``MessageState``,
``StoredMessage``, ``MailboxState``, ``Action``, ``Applied``, ``Sink``, ``MessageSink``,
``BatchApplied``, ``RetryPolicy``, ``AddCategory``, ``CompleteTask``, ``CreateContact``,
``CreateTask``, ``DeleteContact``, ``DeleteTask``, ``RemoveCategory``, ``SetCategories``,
``SetFlag``, ``UpdateTask``, ``InboxMessageState``, ``CreateInboxMessage``,
``ReplaceInboxMessage``, ``DeleteInboxMessage``, ``FLAG_STATUSES``, ``NOT_FLAGGED``,
``is_message_action``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from .errors import ConnectorError
from .model import ContactCard, Interaction, Problem

__all__ = [
    "FLAG_STATUSES",
    "NOT_FLAGGED",
    "Action",
    "AddCategory",
    "Applied",
    "Batch",
    "BatchApplied",
    "CategoriesChanged",
    "CompleteTask",
    "ContactState",
    "CreateContact",
    "CreateInboxMessage",
    "CreateTask",
    "DeleteContact",
    "DeleteInboxMessage",
    "DeleteTask",
    "FollowUpFlag",
    "InboxMessageState",
    "MailboxState",
    "MasterCategory",
    "MessageMarks",
    "MessageSink",
    "MessageState",
    "Problem",
    "RemoveCategory",
    "ReplaceInboxMessage",
    "RetryPolicy",
    "SetCategories",
    "SetFlag",
    "Sink",
    "Skipped",
    "Source",
    "StoredMessage",
    "TaskState",
    "UpdateTask",
    "is_message_action",
]


@dataclass(frozen=True, slots=True)
class Skipped:
    """Items left out on purpose, by what they are ("tasks", "items in Deleted Items")."""

    what: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class CategoriesChanged:
    """A partial update: the item's categories are now these; everything else is as stored."""

    item_id: str
    categories: tuple[str, ...]


FLAG_STATUSES = ("notFlagged", "flagged", "complete")


@dataclass(frozen=True, slots=True)
class FollowUpFlag:
    """A message's follow-up flag as Outlook keeps it (Graph ``followupFlag``, EWS ``Flag``).

    ``status`` is Graph's spelling: ``notFlagged``, ``flagged`` or ``complete``. Dates are aware.
    """

    status: str = "notFlagged"
    start: datetime | None = None
    due: datetime | None = None
    completed: datetime | None = None

    @property
    def flagged(self) -> bool:
        return self.status == "flagged"


NOT_FLAGGED = FollowUpFlag()


@dataclass(frozen=True, slots=True)
class MessageMarks:
    """What one message (one copy, by its item id) shows now; ``None``: not reported (a partial
    update), keep what is stored."""

    item_id: str
    categories: tuple[str, ...] | None = None
    flag: FollowUpFlag | None = None
    version: str | None = None  # EWS change key, Graph changeKey


@dataclass(frozen=True, slots=True)
class Batch:
    """One unit of change from a source, stored in one transaction with its cursor.

    The contract, as the store reads it:

    - an item in ``interactions`` or ``cards`` **is in** ``folder`` now (new, changed, or moved
      here), under its ``item_id``;
    - an id in ``deleted`` **left** ``folder``: moved elsewhere, deleted, expired. It names the
      copy in this folder only, so an id that turns up in another folder (Graph's immutable ids
      after a move) is not touched there;
    - ``categories_changed`` names a copy in ``folder`` whose categories are new; the message
      takes them when that copy is the one that speaks for it (or that one is gone).

    A move between folders is therefore a deletion in the old folder's batch and an item in the
    new folder's, in either order, with the same or a new id. A source needs to know nothing
    else: the same message in several folders, sources or exports is one interaction (by its
    Message-ID, :func:`~outlook_networking.model.identity`), and a deletion or a ``reset`` round's
    sweep removes a location, never the interaction: the history is append-only. A source that
    stops reading a folder says nothing about it; its copies stay stored until a ``reset`` round
    of that folder sweeps them. A meeting whose last copy goes before it starts is taken as
    cancelled. Cards are the address book as it is: a deleted card is gone.
    """

    folder: str
    interactions: tuple[Interaction, ...] = ()
    cards: tuple[ContactCard, ...] = ()
    deleted: tuple[str, ...] = ()
    categories_changed: tuple[CategoriesChanged, ...] = ()  # merged into stored interactions
    marks: tuple[MessageMarks, ...] = ()  # per message copy, kept for the write-back
    cursor: str | None = None  # None: keep the saved cursor
    problems: tuple[Problem, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    reset: bool = False  # first batch of a full resync of this folder
    complete: bool = False  # last batch of a round: the folder is up to date


@runtime_checkable
class Source(Protocol):
    """Something interactions and contact cards are read from."""

    @property
    def name(self) -> str:
        """The source name stored with every item."""
        ...

    def read(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        """Yield batches of change since the given per-folder cursors (empty: everything)."""
        ...


# --- write-back --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MasterCategory:
    """An entry of the mailbox's master category list. ``color`` is Outlook's preset 0..24 or -1."""

    name: str
    color: int = -1


@dataclass(frozen=True, slots=True)
class ContactState:
    """A contact item in the mailbox, as the planner needs to see it."""

    item_id: str
    full_name: str
    addresses: tuple[str, ...]
    categories: tuple[str, ...]
    product_owned: bool = False  # created by the product


@dataclass(frozen=True, slots=True)
class TaskState:
    """A follow-up task the product created, found again by its key."""

    item_id: str
    key: str
    subject: str
    due: datetime | None
    body: str
    complete: bool


@dataclass(frozen=True, slots=True)
class InboxMessageState:
    """A message the product put in the owner's own Inbox (the morning brief), found again by its
    key; ``subject`` and ``body`` are what the product wrote (its record, not the item's body as
    the server may have rewritten it)."""

    item_id: str
    key: str
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class MessageState:
    """A message of the mailbox as the write-back sees it: ids, categories, flag, version."""

    item_id: str
    message_id: str = ""  # the Internet Message-ID, to find the message again if its id changed
    categories: tuple[str, ...] = ()
    flag: FollowUpFlag = NOT_FLAGGED
    version: str = ""


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One copy of a message the store holds for one account: its state as last synced (or
    written), who it is from and to, so the planner can tell whose it is, and the message it is a
    copy of (``interaction``: the stored interaction's ``source:item_id``, as follow-ups name it;
    a message in two folders is two copies of one interaction)."""

    state: MessageState
    at: datetime
    sender: str  # normalised address, "" if none
    recipients: tuple[str, ...]  # To, Cc, Bcc
    interaction: str = ""

    @property
    def item_id(self) -> str:
        return self.state.item_id


@dataclass(frozen=True, slots=True)
class MailboxState:
    """What the planner compares the desired state against."""

    master_categories: tuple[MasterCategory, ...] = ()
    contacts: tuple[ContactState, ...] = ()
    tasks: tuple[TaskState, ...] = ()  # product-owned tasks only
    inbox: tuple[InboxMessageState, ...] = ()  # the product's own messages in the Inbox
    # journalled message item id -> the message as it is now (its id may have changed since)
    messages: Mapping[str, MessageState] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AddCategory:
    name: str
    color: int


@dataclass(frozen=True, slots=True)
class RemoveCategory:
    """Remove a master-list entry: one the product added (undo), or a former name of the
    product's after a language change renamed it; ``color`` is the entry's colour, so undo can
    put back an entry that was not the product's."""

    name: str
    color: int = -1


@dataclass(frozen=True, slots=True)
class SetCategories:
    """Replace an item's categories. ``before`` is what the planner saw, for the journal; the
    sink applies the change (what ``after`` adds and drops) to the item as it is now.

    For messages: ``message_id`` finds the message again if its id changed (EWS ids change on
    a move), ``version`` is the change key the planner saw (a write against a newer one is
    re-read first), ``contact`` is whom the message is with (for the dry-run listing).
    """

    item_kind: str  # "contact" or "message"
    item_id: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    message_id: str = ""
    version: str = ""
    contact: str = ""

    def applied_to(self, current: Sequence[str]) -> tuple[str, ...]:
        """``current`` with this change applied: drop what it removed, append what it added;
        everything else keeps its place (a user's own categories, and their changes since)."""
        removed = set(self.before) - set(self.after)
        kept = [c for c in current if c not in removed]
        kept.extend(c for c in self.after if c not in self.before and c not in kept)
        return tuple(kept)


@dataclass(frozen=True, slots=True)
class SetFlag:
    """Set a message's follow-up flag to ``after``; only if it still shows ``before``'s status
    (the user's own change since wins). ``key`` is the follow-up it stands for."""

    item_id: str
    before: FollowUpFlag
    after: FollowUpFlag
    message_id: str = ""
    version: str = ""
    key: str = ""
    contact: str = ""


@dataclass(frozen=True, slots=True)
class CreateTask:
    key: str
    subject: str
    due: datetime | None
    body: str


@dataclass(frozen=True, slots=True)
class UpdateTask:
    key: str
    item_id: str
    subject: str
    due: datetime | None
    body: str


@dataclass(frozen=True, slots=True)
class CompleteTask:
    key: str
    item_id: str


@dataclass(frozen=True, slots=True)
class DeleteTask:
    """Undo only: delete a task the product created."""

    key: str
    item_id: str


@dataclass(frozen=True, slots=True)
class CreateContact:
    full_name: str
    addresses: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeleteContact:
    """Undo only: delete a contact the product created."""

    item_id: str


@dataclass(frozen=True, slots=True)
class CreateInboxMessage:
    """Put a message of the product's in the owner's own Inbox: saved there, never sent, no
    recipients, not a draft, carrying the product's mark and ``key``."""

    key: str
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class ReplaceInboxMessage:
    """Give the product's message ``item_id`` a new subject and body: a new message is made and
    the old one deleted (Graph lets a message's subject and body change only while it is a
    draft), so the applied item id is the new message's."""

    key: str
    item_id: str
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class DeleteInboxMessage:
    """Delete a message the product put in the Inbox (one no longer wanted, or undo)."""

    key: str
    item_id: str


Action = (
    AddCategory
    | RemoveCategory
    | SetCategories
    | SetFlag
    | CreateTask
    | UpdateTask
    | CompleteTask
    | DeleteTask
    | CreateContact
    | DeleteContact
    | CreateInboxMessage
    | ReplaceInboxMessage
    | DeleteInboxMessage
)


@dataclass(frozen=True, slots=True)
class Applied:
    """What a sink did for an action: the item it touched or created, and for a message what it
    shows now as far as the sink knows (kept in the store until the next sync says more)."""

    action: Action
    item_id: str = ""  # the created or touched item's id ("" for master-list changes)
    marks: MessageMarks | None = None


@runtime_checkable
class Sink(Protocol):
    """A mailbox the product writes categories, tasks and contacts back to."""

    @property
    def name(self) -> str:
        """The account this sink writes to (matches the source name)."""
        ...

    def read_state(self, *, tasks: bool = True) -> MailboxState:
        """The master categories, contacts, the product's Inbox messages and (unless ``tasks``
        is false) the product's own tasks as they are now."""
        ...

    def read_tasks(self, item_ids: Collection[str] | None = None) -> tuple[TaskState, ...]:
        """The product's own tasks as they are now: every one (``None``), or those of
        ``item_ids`` the mailbox still holds (an id it no longer knows is left out)."""
        ...

    def apply(self, action: Action) -> Applied:
        """Carry out one action; idempotent where the action allows it.

        Raises ``Conflict`` if the item changed twice under the sink (it re-reads and retries
        once itself), other ``ConnectorError`` subclasses for server trouble.
        """
        ...


def is_message_action(action: Action) -> bool:
    """Whether ``action`` marks a message (and so may go to a sink many at a time)."""
    return isinstance(action, SetFlag) or (
        isinstance(action, SetCategories) and action.item_kind == "message"
    )


@dataclass(frozen=True, slots=True)
class BatchApplied:
    """What a sink did with a batch of message actions: those it carried out, in order, and the
    error that stopped the rest (``None``: all of them)."""

    applied: tuple[Applied, ...]
    error: ConnectorError | None = None


@runtime_checkable
class MessageSink(Protocol):
    """A sink that also marks messages (categories and follow-up flags), many per request.

    ``batch_size`` is how many message actions one call of :meth:`apply_batch` should carry
    (Graph: a ``$batch`` of 20; EWS: one UpdateItem of 100 ItemChanges).
    """

    @property
    def batch_size(self) -> int: ...

    def read_messages(self, refs: Sequence[tuple[str, str]]) -> dict[str, MessageState]:
        """The messages named by ``(item id, Internet Message-ID)`` as they are now, keyed by the
        given item id; one whose id no longer finds it is looked for by its Message-ID (its
        state then carries the new id); a message that is gone is left out."""
        ...

    def apply_batch(self, actions: Sequence[Action]) -> BatchApplied:
        """Carry out message actions (``SetCategories`` on messages, ``SetFlag``) together; a
        message changed since the planner saw it is read again, and a flag the user changed
        meanwhile is left as the user set it."""
        ...
# --- talking to a server -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long one call may wait in total for the server to recover.

    Every connector honours ``max_wait_s`` (EWS through exchangelib's fault tolerance); the Graph
    client also counts attempts and backs off on its own when the server names no wait.
    """

    max_wait_s: float = 120.0  # total sleep across the retries of one call
    max_attempts: int = 8
    backoff_s: float = 1.0  # first wait when the server names none; doubles each time
    max_backoff_s: float = 30.0
