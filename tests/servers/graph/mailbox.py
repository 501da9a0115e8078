"""In-memory Exchange Online mailbox behind the Graph test server.

Terminology:
- *collection*: the items of one kind in one container (the Inbox's messages, the calendar's
  events, a contact folder's contacts). Each keeps a change log so delta queries can be served
  by sequence number instead of by scanning and sorting: every create, update and delete appends
  ``(seq, item_id)``; an entry is *live* while the item's current ``seq`` still equals it.
- *mailbox*: the collections of one user plus the master category list and Microsoft To Do.
- *ids*: every message, event and contact has an immutable id (``graph_id``, what the seeding
  helpers return and what ``Prefer: IdType="ImmutableId"`` shows) and a regular REST id, which
  Exchange changes when the item moves to another folder ("Obtain immutable identifiers for
  Outlook resources", learn.microsoft.com/graph/outlook-immutable-id). ``IdRegistry`` keeps
  both; items are stored under their immutable id.

Items are stored as plain dicts in the Graph JSON shape (minus the ``@odata`` annotations, which
the server adds when it renders them), so rendering a page is a dict copy, not a conversion.

Exports: ``Collection``, ``Mailbox``, ``IdRegistry``, ``graph_id``, ``change_key``, ``iso``.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

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


class IdRegistry:
    """Each item's regular REST id beside its immutable id (see the module docstring)."""

    def __init__(self) -> None:
        self._rest: dict[str, str] = {}  # immutable id -> current REST id
        self._immutable: dict[str, str] = {}  # current REST id -> immutable id
        self._moves: dict[str, int] = {}

    def register(self, item_id: str) -> None:
        if item_id not in self._rest:
            self._set(item_id, 0)

    def moved(self, item_id: str) -> str:
        """A move to another folder: the item gets a new REST id; the old one is dead."""
        self._immutable.pop(self._rest[item_id], None)
        return self._set(item_id, self._moves[item_id] + 1)

    def _set(self, item_id: str, moves: int) -> str:
        rest = graph_id("rest", item_id, moves)
        self._moves[item_id] = moves
        self._rest[item_id] = rest
        self._immutable[rest] = item_id
        return rest

    def rest_id(self, item_id: str) -> str:
        return self._rest.get(item_id, item_id)

    def immutable_id(self, rest_id: str) -> str | None:
        return self._immutable.get(rest_id)

    def resolve(self, any_id: str) -> str:
        """The immutable id for a current REST id, else ``any_id`` as it is (either an
        immutable id, or an id that finds nothing: a dead REST id answers 404)."""
        return self._immutable.get(any_id, any_id)

    def knows(self, item_id: str) -> bool:
        return item_id in self._rest


@dataclass
class Change:
    """One entry a delta page reports: a live item or a removal."""

    item_id: str
    seq: int
    item: Item | None  # None means removed
    removed_as: str = ""  # the REST id the item had when it left the collection


class Collection:
    """Items of one kind with a change log (see the module docstring).

    The log also keeps which properties each update changed (``None``: the whole item, as on
    creation), so a delta round can report an update by the properties it touched, as Graph
    does (``changed_since``).
    """

    def __init__(self, key: str, clock: Callable[[], int], ids: IdRegistry | None = None) -> None:
        self.key = key
        self._clock = clock
        self.ids = ids or IdRegistry()
        self.items: dict[str, Item] = {}
        self.item_seq: dict[str, int] = {}
        self.versions: dict[str, int] = {}
        self.deleted: dict[str, int] = {}
        self.removed_as: dict[str, str] = {}
        self._updates: dict[str, list[tuple[int, frozenset[str] | None]]] = {}
        self._log_seqs: list[int] = []
        self._log_ids: list[str] = []

    def put(self, item: Item, changed: Iterable[str] | None = None) -> Item:
        """Create or replace an item; bumps its change key and logs the change.

        ``changed`` names the properties an update touched; ``None`` replaces the whole item.
        """
        item_id = item["id"]
        self.ids.register(item_id)
        version = self.versions.get(item_id, 0) + 1
        self.versions[item_id] = version
        item["changeKey"] = change_key(item_id, version)
        seq = self._clock()
        self.items[item_id] = item
        self.item_seq[item_id] = seq
        self.deleted.pop(item_id, None)
        touched = None if changed is None else frozenset({*changed, "changeKey"})
        history = self._updates.setdefault(item_id, [])
        if touched is None:
            history.clear()
        history.append((seq, touched))
        self._log_seqs.append(seq)
        self._log_ids.append(item_id)
        return item

    def changed_since(self, item_id: str, seq: int) -> frozenset[str] | None:
        """The properties changed after ``seq``; ``None`` if the item was (re)created since."""
        out: set[str] = set()
        for at, touched in self._updates.get(item_id, ()):
            if at <= seq:
                continue
            if touched is None:
                return None
            out |= touched
        return frozenset(out)

    def remove(self, item_id: str) -> Item | None:
        item = self.items.pop(item_id, None)
        if item is None:
            return None
        self.item_seq.pop(item_id, None)
        self._updates.pop(item_id, None)
        seq = self._clock()
        self.deleted[item_id] = seq
        self.removed_as[item_id] = self.ids.rest_id(item_id)
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
                out.append(Change(item_id, seq, None, self.removed_as.get(item_id, item_id)))
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

    # Well-known folder names (mailFolder resource type, "Well-known folder names": they "work
    # regardless of the locale of the user's mailbox"): name -> (display name, parent). The
    # message folder root ("Top of Information Store") is the parent of the folders
    # ``/mailFolders`` lists; the search folders' parent hangs off the mailbox root, beside it.
    WELL_KNOWN: ClassVar[dict[str, tuple[str, str | None]]] = {
        "msgfolderroot": ("Top of Information Store", None),
        "inbox": ("Inbox", "msgfolderroot"),
        "sentitems": ("Sent Items", "msgfolderroot"),
        "deleteditems": ("Deleted Items", "msgfolderroot"),
        "drafts": ("Drafts", "msgfolderroot"),
        "archive": ("Archive", "msgfolderroot"),
        "junkemail": ("Junk Email", "msgfolderroot"),
        "outbox": ("Outbox", "msgfolderroot"),
        "conversationhistory": ("Conversation History", "msgfolderroot"),
        "syncissues": ("Sync Issues", "msgfolderroot"),
        "conflicts": ("Conflicts", "syncissues"),
        "localfailures": ("Local Failures", "syncissues"),
        "serverfailures": ("Server Failures", "syncissues"),
        "searchfolders": ("Finder", None),
    }
    WELL_KNOWN_FOLDERS = tuple(WELL_KNOWN)

    def __init__(self, upn: str, display_name: str, clock: Callable[[], int]) -> None:
        self.upn = upn
        self.display_name = display_name
        # mailboxSettings.timeZone: a Windows or an IANA name, as the user set it in Outlook.
        self.time_zone = "UTC"
        self.ids = IdRegistry()
        self.user_id = graph_id("user", upn)[4:40]
        # Bumping this makes every delta token issued so far stale (410 SyncStateNotFound).
        self.delta_generation = 1
        self._clock = clock
        self._ids = itertools.count(1)
        self.lock = threading.RLock()
        self.folders: dict[str, Item] = {}
        self.folder_alias: dict[str, str] = {}
        self.messages: dict[str, Collection] = {}
        for name, (display, parent) in self.WELL_KNOWN.items():
            folder_id = graph_id(upn, "folder", name)
            self.add_folder(folder_id, display, self.folder_alias.get(parent or ""))
            self.folder_alias[name] = folder_id
        self.message_folder: dict[str, str] = {}
        self.events = Collection("events", clock, self.ids)
        self.contact_folder_id = graph_id(upn, "contactfolder", "contacts")
        self.contacts: dict[str, Collection] = {
            self.contact_folder_id: Collection(
                f"contacts:{self.contact_folder_id}", clock, self.ids
            )
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

    def add_folder(
        self,
        folder_id: str,
        display: str,
        parent: str | None,
        *,
        hidden: bool = False,
        search: bool = False,
        folder_class: str = "IPF.Note",
    ) -> None:
        """A folder below ``parent`` (a folder id; None: the mailbox root). ``folder_class`` is
        the MAPI container class (PidTagContainerClass, ``String 0x3613``); a ``search`` folder
        is rendered as a mailSearchFolder."""
        self.folders[folder_id] = {
            "id": folder_id,
            "displayName": display,
            "parentFolderId": parent,
            "isHidden": hidden,
            "search": search,
            "folderClass": folder_class,
        }
        self.messages[folder_id] = Collection(f"messages:{folder_id}", self._clock, self.ids)

    def child_folders(self, folder_id: str) -> list[Item]:
        return [f for f in self.folders.values() if f["parentFolderId"] == folder_id]

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
        """The message with this immutable or current REST id."""
        message_id = self.ids.resolve(message_id)
        folder = self.message_folder.get(message_id)
        if folder is None:
            return None
        coll = self.messages[folder]
        item = coll.items.get(message_id)
        return (coll, item) if item is not None else None

    def find_event(self, event_id: str) -> Item | None:
        return self.events.items.get(self.ids.resolve(event_id))

    def find_contact(self, contact_id: str) -> tuple[Collection, Item] | None:
        contact_id = self.ids.resolve(contact_id)
        for coll in self.contacts.values():
            item = coll.items.get(contact_id)
            if item is not None:
                return coll, item
        return None


def now_utc() -> datetime:
    return datetime.now(UTC)
