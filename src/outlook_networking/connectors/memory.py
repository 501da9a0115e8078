"""An in-memory mailbox that is both a Source and a Sink: the reference the real connectors match.

It behaves as the protocols promise: a change log per folder with opaque cursors (a stale one
starts the folder over with ``reset``, as a real connector must), paging by ``page_size``,
deletions, moves and copies between any folders (a move leaves the old folder and arrives in the
new one under a new id, as EWS and Graph without immutable ids do), categories kept as given,
product tasks, contacts and Inbox messages marked so they can be found again, and messages'
categories and follow-up flags (with a version that every change bumps) written many at a time, as a
:class:`~.base.MessageSink`. A source reads only the folders it is given (the four standard
ones unless told), so a mailbox can hold folders that are not synchronised. The shared contract
tests run against it first, then against EWS and Graph; demos and tests of the agent use it where
no server is needed.

Exports: ``MemoryMailbox``, ``MemorySource``, ``MemorySink``.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..model import ContactCard, Interaction
from ..ports import (
    NOT_FLAGGED,
    Action,
    AddCategory,
    Applied,
    Batch,
    BatchApplied,
    CompleteTask,
    ContactState,
    CreateContact,
    CreateInboxMessage,
    CreateTask,
    DeleteContact,
    DeleteInboxMessage,
    DeleteTask,
    FollowUpFlag,
    InboxMessageState,
    MailboxState,
    MasterCategory,
    MessageMarks,
    MessageState,
    RemoveCategory,
    ReplaceInboxMessage,
    SetCategories,
    SetFlag,
    TaskState,
    UpdateTask,
)
from .marking import MessageChange, Written, mark_messages

__all__ = ["MemoryMailbox", "MemorySink", "MemorySource"]

FOLDERS = ("inbox", "sent", "calendar", "contacts")


@dataclass
class MemoryMailbox:
    """The mailbox's items and each folder's change log (``(item id or None, deleted id)``)."""

    items: dict[str, Interaction] = field(default_factory=dict)
    cards: dict[str, ContactCard] = field(default_factory=dict)
    contact_categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    product_contacts: set[str] = field(default_factory=set)
    master: list[MasterCategory] = field(default_factory=list)
    tasks: dict[str, TaskState] = field(default_factory=dict)
    inbox_messages: dict[str, InboxMessageState] = field(default_factory=dict)  # the product's
    log: dict[str, list[tuple[str, bool]]] = field(default_factory=lambda: {f: [] for f in FOLDERS})
    epoch: int = 1  # bumping it invalidates every cursor, as a server losing sync state does
    flags: dict[str, FollowUpFlag] = field(default_factory=dict)  # message id -> its flag
    versions: dict[str, int] = field(default_factory=dict)  # message id -> changes so far
    folder_of: dict[str, str] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def put(self, folder: str, item: Interaction) -> None:
        self.items[item.item_id] = item
        self.folder_of[item.item_id] = folder
        self.versions[item.item_id] = self.versions.get(item.item_id, 0) + 1
        self.log.setdefault(folder, []).append((item.item_id, False))

    def mark(
        self,
        item_id: str,
        *,
        categories: tuple[str, ...] | None = None,
        flag: FollowUpFlag | None = None,
    ) -> None:
        """Change a message's categories or flag (as the user or the sink would): a new version
        and an update in its folder's log."""
        item = self.items[item_id]
        if categories is not None:
            item = replace(item, categories=categories)
        if flag is not None:
            self.flags[item_id] = flag
        self.put(self.folder_of[item_id], item)

    def move(self, item_id: str, folder: str = "archive", *, keep_id: bool = False) -> str:
        """File a message in another folder (by default one the standard source does not read):
        it leaves its folder and arrives in ``folder`` under a new id, as EWS gives a moved item
        (the same id with ``keep_id``, as Graph's immutable ids); returns the id it has now."""
        item = self.items.pop(item_id)
        self.log.setdefault(self.folder_of.pop(item_id), []).append((item_id, True))
        new_id = item_id if keep_id else self.new_id("msg-")
        self.versions[new_id] = self.versions.pop(item_id, 0)
        if item_id in self.flags:
            self.flags[new_id] = self.flags.pop(item_id)
        self.put(folder, replace(item, item_id=new_id))
        return new_id

    def copy(self, item_id: str, folder: str) -> str:
        """A copy of a message in another folder, under a new id; returns that id."""
        copied = self.new_id("msg-")
        self.put(folder, replace(self.items[item_id], item_id=copied))
        return copied

    def message_state(self, item_id: str) -> MessageState:
        item = self.items[item_id]
        return MessageState(
            item_id=item_id,
            message_id=item.message_id,
            categories=item.categories,
            flag=self.flags.get(item_id, NOT_FLAGGED),
            version=str(self.versions.get(item_id, 0)),
        )

    def put_card(self, card: ContactCard) -> None:
        self.cards[card.item_id] = card
        self.folder_of[card.item_id] = "contacts"
        self.contact_categories.setdefault(card.item_id, card.categories)
        self.log["contacts"].append((card.item_id, False))

    def delete(self, folder: str, item_id: str) -> None:
        self.items.pop(item_id, None)
        self.folder_of.pop(item_id, None)
        self.cards.pop(item_id, None)
        self.contact_categories.pop(item_id, None)
        self.product_contacts.discard(item_id)
        self.log.setdefault(folder, []).append((item_id, True))

    def snapshot(self) -> dict[str, Any]:
        """Everything a user could see, for before/after comparisons."""
        return {
            "master": list(self.master),
            "contacts": {
                i: (c.full_name, c.addresses, self.contact_categories.get(i, ()))
                for i, c in sorted(self.cards.items())
            },
            "tasks": dict(sorted(self.tasks.items())),
            "inbox_messages": dict(sorted(self.inbox_messages.items())),
            "items": sorted(self.items),
            "messages": {
                i: (m.categories, self.flags.get(i, NOT_FLAGGED).status)
                for i, m in sorted(self.items.items())
            },
        }


class MemorySource:
    """Reads the ``folders`` of a :class:`MemoryMailbox`, ``page_size`` changes per batch."""

    def __init__(
        self,
        mailbox: MemoryMailbox,
        name: str = "memory",
        page_size: int = 100,
        folders: tuple[str, ...] = FOLDERS,
    ) -> None:
        self._mailbox = mailbox
        self._name = name
        self._page = page_size
        self._folders = folders

    @property
    def name(self) -> str:
        return self._name

    def read(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        for folder in self._folders:
            yield from self._read_folder(folder, cursors.get(folder))

    def _read_folder(self, folder: str, cursor: str | None) -> Iterator[Batch]:
        box = self._mailbox
        reset = False
        position = 0
        epoch, _, pos = (cursor or "").partition(":")
        if epoch == str(box.epoch):
            position = int(pos)
        else:
            # No cursor, or one the mailbox no longer knows: start the folder over. The store
            # sweeps what the full round does not see again, so nothing is duplicated or kept
            # that the mailbox has lost meanwhile.
            reset = True
        log = box.log.setdefault(folder, [])
        while True:
            page = log[position : position + self._page]
            position += len(page)
            done = position >= len(log)
            # An item shows in the folder that holds it now (not one it was moved out of).
            upserts = [i for i, gone in page if not gone and box.folder_of.get(i) == folder]
            deleted = tuple(i for i, gone in page if gone)
            messages = [box.items[i] for i in upserts if i in box.items]
            yield Batch(
                folder=folder,
                interactions=tuple(messages),
                marks=tuple(
                    MessageMarks(m.item_id, s.categories, s.flag, s.version)
                    for m in messages
                    for s in (box.message_state(m.item_id),)
                ),
                cards=tuple(box.cards[i] for i in upserts if i in box.cards),
                deleted=deleted,
                cursor=f"{box.epoch}:{position}",
                reset=reset,
                complete=done,
            )
            reset = False
            if done:
                return


class MemorySink:
    """Writes back into a :class:`MemoryMailbox`."""

    def __init__(self, mailbox: MemoryMailbox, name: str = "memory", batch_size: int = 10) -> None:
        self._mailbox = mailbox
        self._name = name
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return self._name

    @property
    def batch_size(self) -> int:
        return self._batch_size

    def read_messages(self, refs: Sequence[tuple[str, str]]) -> dict[str, MessageState]:
        box = self._mailbox
        by_mid = {m.message_id: i for i, m in box.items.items() if m.message_id}
        found: dict[str, MessageState] = {}
        for item_id, message_id in refs:
            now = item_id if item_id in box.items else by_mid.get(message_id)
            if now is not None:
                found[item_id] = box.message_state(now)
        return found

    def apply_batch(self, actions: Sequence[Action]) -> BatchApplied:
        return mark_messages(actions, account=self._name, write=self._write, read=self._read)

    def _read(self, ids: list[str]) -> dict[str, MessageState]:
        box = self._mailbox
        return {i: box.message_state(i) for i in ids if i in box.items}

    def _write(self, changes: dict[str, MessageChange]) -> Written:
        """Each change guarded by its version, as a server's change key guards a write."""
        box = self._mailbox
        written = Written()
        for item_id, change in changes.items():
            if item_id not in box.items:
                written.done[item_id] = None  # gone meanwhile: nothing to mark
            elif str(box.versions.get(item_id, 0)) != change.state.version:
                written.stale.append(item_id)
            else:
                box.mark(item_id, categories=change.categories, flag=change.flag)
                written.done[item_id] = box.message_state(item_id)
        return written

    def read_tasks(self, item_ids: Collection[str] | None = None) -> tuple[TaskState, ...]:
        tasks = self._mailbox.tasks.values()
        if item_ids is None:
            return tuple(tasks)
        wanted = set(item_ids)
        return tuple(t for t in tasks if t.item_id in wanted)

    def read_state(self, *, tasks: bool = True) -> MailboxState:
        box = self._mailbox
        return MailboxState(
            master_categories=tuple(box.master),
            contacts=tuple(
                ContactState(
                    item_id=i,
                    full_name=c.full_name,
                    addresses=c.addresses,
                    categories=box.contact_categories.get(i, ()),
                    product_owned=i in box.product_contacts,
                )
                for i, c in sorted(box.cards.items())
            ),
            tasks=self.read_tasks() if tasks else (),
            inbox=tuple(box.inbox_messages.values()),
        )

    def _put_inbox_message(self, key: str, subject: str, body: str, old: str = "") -> str:
        """A new message under ``key``, unless one as wanted is there (a retry); the one it
        replaces (``old``) goes after it is made."""
        box = self._mailbox
        found = next(
            (m for m in box.inbox_messages.values()
             if m.key == key and (not old or (m.item_id != old and m.body == body))),
            None,
        )  # fmt: skip
        item_id = found.item_id if found is not None else box.new_id("inbox-")
        box.inbox_messages[item_id] = InboxMessageState(item_id, key, subject, body)
        if old:
            box.inbox_messages.pop(old, None)
        return item_id

    def apply(self, action: Action) -> Applied:
        box = self._mailbox
        match action:
            case AddCategory(name, colour):
                if all(c.name != name for c in box.master):
                    box.master.append(MasterCategory(name, colour))
                return Applied(action)
            case RemoveCategory(name):
                box.master = [c for c in box.master if c.name != name]
                return Applied(action)
            case SetCategories("contact", item_id, _, after):
                if item_id in box.cards:
                    box.contact_categories[item_id] = after
                return Applied(action, item_id)
            case SetCategories() | SetFlag():
                outcome = self.apply_batch([action])
                if outcome.error is not None:
                    raise outcome.error
                return outcome.applied[0]
            case CreateTask(key, subject, due, body):
                existing = next((t for t in box.tasks.values() if t.key == key), None)
                if existing is not None:  # idempotent: the key finds the task again
                    return Applied(action, existing.item_id)
                item_id = box.new_id("task-")
                box.tasks[item_id] = TaskState(item_id, key, subject, due, body, False)
                return Applied(action, item_id)
            case UpdateTask(_, item_id, subject, due, body):
                task = box.tasks[item_id]
                box.tasks[item_id] = replace(task, subject=subject, due=due, body=body)
                return Applied(action, item_id)
            case CompleteTask(_, item_id):
                box.tasks[item_id] = replace(box.tasks[item_id], complete=True)
                return Applied(action, item_id)
            case DeleteTask(_, item_id):
                box.tasks.pop(item_id, None)
                return Applied(action, item_id)
            case CreateContact(full_name, addresses, categories):
                item_id = box.new_id("contact-")
                box.put_card(ContactCard(self._name, item_id, full_name, addresses))
                box.contact_categories[item_id] = categories
                box.product_contacts.add(item_id)
                return Applied(action, item_id)
            case DeleteContact(item_id):
                if item_id in box.cards:
                    box.delete("contacts", item_id)
                return Applied(action, item_id)
            case CreateInboxMessage(key, subject, body):
                return Applied(action, self._put_inbox_message(key, subject, body))
            case ReplaceInboxMessage(key, item_id, subject, body):
                return Applied(action, self._put_inbox_message(key, subject, body, item_id))
            case DeleteInboxMessage(_, item_id):
                box.inbox_messages.pop(item_id, None)
                return Applied(action, item_id)
        raise AssertionError(action)  # pragma: no cover - the union is closed
