"""The EWS Source: incremental SyncFolderItems per folder, one batch per page.

Folders and how each is read:

- ``inbox`` and ``sent``: SyncFolderItems pages of ids and the received time only (the
  ``IdOnly`` shape plus ``item:DateTimeReceived``), so an item older than ``since`` costs its id
  and nothing more: a folder of a million old messages is ~2,000 pages of ~150 bytes an item,
  and no GetItem. Items inside the window are then fetched with GetItem for the fields only
  GetItem returns reliably (recipients, Message-ID, In-Reply-To, References, headers), in
  batches whose size adapts to the server (``batches.BatchSize``: from 100, halved when a batch
  is stopped, times out or the server asks to back off, grown while answers come fast as
  measured by ``clock``). Each page becomes one ``Batch`` whose cursor is the page's SyncState,
  so an interrupted first sync resumes at the last stored page. Round trips are what a sync
  costs: 20,000 messages take ~40 pages and ~50 GetItem.
- ``calendar``: SyncFolderItems only detects that something changed; the window
  (``since`` back, ``ahead`` forward) is then read again through a CalendarView (month by month
  when one view would pass Exchange's cap), which expands recurring meetings into their
  occurrences, as a full round (``reset``) so occurrences that left the window or were cancelled
  are swept. The cursor also names the day the window was computed, so the window moves forward
  once a day even when nothing changed.
- ``contacts``: SyncFolderItems pages, GetItem for names, addresses and categories.
- ``mail``: every mail folder of the mailbox (:mod:`..folders` says which: Inbox and below,
  Sent Items, Archive, the user's folders anywhere; not Junk Email, Drafts, Outbox, Deleted
  Items, Conversation History, Sync Issues, hidden folders (PidTagAttributeHidden, asked for by
  tag in the FindFolder), search folders, nor folders of another class), each
  read like ``inbox`` with its own cursor. The folders are listed on every sync with one
  FindFolder (Deep traversal from the message folder root, 100 folders a page), so a folder
  created since is read from its start and one deleted or moved to Deleted Items loses its
  cursor (its messages stay in the history). The ids of the well-known folders (one GetFolder)
  are asked once and kept under the cursor key ``folders``. A quiet sync of a mailbox with N
  mail folders costs one FindFolder and N SyncFolderItems.
- ``inbox``, ``sent``: that folder alone (tests, and the folders a narrower source is given).

The service is called page by page (``exchangelib.services.SyncFolderItems``): exchangelib's
``folder.sync_items`` sets the folder's sync state only once drained. A sync state the server no
longer accepts (``ErrorInvalidSyncStateData``) starts that folder over with ``reset``; the store
then sweeps what the new round did not see, so nothing is duplicated.

Exports: ``EwsSource``, ``FOLDERS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from exchangelib import Account
from exchangelib.errors import (
    ErrorBatchProcessingStopped,
    ErrorFolderNotFound,
    ErrorInvalidSyncStateData,
    ErrorItemNotFound,
    ErrorTimeoutExpired,
)
from exchangelib.fields import FieldPath
from exchangelib.folders import (
    Calendar,
    Contacts,
    Folder,
    FolderCollection,
    Inbox,
    MsgFolderRoot,
    Root,
    SentItems,
)
from exchangelib.folders.known_folders import (
    Conflicts,
    ConversationHistory,
    DeletedItems,
    Drafts,
    JunkEmail,
    LocalFailures,
    Outbox,
    SearchFolders,
    ServerFailures,
    SyncIssues,
)
from exchangelib.folders.queryset import DEEP
from exchangelib.items import ID_ONLY, CalendarItem, Contact, Message
from exchangelib.properties import ItemId
from exchangelib.services import SyncFolderItems

from ...errors import ServerFault, SyncStateInvalid, problem
from ...model import ContactCard, Interaction
from ...ports import Batch, MessageMarks, Problem
from ..folders import (
    MailFolder,
    dropped,
    is_mail_class,
    select,
    well_known_ids,
)
from .batches import BatchSize
from .convert import (
    CONTACT_FIELDS,
    MEETING_FIELDS,
    MESSAGE_FIELDS,
    card_from_contact,
    interaction_from_meeting,
    interaction_from_message,
    message_marks,
)
from .edge import Edge
from .properties import FLAG_FIELD, HIDDEN_FIELD, KEY_FIELD, ensure_registered, flags_supported

__all__ = ["FOLDERS", "EwsSource"]

FOLDERS = ("mail", "calendar", "contacts")
_FOLDER_CLASS = {"inbox": Inbox, "sent": SentItems, "calendar": Calendar, "contacts": Contacts}
# The well-known folders the mail folder selection needs to recognise, by distinguished id.
_WELL_KNOWN = (
    MsgFolderRoot, Inbox, SentItems, JunkEmail, Drafts, Outbox, DeletedItems, ConversationHistory,
    SyncIssues, Conflicts, LocalFailures, ServerFailures, SearchFolders,
)  # fmt: skip
_FOLDER_FIELDS = ("parent_folder_id", "folder_class", "name", HIDDEN_FIELD)
FOLDER_PAGE = 100  # folders per FindFolder page (exchangelib's default page size)
MAX_PAGE = 512  # MaxSyncChangesReturnedType
VIEW_SLICE = timedelta(days=31)
VIEW_LIMIT = 1000  # entries one CalendarView returns at most (Exchange's default cap)


def _now() -> datetime:
    return datetime.now(UTC)


class EwsSource:
    """Reads one mailbox through exchangelib; see the module docstring for the folders."""

    def __init__(
        self,
        account: Account,
        name: str,
        *,
        edge: Edge | None = None,
        folders: Sequence[str] = FOLDERS,
        page_size: int = MAX_PAGE,
        since: timedelta = timedelta(days=548),
        ahead: timedelta = timedelta(days=90),
        now: Callable[[], datetime] = _now,
        get_batch: int = BatchSize.size,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        folder_page: int = FOLDER_PAGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        ensure_registered()  # message flags and contacts' key dates are registered fields
        self._account = account
        self._name = name
        self._edge = edge or Edge(
            name, credentials=account.protocol.credentials, protocol=account.protocol
        )
        self._folders = tuple(folders)
        self._page = max(1, min(page_size, MAX_PAGE))
        self._since = since
        self._ahead = ahead
        self._now = now
        self.batch = BatchSize(size=get_batch)  # GetItem's current batch size
        self._clock = clock
        self._include = tuple(include)  # [folders] include / exclude patterns
        self._exclude = tuple(exclude)
        self._folder_page = folder_page
        self.requests = 0  # service calls made, for progress and benchmarks

    @property
    def name(self) -> str:
        return self._name

    def close(self) -> None:
        """Close the account's pooled HTTP sessions (the sink shares them)."""
        self._account.protocol.close()

    def read(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        for folder in self._folders:
            cursor = cursors.get(folder) or None
            if folder == "calendar":
                yield from self._read_calendar(cursor)
            elif folder == "mail":
                yield from self._read_mail(cursors)
            else:
                yield from self._read_items(folder, cursor)

    # the folder tree ----------------------------------------------------------------------------
    def _read_mail(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        """Every mail folder (see the module docstring), each from its own cursor; the cursor
        of a folder no longer found is dropped (an empty cursor), its messages are kept."""
        known, keep = well_known_ids(cursors, self._well_known)
        if keep is not None:
            yield keep
        top = known["msgfolderroot"]
        found = self._folder_tree(top)
        chosen = select(
            (
                MailFolder(
                    f.id,
                    f.parent_folder_id.id if f.parent_folder_id else None,
                    f.name or "",
                    is_mail_class(f.folder_class),
                    bool(getattr(f, HIDDEN_FIELD, None)),
                )
                for f in found.values()
            ),
            top=top,
            well_known=known,
            include=self._include,
            exclude=self._exclude,
        )
        yield from dropped(cursors, chosen)
        for choice in chosen:
            key = choice.key
            obj = self._folder(key) if key in _FOLDER_CLASS else found[choice.folder.id]
            try:
                yield from self._read_items(key, cursors.get(key) or None, obj, choice.hint)
            except ServerFault as exc:
                if exc.code != "ErrorFolderNotFound" or key in _FOLDER_CLASS:
                    raise
                yield Batch(folder=key, cursor="")  # deleted since the tree was listed

    def _well_known(self) -> dict[str, str]:
        """Distinguished id -> folder id of the well-known folders this mailbox has (one
        GetFolder); a folder the server does not have (``ErrorFolderNotFound``) is left out."""
        root = Root(account=self._account)
        # Conversation History and Sync Issues came with Exchange 2013: an older server's schema
        # refuses their names, and with them the whole request.
        build = getattr(self._account.version, "build", None)
        classes = [
            c for c in _WELL_KNOWN if not (build and c.supported_from and build < c.supported_from)
        ]
        wanted = [cls(root=root) for cls in classes]

        def get() -> dict[str, str]:
            got = FolderCollection(account=self._account, folders=wanted).get_folders(
                additional_fields=set()
            )
            out: dict[str, str] = {}
            for cls, f in zip(classes, got, strict=True):
                if isinstance(f, ErrorFolderNotFound):
                    continue
                if isinstance(f, Exception):
                    raise f  # inside the edge, so it is mapped like any other
                out[cls.DISTINGUISHED_FOLDER_ID] = f.id
            return out

        self.requests += 1
        known = self._edge.call(get)
        if "msgfolderroot" not in known:
            raise ServerFault(self._name, problem("no_message_root"))
        return known

    def _folder_tree(self, top: str) -> dict[str, Any]:
        """Every folder below the message folder root, by id (FindFolder, Deep, paged)."""
        parent = MsgFolderRoot(root=Root(account=self._account), id=top)
        fields = {FieldPath(field=Folder.get_field_by_fieldname(n)) for n in _FOLDER_FIELDS}

        def find() -> list[Any]:
            found = FolderCollection(account=self._account, folders=[parent]).find_folders(
                depth=DEEP, additional_fields=fields, page_size=self._folder_page
            )
            out = []
            for f in found:
                if isinstance(f, Exception):
                    raise f
                out.append(f)
            return out

        folders = self._edge.call(find)
        self.requests += max(1, -(-len(folders) // self._folder_page))  # pages
        return {f.id: f for f in folders if f.id}

    # paging -------------------------------------------------------------------------------------
    def _folder(self, folder: str) -> Any:
        # Addressed by its distinguished id (<t:DistinguishedFolderId Id="inbox">), so a sync
        # with nothing new costs one SyncFolderItems per folder and no GetFolder first.
        root = Root(account=self._account)
        return _FOLDER_CLASS[folder](root=root)

    def _sync_page(
        self, folder_obj: Any, state: str | None, fields: Sequence[str]
    ) -> tuple[list[tuple[str, Any]], str, bool]:
        def page() -> tuple[list[tuple[str, Any]], str, bool]:
            svc = SyncFolderItems(account=self._account)
            additional = {
                f for f in folder_obj.normalize_fields(list(fields)) if not f.field.is_attribute
            }
            changes = list(
                svc.call(
                    folder=folder_obj,
                    shape=ID_ONLY,
                    additional_fields=additional,
                    sync_state=state,
                    ignore=None,
                    max_changes_returned=self._page,
                    sync_scope=None,
                )
            )
            for _, item in changes:
                if isinstance(item, ErrorInvalidSyncStateData):
                    raise item
            return changes, svc.sync_state, bool(svc.includes_last_item_in_range)

        self.requests += 1
        return self._edge.call(page)

    def _fetch(self, ids: Sequence[str], fields: Sequence[str]) -> list[Any]:
        """GetItem in adaptive batches; items deleted meanwhile are left out, items a stopped
        batch did not reach go into the next one."""
        found: list[Any] = []
        pending = list(ids)
        while pending:
            busy = self._busy()
            started = self._clock()

            def some(todo: list[str] = pending) -> tuple[list[Any], int, bool]:
                return self._get_some(todo, fields)

            got, answered, stopped = self._edge.call(some)
            found.extend(got)
            if stopped:
                self.batch = self.batch.shrunk()
            else:
                elapsed = self._clock() - started
                self.batch = self.batch.answered(answered, elapsed, busy=self._busy() != busy)
            pending = pending[answered:]
        return found

    def _message_fields(self) -> tuple[str, ...]:
        """What GetItem asks of a message: its follow-up flag too, where the server has one,
        and the product's key, which only the product's own brief in the Inbox carries."""
        if flags_supported(self._account):
            return (*MESSAGE_FIELDS, FLAG_FIELD, KEY_FIELD)
        return (*MESSAGE_FIELDS, KEY_FIELD)

    def _get_some(
        self, pending: Sequence[str], fields: Sequence[str]
    ) -> tuple[list[Any], int, bool]:
        """One GetItem for the next batch: (items, ids answered, whether the server stopped)."""
        chunk = [ItemId(i) for i in pending[: self.batch.size]]
        self.requests += 1
        got: list[Any] = []
        answered = 0
        try:
            # One request (chunk_size); exchangelib yields one result per id, in order.
            for item in self._account.fetch(
                ids=chunk, only_fields=list(fields), chunk_size=len(chunk)
            ):
                if isinstance(item, ErrorBatchProcessingStopped):
                    return got, answered, True  # the rest was not even tried
                answered += 1
                if isinstance(item, ErrorItemNotFound):
                    continue  # deleted since the sync page named it
                if isinstance(item, Exception):
                    raise item  # inside the edge, so it is mapped like any other
                got.append(item)
        except ErrorTimeoutExpired:
            if answered:
                return got, answered, True  # timed out part way: keep what came
            # Nothing came back (a batch too slow, or a dropped connection): the edge retries,
            # and the retry asks for fewer.
            self.batch = self.batch.shrunk()
            raise
        return got, answered, False

    def _busy(self) -> int:
        """How often the server has asked this account to back off so far."""
        return int(getattr(self._account.protocol.retry_policy, "busy", 0))

    # mail and contacts --------------------------------------------------------------------------
    def _read_items(
        self, folder: str, cursor: str | None, folder_obj: Any = None, hint: str | None = None
    ) -> Iterator[Batch]:
        """One folder's changes; ``folder`` is the cursor key, ``hint`` the folder hint its
        messages carry (by default the key: ``inbox``, ``sent``)."""
        folder_obj = folder_obj if folder_obj is not None else self._folder(folder)
        hint = folder if hint is None else hint
        contacts = folder == "contacts"
        sync_fields = ["subject"] if contacts else ["datetime_received"]
        state, reset = cursor, cursor is None
        oldest = self._now() - self._since
        while True:
            try:
                changes, new_state, last = self._sync_page(folder_obj, state, sync_fields)
            except SyncStateInvalid:
                if state is None:
                    raise
                state, reset = None, True  # the server forgot us: start this folder over
                continue
            upserts: list[str] = []
            deleted: list[str] = []
            for kind, item in changes:
                if kind == "delete":
                    deleted.append(item.id)
                elif kind in ("create", "update"):
                    if contacts and not isinstance(item, Contact):
                        continue  # distribution lists and the like
                    if not contacts and not isinstance(item, Message):
                        continue  # meeting requests, reports: not personal mail here
                    received = getattr(item, "datetime_received", None)
                    if received is not None and received < oldest:
                        continue
                    upserts.append(item.id)
            interactions: list[Interaction] = []
            marks: list[MessageMarks] = []
            cards: list[ContactCard] = []
            problems: list[Problem] = []
            if contacts:
                cards = [
                    card_from_contact(i, source=self._name)
                    for i in self._fetch(upserts, CONTACT_FIELDS)
                ]
            else:
                for item in self._fetch(upserts, self._message_fields()):
                    if getattr(item, KEY_FIELD, None):
                        continue  # the product's own brief (writeback/inbox.py): not mail
                    made = interaction_from_message(item, source=self._name, folder=hint)
                    if made is None:
                        problems.append(Problem(item.id, problem("no_sent_time")))
                    else:
                        interactions.append(made)
                        marks.append(message_marks(item))
            yield Batch(
                folder=folder,
                interactions=tuple(interactions),
                marks=tuple(marks),
                cards=tuple(cards),
                deleted=tuple(deleted),
                cursor=new_state,
                problems=tuple(problems),
                reset=reset,
                complete=last,
            )
            reset = False
            if last or new_state == state:
                return
            state = new_state

    # calendar -----------------------------------------------------------------------------------
    def _view(
        self, folder_obj: Any, start: datetime, end: datetime, *, whole: bool = False
    ) -> list[Any] | None:
        """The calendar items in [start, end), occurrences expanded; None if one view may
        have been cut short (Exchange caps a CalendarView at 1000 entries), unless ``whole``."""

        def view() -> list[Any]:
            limit = None if whole else VIEW_LIMIT
            return list(
                folder_obj.view(start=start, end=end, max_items=limit).only(*MEETING_FIELDS)
            )

        self.requests += 1
        try:
            items = self._edge.call(view)
        except ServerFault:
            if whole:
                raise
            return None  # e.g. a range or count the server refuses in one view
        return None if not whole and len(items) >= VIEW_LIMIT else items

    def _read_calendar(self, cursor: str | None) -> Iterator[Batch]:
        now = self._now()
        day = now.strftime("%Y-%m-%d")
        saved_day, _, state = (cursor or "").partition("|")
        state_or_none = state or None
        folder_obj = self._folder("calendar")
        changed = cursor is None or saved_day != day
        while True:
            try:
                changes, new_state, last = self._sync_page(folder_obj, state_or_none, [])
            except SyncStateInvalid:
                if state_or_none is None:
                    raise
                state_or_none, changed = None, True
                continue
            changed = changed or bool(changes)
            if last or new_state == state_or_none:
                break
            state_or_none = new_state
        new_cursor = f"{day}|{new_state}"
        if not changed:
            yield Batch(folder="calendar", cursor=new_cursor, complete=True)
            return
        meetings: dict[str, Interaction] = {}
        problems: list[Problem] = []
        begin, end = now - self._since, now + self._ahead
        found = self._view(folder_obj, begin, end)
        if found is None:
            # Too many for one view: month by month (a meeting across a boundary comes twice).
            found = []
            while begin < end:
                stop = min(begin + VIEW_SLICE, end)
                found.extend(self._view(folder_obj, begin, stop, whole=True) or [])
                begin = stop
        for item in found:
            if not isinstance(item, CalendarItem) or item.id in meetings:
                continue
            made = interaction_from_meeting(item, source=self._name)
            if made is None:
                problems.append(Problem(item.id, problem("appointment_no_start")))
            else:
                meetings[item.id] = made
        ordered = sorted(meetings.values(), key=lambda m: (m.at, m.item_id))
        yield Batch(
            folder="calendar",
            interactions=tuple(ordered),
            cursor=new_cursor,
            problems=tuple(problems),
            reset=True,
            complete=True,
        )
