"""In-memory Exchange Online mailbox behind the Graph test server.

Terminology:
- *collection*: the items of one kind in one container (the Inbox's messages, the calendar's
  events, a contact folder's contacts). Each keeps a change log so delta queries can be served
  by sequence number instead of by scanning and sorting: every create, update and delete appends
  ``(seq, item_id)``; an entry is *live* while the item's current ``seq`` still equals it.
- *mailbox*: the collections of one user plus the master category list and Microsoft To Do.

Items are stored as plain dicts in the Graph JSON shape (minus the ``@odata`` annotations, which
the server adds when it renders them), so rendering a page is a dict copy, not a conversion.

Exports: ``Collection``, ``Mailbox``, ``graph_id``, ``change_key``, ``iso``.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Item = dict[str, Any]


def graph_id(*parts: object) -> str:
    """A deterministic id that looks like Exchange's (base64url, ``AAMk`` prefix, ``=`` end)."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return "AAMk" + base64.urlsafe_b64encode(digest + digest[:6]).decode().rstrip("=") + "="


def change_key(item_id: str, version: int) -> str:
    """A change key that differs for every version of an item (Exchange uses base64 too)."""
    digest = hashlib.sha256(f"{item_id}#{version}".encode()).digest()[:18]
    return "CQAAABYAAAA" + base64.b64encode(digest).decode()


def iso(moment: datetime) -> str:
    """Graph's DateTimeOffset form: UTC with ``Z`` and no fractional seconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Change:
    """One entry a delta page reports: a live item or a removal."""

    item_id: str
    seq: int
    item: Item | None  # None means removed


class Collection:
    """Items of one kind with a change log (see the module docstring)."""

    def __init__(self, key: str, clock: Callable[[], int]) -> None:
        self.key = key
        self._clock = clock
        self.items: dict[str, Item] = {}
        self.item_seq: dict[str, int] = {}
        self.versions: dict[str, int] = {}
        self.deleted: dict[str, int] = {}
        self._log_seqs: list[int] = []
        self._log_ids: list[str] = []

    def put(self, item: Item) -> Item:
        """Create or replace an item; bumps its change key and logs the change."""
        item_id = item["id"]
        version = self.versions.get(item_id, 0) + 1
        self.versions[item_id] = version
        item["changeKey"] = change_key(item_id, version)
        seq = self._clock()
        self.items[item_id] = item
        self.item_seq[item_id] = seq
        self.deleted.pop(item_id, None)
        self._log_seqs.append(seq)
        self._log_ids.append(item_id)
        return item

    def remove(self, item_id: str) -> Item | None:
        item = self.items.pop(item_id, None)
        if item is None:
            return None
        self.item_seq.pop(item_id, None)
        seq = self._clock()
        self.deleted[item_id] = seq
        self._log_seqs.append(seq)
        self._log_ids.append(item_id)
        return item

    def high_water(self) -> int:
        return self._log_seqs[-1] if self._log_seqs else 0

    def changes(
        self, after: int, upto: int, limit: int, include_removed: bool
    ) -> tuple[list[Change], int, bool]:
        """Live changes with ``after < seq <= upto``, at most ``limit`` of them.

        Returns the changes, the cursor to resume from, and whether the range is exhausted.
        """
        out: list[Change] = []
        i = bisect.bisect_right(self._log_seqs, after)
        cursor = after
        n = len(self._log_seqs)
        while i < n and len(out) < limit:
            seq = self._log_seqs[i]
            if seq > upto:
                break
            item_id = self._log_ids[i]
            cursor = seq
            i += 1
            if self.item_seq.get(item_id) == seq:
                out.append(Change(item_id, seq, self.items[item_id]))
            elif include_removed and self.deleted.get(item_id) == seq:
                out.append(Change(item_id, seq, None))
        # Skip stale entries so "exhausted" is exact and no empty trailing page is needed.
        while i < n and self._log_seqs[i] <= upto:
            item_id = self._log_ids[i]
            seq = self._log_seqs[i]
            if self.item_seq.get(item_id) == seq or (
                include_removed and self.deleted.get(item_id) == seq
            ):
                break
            cursor = seq
            i += 1
        exhausted = i >= n or self._log_seqs[i] > upto
        return out, cursor, exhausted

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items.values())


@dataclass
class TodoList:
    """A Microsoft To Do list with its tasks and each task's linked resources."""

    data: Item
    tasks: dict[str, Item] = field(default_factory=dict)
    linked: dict[str, dict[str, Item]] = field(default_factory=dict)


class Mailbox:
    """Everything one user has: mail folders, calendar, contacts, categories, To Do."""

    WELL_KNOWN_FOLDERS = ("inbox", "sentitems", "deleteditems", "drafts")

    def __init__(self, upn: str, display_name: str, clock: Callable[[], int]) -> None:
        self.upn = upn
        self.display_name = display_name
        self.user_id = graph_id("user", upn)[4:40]
        # Bumping this makes every delta token issued so far stale (410 SyncStateNotFound).
        self.delta_generation = 1
        self._clock = clock
        self._ids = itertools.count(1)
        self.lock = threading.RLock()
        self.folders: dict[str, Item] = {}
        self.folder_alias: dict[str, str] = {}
        self.messages: dict[str, Collection] = {}
        for name, display in zip(
            self.WELL_KNOWN_FOLDERS,
            ("Inbox", "Sent Items", "Deleted Items", "Drafts"),
            strict=True,
        ):
            folder_id = graph_id(upn, "folder", name)
            self.folders[folder_id] = {"id": folder_id, "displayName": display}
            self.folder_alias[name] = folder_id
            self.messages[folder_id] = Collection(f"messages:{folder_id}", clock)
        self.message_folder: dict[str, str] = {}
        self.events = Collection("events", clock)
        self.contact_folder_id = graph_id(upn, "contactfolder", "contacts")
        self.contacts: dict[str, Collection] = {
            self.contact_folder_id: Collection(f"contacts:{self.contact_folder_id}", clock)
        }
        self.contact_folder_names: dict[str, str] = {self.contact_folder_id: "Contacts"}
        self.categories: dict[str, Item] = {}
        self.todo: dict[str, TodoList] = {}
        default = self.new_id("todolist")
        self.todo[default] = TodoList(
            {
                "id": default,
                "displayName": "Tasks",
                "isOwner": True,
                "isShared": False,
                "wellknownListName": "defaultList",
            }
        )

    def new_id(self, kind: str) -> str:
        return graph_id(self.upn, kind, next(self._ids))

    def folder_id(self, name_or_id: str) -> str | None:
        key = self.folder_alias.get(name_or_id.lower(), name_or_id)
        return key if key in self.folders else None

    def contact_folder(self, name_or_id: str | None) -> Collection | None:
        if name_or_id is None or name_or_id.lower() == "contacts":
            return self.contacts[self.contact_folder_id]
        return self.contacts.get(name_or_id)

    def find_message(self, message_id: str) -> tuple[Collection, Item] | None:
        folder = self.message_folder.get(message_id)
        if folder is None:
            return None
        coll = self.messages[folder]
        item = coll.items.get(message_id)
        return (coll, item) if item is not None else None

    def find_contact(self, contact_id: str) -> tuple[Collection, Item] | None:
        for coll in self.contacts.values():
            item = coll.items.get(contact_id)
            if item is not None:
                return coll, item
        return None


def now_utc() -> datetime:
    return datetime.now(UTC)
