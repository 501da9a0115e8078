"""The in-memory mailbox behind the EWS test server.

Terminology:
    folder      a distinguished folder (inbox, calendar, ...) with an id and a change log.
    item        a Message, CalendarItem, Contact or Task; its fields are stored as the ``t:``
                fragments Exchange would return (see ``xmlfields``), extended properties apart.
    change log  per folder, an append-only list of (kind, item id) entries, kind one of create,
                update, readflag, delete. A sync state is an opaque token naming a position in it.
    change key  a new one on every update of an item.

Seeding helpers (``add_message``, ``add_calendar_item``, ``add_contact``, ``add_task``) take plain
Python values; ``snapshot()`` gives every item back as plain values, so tests can compare the
mailbox before and after a run item by item. Every public method takes the mailbox lock, so tests
may seed or mutate while the server answers a client.

Who may open the mailbox: its owner (``address``) and the users in ``delegates`` (the owner
granted them access); ``caller`` is set by the server while it answers a request.

``batch_budget``: how many items one GetItem gets through before the batch runs out of time.
EWS "limits the execution time of a batch request to one minute" and delays each next item of a
batch while the caller's throttling budget recharges ("EWS throttling in Exchange", Throttling
implications for EWS batch requests). When the time runs out the item being processed answers
``ErrorTimeoutExpired`` and every later one ``ErrorBatchProcessingStopped`` with ResponseClass
Warning: "an exception occurred while processing an item and that exception is likely to occur
for the items that follow ... the following items will not be processed" (EWS ResponseCode
reference). ``None``: no limit.

Exports: ``Mailbox``, ``StoredItem``, ``Folder``, ``UserConfig``, ``InvalidSyncState``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import itertools
import json
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .schema import NS_T, item_field_order
from .xmlfields import canonical, ews_datetime, field_element, plain

# The distinguished folders (DistinguishedFolderIdNameType in ../shared/schemas/ews/types.xsd)
# a new Exchange Online mailbox has. Junk Email, Outbox, Conversation History and Sync Issues are
# plain IPF.Note folders: only their distinguished id tells them apart from the user's folders
# ("Distinguished folders in Exchange": DistinguishedFolderId works "regardless of the folder's
# display name", which is localised). The Archive folder Outlook's Archive button moves mail to
# has no distinguished id in EWS (tests add it with ``add_folder``); the Finder
# (``searchfolders``, where Outlook keeps search folders) hangs off the root, not the message
# folder root.
DISTINGUISHED = {
    # name: (element tag, FolderClass, display name, parent)
    "root": ("Folder", "", "Root", None),
    "msgfolderroot": ("Folder", "IPF.Note", "Top of Information Store", "root"),
    "inbox": ("Folder", "IPF.Note", "Inbox", "msgfolderroot"),
    "sentitems": ("Folder", "IPF.Note", "Sent Items", "msgfolderroot"),
    "drafts": ("Folder", "IPF.Note", "Drafts", "msgfolderroot"),
    "deleteditems": ("Folder", "IPF.Note", "Deleted Items", "msgfolderroot"),
    "junkemail": ("Folder", "IPF.Note", "Junk Email", "msgfolderroot"),
    "outbox": ("Folder", "IPF.Note", "Outbox", "msgfolderroot"),
    "conversationhistory": ("Folder", "IPF.Note", "Conversation History", "msgfolderroot"),
    "syncissues": ("Folder", "IPF.Note", "Sync Issues", "msgfolderroot"),
    "conflicts": ("Folder", "IPF.Note", "Conflicts", "syncissues"),
    "localfailures": ("Folder", "IPF.Note", "Local Failures", "syncissues"),
    "serverfailures": ("Folder", "IPF.Note", "Server Failures", "syncissues"),
    "searchfolders": ("Folder", "", "Finder", "root"),
    "calendar": ("CalendarFolder", "IPF.Appointment", "Calendar", "msgfolderroot"),
    "contacts": ("ContactsFolder", "IPF.Contact", "Contacts", "msgfolderroot"),
    "tasks": ("TasksFolder", "IPF.Task", "Tasks", "msgfolderroot"),
}
ITEM_CLASSES = {
    "Message": "IPM.Note",
    "CalendarItem": "IPM.Appointment",
    "Contact": "IPM.Contact",
    "Task": "IPM.Task",
}
# Fields the server maintains itself; a snapshot leaves them out so before/after compare content.
SERVER_FIELDS = frozenset({"ItemId", "ParentFolderId", "LastModifiedTime", "DateTimeCreated"})

ExtendedKey = tuple[str, str, str]


class InvalidSyncState(Exception):
    """A sync state this server did not issue, for another folder, or invalidated since."""


@dataclass
class StoredItem:
    """One item; ``fields`` maps element local names to ``t:`` fragments."""

    id: str
    changekey: str
    folder_id: str
    kind: str
    fields: dict[str, etree._Element] = field(default_factory=dict)
    extended: dict[ExtendedKey, etree._Element] = field(default_factory=dict)
    # Occurrences of a recurring calendar item, as (start, end); the master is what sync returns.
    occurrences: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    # Per field (or ``ext:<key>``), the change-key number of the update that last changed it:
    # what AutoResolve needs to tell a harmless stale change key from a real conflict.
    versions: dict[str, int] = field(default_factory=dict)
    # An item the store cannot read back whole: Exchange answers ErrorItemCorrupt ("the item in
    # the store was corrupted", ResponseCode, EWS reference on learn.microsoft.com) for it, per
    # response message, while the request's other items are written.
    corrupt: bool = False

    def text(self, name: str) -> str | None:
        elem = self.fields.get(name)
        return None if elem is None else elem.text

    def value(self, name: str) -> Any:
        elem = self.fields.get(name)
        return None if elem is None else plain(elem)

    def set(self, name: str, elem: etree._Element) -> None:
        self.fields[name] = canonical(self.kind, elem)

    def ordered_fields(self) -> list[tuple[str, etree._Element]]:
        """Stored fields in the schema order of ``t:<kind>``."""
        order = item_field_order(self.kind)
        return sorted(self.fields.items(), key=lambda kv: order.get(kv[0], 10_000))


@dataclass
class Folder:
    id: str
    name: str
    tag: str
    folder_class: str
    display_name: str
    parent_id: str | None
    changekey: str = "AQAAAA=="
    generation: int = 0
    hidden: bool = False  # PidTagAttributeHidden set (shapes.render_folder)
    log: list[tuple[str, str]] = field(default_factory=list)
    entered: dict[str, int] = field(default_factory=dict)
    item_ids: dict[str, None] = field(default_factory=dict)  # insertion-ordered set


@dataclass
class UserConfig:
    id: str
    changekey: str
    name: str
    folder_id: str
    xml_data: bytes | None = None
    binary_data: bytes | None = None
    dictionary: etree._Element | None = None


def extended_key(uri: etree._Element) -> ExtendedKey:
    """The identity of an extended property from its ``t:ExtendedFieldURI``."""
    set_id = (
        uri.get("PropertySetId")
        or uri.get("DistinguishedPropertySetId")
        or uri.get("PropertyTag")
        or ""
    )
    name = uri.get("PropertyName") or uri.get("PropertyId") or uri.get("PropertyTag") or ""
    return (set_id.lower(), name, uri.get("PropertyType") or "")


class Mailbox:
    """One user's mailbox, thread-safe through ``lock``."""

    def __init__(self, address: str = "me@example.com") -> None:
        self.address = address
        self.lock = threading.RLock()
        self.nonce = secrets.token_hex(4)
        self._ids = itertools.count(1)
        self._changekeys = itertools.count(1)
        self.folders: dict[str, Folder] = {}
        self.distinguished: dict[str, str] = {}
        self.items: dict[str, StoredItem] = {}
        self.user_configs: dict[tuple[str, str], UserConfig] = {}
        self.clock = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self.delegates: set[str] = set()
        self.caller: str | None = None
        self.batch_budget: int | None = None
        for name, (tag, folder_class, display, parent) in DISTINGUISHED.items():
            folder = Folder(
                id=self._new_id("F"),
                name=name,
                tag=tag,
                folder_class=folder_class,
                display_name=display,
                parent_id=self.distinguished[parent] if parent else None,
            )
            self.folders[folder.id] = folder
            self.distinguished[name] = folder.id

    # ids --------------------------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        raw = f"{prefix}:{self.nonce}:{next(self._ids):08d}".encode()
        return "AAMk" + base64.b64encode(raw).decode()

    def new_changekey(self) -> str:
        return base64.b64encode(f"CK{next(self._changekeys):010d}".encode()).decode()

    @staticmethod
    def changekey_number(changekey: str | None) -> int | None:
        """The update counter inside a change key this server issued; None if it is not one."""
        if not changekey:
            return None
        try:
            return int(base64.b64decode(changekey).decode().removeprefix("CK"))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None

    def may_open(self) -> bool:
        """Whether the current caller is the owner or a delegate (no caller: a direct call)."""
        caller = (self.caller or "").lower()
        return (
            not caller
            or caller == self.address.lower()
            or caller in {d.lower() for d in self.delegates}
        )

    def folder(self, name_or_id: str) -> Folder:
        """A folder by distinguished name (``"inbox"``) or id; KeyError if unknown."""
        with self.lock:
            return self.folders[self.distinguished.get(name_or_id, name_or_id)]

    def get(self, item_id: str) -> StoredItem:
        with self.lock:
            return self.items[item_id]

    # change log ---------------------------------------------------------------------------------
    def _log(self, folder: Folder, kind: str, item_id: str) -> None:
        if kind == "create":
            folder.entered[item_id] = len(folder.log)
            folder.item_ids[item_id] = None
        elif kind == "delete":
            folder.item_ids.pop(item_id, None)
        folder.log.append((kind, item_id))

    def sync_state(self, folder: Folder, position: int) -> str:
        raw = json.dumps({"n": self.nonce, "f": folder.id, "g": folder.generation, "p": position})
        return base64.b64encode(raw.encode()).decode()

    def sync_position(self, folder: Folder, state: str | None) -> int:
        """The change-log position a sync state names; InvalidSyncState if it is not ours."""
        if not state:
            return 0
        try:
            data = json.loads(base64.b64decode(state.encode(), validate=True))
            ok = (
                data["n"] == self.nonce
                and data["f"] == folder.id
                and data["g"] == folder.generation
                and 0 <= int(data["p"]) <= len(folder.log)
            )
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise InvalidSyncState(state) from exc
        if not ok:
            raise InvalidSyncState(state)
        return int(data["p"])

    def changes(
        self, folder: Folder, position: int, limit: int, ignore: frozenset[str] = frozenset()
    ) -> tuple[list[tuple[str, str]], int, bool]:
        """Net changes after ``position``: ([(change type, item id)], new position, last in range).

        Several entries for one item within a page collapse into one change carrying the item's
        current state; an item created and deleted since ``position`` is not reported at all.
        """
        seen: dict[str, int] = {}
        out: list[tuple[str, str]] = []
        i = position
        end = len(folder.log)
        while i < end:
            kind, item_id = folder.log[i]
            if item_id not in seen and len(out) >= limit:
                break
            i += 1
            present = item_id in folder.item_ids
            entered = folder.entered.get(item_id, -1)
            if present:
                if item_id in ignore:
                    continue
                if entered >= position:
                    change = "Create"
                elif kind == "readflag" and seen.get(item_id) is None:
                    change = "ReadFlagChange"
                else:
                    change = "Update"
            else:
                if entered >= position:
                    if item_id in seen:
                        out[seen.pop(item_id)] = ("", item_id)
                    continue
                change = "Delete"
            if item_id in seen:
                index = seen[item_id]
                previous = out[index][0]
                if previous == "Create" or (previous == "Update" and change == "ReadFlagChange"):
                    continue
                out[index] = (change, item_id)
            else:
                seen[item_id] = len(out)
                out.append((change, item_id))
        return [c for c in out if c[0]], i, i >= end

    def invalidate_sync_states(self, folder: str) -> None:
        """Make every sync state issued for ``folder`` invalid (as if it expired)."""
        with self.lock:
            self.folder(folder).generation += 1

    # writes ----------------------------------------------------------------------------------
    def _stamp(self, item: StoredItem) -> None:
        self.clock += dt.timedelta(seconds=1)
        item.fields["LastModifiedTime"] = field_element("LastModifiedTime", self.clock)

    def insert(
        self,
        folder: Folder,
        kind: str,
        fields: Iterable[etree._Element],
        extended: Iterable[etree._Element] = (),
    ) -> StoredItem:
        """Store a new item from ``t:`` fragments (as CreateItem receives them)."""
        with self.lock:
            item = StoredItem(
                id=self._new_id("I"), changekey=self.new_changekey(), folder_id=folder.id, kind=kind
            )
            item.set("ItemClass", field_element("ItemClass", ITEM_CLASSES[kind]))
            for elem in fields:
                item.set(etree.QName(elem).localname, elem)
            for prop in extended:
                self.set_extended(item, prop)
            item.fields.setdefault("DateTimeCreated", field_element("DateTimeCreated", self.clock))
            self._stamp(item)
            self.items[item.id] = item
            self._log(folder, "create", item.id)
            return item

    def set_extended(self, item: StoredItem, prop: etree._Element) -> None:
        uri = prop.find(f"{{{NS_T}}}ExtendedFieldURI")
        if uri is None:
            raise ValueError("ExtendedProperty without ExtendedFieldURI")
        item.extended[extended_key(uri)] = prop

    def touch(self, item: StoredItem, kind: str = "update", names: Iterable[str] = ()) -> None:
        """Record an update of fields ``names`` of ``item``: new change key, a change-log entry."""
        with self.lock:
            item.changekey = self.new_changekey()
            number = self.changekey_number(item.changekey) or 0
            for name in names:
                item.versions[name] = number
            self._stamp(item)
            self._log(self.folders[item.folder_id], kind, item.id)

    def remove(self, item_id: str) -> StoredItem:
        with self.lock:
            item = self.items.pop(item_id)
            self._log(self.folders[item.folder_id], "delete", item_id)
            return item

    def move(self, item_id: str, folder: str) -> StoredItem:
        """Move an item to another folder. Its id changes: "If an item is moved in the store,
        the ID can change because of the way a move is handled. An item is actually copied, and
        a new ID is generated, and then the original item is deleted" (EWS Identifiers in
        Exchange, "Working with identifiers"). Returns the item under its new id."""
        with self.lock:
            item = self.items.pop(item_id)
            target = self.folder(folder)
            self._log(self.folders[item.folder_id], "delete", item_id)
            item.id = self._new_id("I")
            item.folder_id = target.id
            item.changekey = self.new_changekey()
            self.items[item.id] = item
            self._log(target, "create", item.id)
            return item

    def copy(self, item_id: str, folder: str) -> str:
        """Copy an item to another folder: the copy is a new item with an id of its own
        (CopyItem operation: "the ItemId of the new item"); returns that id."""
        with self.lock:
            item = self.items[item_id]
            fields = [copy.deepcopy(e) for n, e in item.fields.items() if n not in SERVER_FIELDS]
            props = [copy.deepcopy(e) for e in item.extended.values()]
            return self.insert(self.folder(folder), item.kind, fields, props).id

    def move_folder(self, folder: str, parent: str) -> None:
        """Move a folder (with its subfolders and items) below another. A folder keeps its id
        and its items theirs: MoveFolder changes the folder's parent, and SyncFolderItems of
        the moved folder goes on from its sync state."""
        with self.lock:
            self.folder(folder).parent_id = self.folder(parent).id

    def delete_folder(self, folder: str) -> None:
        """Delete a folder for good, with its subfolders and their items (DeleteFolder with
        DeleteType HardDelete); its id then names no folder (ErrorFolderNotFound). A folder
        deleted in Outlook moves to Deleted Items instead: use :meth:`move_folder`."""
        with self.lock:
            gone = [self.folder(folder).id]
            while gone:
                current = self.folders.pop(gone.pop())
                for item_id in list(current.item_ids):
                    self.items.pop(item_id, None)
                gone.extend(f.id for f in self.folders.values() if f.parent_id == current.id)

    # seeding ---------------------------------------------------------------------------------
    def _add(
        self,
        folder: str,
        kind: str,
        values: Mapping[str, Any],
        extended: Mapping[ExtendedKey, str] | None,
    ) -> str:
        props = [_extended_element(key, value) for key, value in (extended or {}).items()]
        fields = [field_element(name, value) for name, value in values.items() if value is not None]
        return self.insert(self.folder(folder), kind, fields, props).id

    def add_message(
        self,
        folder: str = "inbox",
        *,
        subject: str = "",
        sender: Any = None,
        to: Iterable[Any] = (),
        cc: Iterable[Any] = (),
        bcc: Iterable[Any] = (),
        sent: dt.datetime | None = None,
        received: dt.datetime | None = None,
        message_id: str | None = None,
        in_reply_to: str | None = None,
        references: str | None = None,
        conversation_id: str | None = None,
        is_read: bool = False,
        categories: Iterable[str] = (),
        body: str | None = None,
        headers: Iterable[tuple[str, str]] | None = None,
        extended: Mapping[ExtendedKey, str] | None = None,
        sensitivity: str | None = None,
    ) -> str:
        """Add a Message; ``sender`` etc. take ``"a@b"``, ``("Name", "a@b")``. Returns its id.

        ``sensitivity``: Normal, Personal, Private or Confidential (``t:SensitivityChoicesType``).
        """
        sent = sent or self.clock
        values: dict[str, Any] = {
            "Subject": subject,
            "Sensitivity": sensitivity,
            "Body": body,
            "DateTimeReceived": received or sent,
            "Categories": list(categories) or None,
            "InReplyTo": in_reply_to,
            "InternetMessageHeaders": list(headers) if headers else None,
            "DateTimeSent": sent,
            "ConversationId": conversation_id,
            "Sender": sender,
            "ToRecipients": list(to) or None,
            "CcRecipients": list(cc) or None,
            "BccRecipients": list(bcc) or None,
            "From": sender,
            "InternetMessageId": message_id or f"<{secrets.token_hex(8)}@example.com>",
            "IsRead": is_read,
            "References": references,
        }
        return self._add(folder, "Message", values, extended)

    def add_calendar_item(
        self,
        folder: str = "calendar",
        *,
        subject: str = "",
        start: dt.datetime,
        end: dt.datetime,
        organizer: Any = None,
        required: Iterable[Any] = (),
        optional: Iterable[Any] = (),
        is_cancelled: bool = False,
        uid: str | None = None,
        categories: Iterable[str] = (),
        occurrences: Iterable[tuple[dt.datetime, dt.datetime]] = (),
        extended: Mapping[ExtendedKey, str] | None = None,
        sensitivity: str | None = None,
    ) -> str:
        """Add a meeting; attendees as ``"a@b"`` or ``("a@b", "Accept")``. Returns its id.

        ``occurrences`` makes it a recurring master whose instances a CalendarView expands.
        """
        occ = list(occurrences)
        values: dict[str, Any] = {
            "Subject": subject,
            "Sensitivity": sensitivity,
            "Categories": list(categories) or None,
            "UID": uid or secrets.token_hex(16),
            "Start": start,
            "End": end,
            "IsCancelled": is_cancelled,
            "IsRecurring": bool(occ),
            "CalendarItemType": "RecurringMaster" if occ else "Single",
            "Organizer": organizer,
            "RequiredAttendees": list(required) or None,
            "OptionalAttendees": list(optional) or None,
        }
        item_id = self._add(folder, "CalendarItem", values, extended)
        self.items[item_id].occurrences = occ
        return item_id

    def add_contact(
        self,
        folder: str = "contacts",
        *,
        display_name: str = "",
        given_name: str | None = None,
        surname: str | None = None,
        company: str | None = None,
        emails: Iterable[str] = (),
        categories: Iterable[str] = (),
        extended: Mapping[ExtendedKey, str] | None = None,
        birthday: dt.datetime | None = None,
        wedding_anniversary: dt.datetime | None = None,
    ) -> str:
        """Add a Contact with up to three e-mail addresses. Returns its id.

        ``birthday`` and ``wedding_anniversary`` are the instants a client stored (``t:Birthday``
        is an xs:dateTime, "the birth date of a contact"): Outlook writes the day's midnight in
        its own zone, so east of Greenwich the UTC date is the day before.
        """
        values: dict[str, Any] = {
            "Subject": display_name,
            "Categories": list(categories) or None,
            "DisplayName": display_name,
            "GivenName": given_name,
            "CompanyName": company,
            "EmailAddresses": list(emails)[:3] or None,
            "Birthday": birthday,
            "Surname": surname,
            "WeddingAnniversary": wedding_anniversary,
        }
        return self._add(folder, "Contact", values, extended)

    def add_task(
        self,
        folder: str = "tasks",
        *,
        subject: str = "",
        due: dt.datetime | None = None,
        status: str = "NotStarted",
        percent_complete: int = 0,
        body: str | None = None,
        categories: Iterable[str] = (),
        extended: Mapping[ExtendedKey, str] | None = None,
    ) -> str:
        """Add a Task. Returns its id."""
        values: dict[str, Any] = {
            "Subject": subject,
            "Body": body,
            "Categories": list(categories) or None,
            "DueDate": due,
            "PercentComplete": percent_complete,
            "Status": status,
        }
        return self._add(folder, "Task", values, extended)

    def add_folder(
        self,
        display_name: str,
        parent: str = "inbox",
        folder_class: str = "IPF.Note",
        *,
        hidden: bool = False,
    ) -> str:
        """Add a folder below ``parent`` (a name or id); returns its id, usable as a name.
        ``folder_class``: ``IPF.Note`` for mail, ``IPF.Note.OutlookHomepage`` for an RSS feed
        folder, ``IPF.Appointment`` for a calendar, ...; ``hidden``: PidTagAttributeHidden set
        (as on the folders add-ins and sync clients keep in a mailbox)."""
        with self.lock:
            folder = Folder(
                id=self._new_id("F"),
                name="",
                tag="Folder",
                folder_class=folder_class,
                display_name=display_name,
                parent_id=self.folder(parent).id,
                hidden=hidden,
            )
            folder.name = folder.id
            self.folders[folder.id] = folder
            return folder.id

    def set_fields(self, item_id: str, **values: Any) -> None:
        """Change fields as a user would (by element name, e.g. ``Subject=...``); logs an update."""
        with self.lock:
            item = self.items[item_id]
            for name, value in values.items():
                if value is None:
                    item.fields.pop(name, None)
                else:
                    item.set(name, field_element(name, value))
            kind = "readflag" if set(values) == {"IsRead"} else "update"
            self.touch(item, kind, values)

    def flag(
        self,
        item_id: str,
        status: str,
        *,
        start: dt.datetime | None = None,
        due: dt.datetime | None = None,
        completed: dt.datetime | None = None,
    ) -> None:
        """Flag, complete or clear a message as a user would in Outlook (see ``flags``)."""
        from .flags import set_flag
        from .xmlfields import sub, t

        new = t("Flag")
        sub(new, "FlagStatus", status)
        for name, value in (("StartDate", start), ("DueDate", due), ("CompleteDate", completed)):
            if value is not None:
                sub(new, name, ews_datetime(value))
        with self.lock:
            item = self.items[item_id]
            set_flag(item.fields, new)
            self.touch(item, "update", ["Flag"])

    def delete(self, item_id: str) -> None:
        """Delete an item for good, as a user emptying it would."""
        self.remove(item_id)

    def set_category_list(self, xml: bytes) -> None:
        """Seed the master category list (the calendar's ``CategoryList`` configuration)."""
        with self.lock:
            folder = self.folder("calendar")
            key = (folder.id, "CategoryList")
            config = self.user_configs.get(key) or UserConfig(
                id=self._new_id("C"),
                changekey=self.new_changekey(),
                name="CategoryList",
                folder_id=folder.id,
            )
            config.xml_data = xml
            self.user_configs[key] = config

    def category_list(self) -> bytes | None:
        with self.lock:
            config = self.user_configs.get((self.folder("calendar").id, "CategoryList"))
            return None if config is None else config.xml_data

    # inspection -----------------------------------------------------------------------------
    def items_in(self, folder: str) -> list[StoredItem]:
        with self.lock:
            return [self.items[i] for i in self.folder(folder).item_ids]

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Every item as plain values, keyed by id: folder, type, categories, fields, extended."""
        with self.lock:
            out: dict[str, dict[str, Any]] = {}
            for item in self.items.values():
                out[item.id] = {
                    "id": item.id,
                    "folder": self.folders[item.folder_id].name,
                    "type": item.kind,
                    "categories": item.value("Categories") or [],
                    "fields": {
                        name: plain(elem)
                        for name, elem in item.fields.items()
                        if name not in SERVER_FIELDS
                    },
                    "extended": {
                        key: prop.findtext(f"{{{NS_T}}}Value")
                        for key, prop in item.extended.items()
                    },
                }
            return out


def _extended_element(key: ExtendedKey, value: str) -> etree._Element:
    from .xmlfields import sub, t

    set_id, name, prop_type = key
    prop = t("ExtendedProperty")
    attrs = {"PropertySetId": set_id, "PropertyName": name, "PropertyType": prop_type}
    if name.isdigit() or name.startswith("0x"):
        attrs = {"PropertySetId": set_id, "PropertyId": name, "PropertyType": prop_type}
    sub(prop, "ExtendedFieldURI", **attrs)
    sub(prop, "Value", value)
    return prop


__all__ = ["Folder", "InvalidSyncState", "Mailbox", "StoredItem", "UserConfig", "ews_datetime"]
