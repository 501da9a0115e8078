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
- **product-owned**: a category name, task or contact the product created. A sink never removes or
  reorders anything else.
- **retry policy**: how long one call to a mail server may wait for it to recover (throttling,
  503, dropped connections) before the connector gives up with an error.

Exports: ``Problem``, ``Skipped``, ``CategoriesChanged``, ``Batch``, ``Source``,
``MasterCategory``, ``ContactState``, ``TaskState``, ``MailboxState``, ``Action``, ``Applied``,
``Sink``, ``RetryPolicy``, ``AddCategory``, ``CompleteTask``, ``CreateContact``, ``CreateTask``,
``DeleteContact``, ``DeleteTask``, ``RemoveCategory``, ``SetCategories``, ``UpdateTask``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from .model import ContactCard, Interaction, Problem

__all__ = [
    "Action",
    "AddCategory",
    "Applied",
    "Batch",
    "CategoriesChanged",
    "CompleteTask",
    "ContactState",
    "CreateContact",
    "CreateTask",
    "DeleteContact",
    "DeleteTask",
    "MailboxState",
    "MasterCategory",
    "Problem",
    "RemoveCategory",
    "RetryPolicy",
    "SetCategories",
    "Sink",
    "Skipped",
    "Source",
    "TaskState",
    "UpdateTask",
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
class MailboxState:
    """What the planner compares the desired state against."""

    master_categories: tuple[MasterCategory, ...] = ()
    contacts: tuple[ContactState, ...] = ()
    tasks: tuple[TaskState, ...] = ()  # product-owned tasks only
    # message item id -> its categories, only for messages the plan may tag
    message_categories: Mapping[str, tuple[str, ...]] | None = None


@dataclass(frozen=True, slots=True)
class AddCategory:
    name: str
    color: int


@dataclass(frozen=True, slots=True)
class RemoveCategory:
    """Undo only: remove a master-list entry the product added."""

    name: str


@dataclass(frozen=True, slots=True)
class SetCategories:
    """Replace an item's categories. ``before`` is what the planner saw, for the journal."""

    item_kind: str  # "contact" or "message"
    item_id: str
    before: tuple[str, ...]
    after: tuple[str, ...]


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


Action = (
    AddCategory
    | RemoveCategory
    | SetCategories
    | CreateTask
    | UpdateTask
    | CompleteTask
    | DeleteTask
    | CreateContact
    | DeleteContact
)


@dataclass(frozen=True, slots=True)
class Applied:
    """What a sink did for an action: the item it touched or created."""

    action: Action
    item_id: str = ""  # the created or touched item's id ("" for master-list changes)


@runtime_checkable
class Sink(Protocol):
    """A mailbox the product writes categories, tasks and contacts back to."""

    @property
    def name(self) -> str:
        """The account this sink writes to (matches the source name)."""
        ...

    def read_state(self) -> MailboxState:
        """The master categories, contacts and the product's own tasks as they are now."""
        ...

    def apply(self, action: Action) -> Applied:
        """Carry out one action; idempotent where the action allows it.

        Raises ``Conflict`` if the item changed twice under the sink (it re-reads and retries
        once itself), other ``ConnectorError`` subclasses for server trouble.
        """
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
