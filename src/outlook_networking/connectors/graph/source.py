"""The Graph Source: mail, calendar and contacts of one mailbox through delta queries.

Each folder is one delta stream: ``mailFolders/{id}/messages/delta`` for every mail folder
(``$select`` of only the metadata the product needs), ``calendarView/delta`` for a window
around now, and contacts delta.

``mail`` is every mail folder the selection in :mod:`..folders` keeps (Inbox and below, Sent
Items, Archive, the user's folders anywhere; not Junk Email, Drafts, Outbox, Deleted Items,
Conversation History, Sync Issues, search folders, hidden folders, folders of another class).
``/mailFolders`` lists only the top level, so the tree is walked level by level on every sync:
one ``GET /mailFolders`` (with the folder class, ``String 0x3613``, expanded), then the
``childFolders`` of every folder that has any, twenty to a ``$batch``. The ids of the
well-known folders are asked once (one ``$batch``) and kept under the cursor key ``folders``. A
folder found for the first time is read from its start; the cursor of one no longer found is
dropped and its messages stay in the history. A quiet sync of N mail folders costs one request
per level of the tree that has children (usually two or three) and N delta requests. ``inbox``
and ``sent`` read that folder alone.

Every page becomes one :class:`~..base.Batch`; pages in the middle of a round carry no cursor,
and the last page carries the ``@odata.deltaLink``, so a round's link is saved only once the
round is complete (a crash replays the round from the previous link, which is harmless: every
write is keyed). A ``410`` (stale or garbled token, ``resyncRequired``) starts
the folder over with ``reset``, and the store sweeps what the full round no longer sees: a clean
resync without duplicates.

What Graph does that shapes this module (sources in ``docs/exchange.md``):

- Mail delta is asked without ``$filter``: with one, Graph "returns only up to 5,000 messages"
  and ends the round as if it were complete. Messages received before ``since`` are read past,
  not stored.
- An update in a later round names only what changed; the categories it carries are merged
  into the stored interaction (``Batch.categories_changed``), its categories, flag and change
  key into the message's marks (``Batch.marks``); the rest is left as stored.
- Occurrences of a recurring meeting come bare; each series master is fetched once per read,
  twenty to a ``$batch``, and lends its subject, organizer and attendees to its occurrences.
- A page that times out (504, likely with 1,000 messages and their internet headers) is asked
  again at half the page size, which that folder keeps from then on.

The calendar window is part of Graph's token, so the cursor records it too
(``<start>|<end>|<deltaLink>``); once the desired window has moved on by more than a week, the
calendar starts a fresh round with the new window. A mail folder's cursor is
``q2|<deltaLink>``: the query version (the sensitivity was added in q2), since Graph keeps the
query inside the token; a cursor of an older query reads the folder once more from its start.

Exports: ``GraphSource``, ``FOLDERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from ...errors import ServerFault, SyncStateInvalid, problem
from ...model import ContactCard, Interaction
from ...ports import Batch, CategoriesChanged, MessageMarks, Problem
from ..folders import (
    SKIPPED,
    MailFolder,
    dropped,
    is_mail_class,
    select,
    well_known_ids,
)
from .client import BatchRequest, GraphClient
from .mapping import (
    CONTACT_SELECT,
    MESSAGE_EXPAND,
    MESSAGE_SELECT,
    SERIES_SELECT,
    card_from_contact,
    categories_change,
    interaction_from_event,
    interaction_from_message,
    is_partial_message,
    is_product_message,
    message_marks,
    needs_series,
    with_series,
)

__all__ = ["FOLDERS", "GraphSource"]

FOLDERS = ("mail", "calendar", "contacts")
_KNOWN_FOLDERS = ("mail", "inbox", "sent", "calendar", "contacts")
_MAIL_PATHS = {"inbox": "/mailFolders/inbox", "sent": "/mailFolders/sentitems"}
_WELL_KNOWN = ("msgfolderroot", "inbox", "sentitems", *SKIPPED)
_CONTAINER_CLASS = "String 0x3613"  # PidTagContainerClass: IPF.Note, IPF.Note.OutlookHomepage..
_FOLDER_QUERY = {
    "$select": "displayName,parentFolderId,childFolderCount",
    "$expand": f"singleValueExtendedProperties($filter=id eq '{_CONTAINER_CLASS}')",
}
FOLDER_PAGE = 100  # $top of a folder listing (Graph's default is 10)
_WINDOW_SLACK = timedelta(days=7)
# A mail folder's cursor names the query its delta link was made for: Graph keeps the first
# request's parameters inside the token ("Use delta query": the links "already include the
# encoded, desired parameters"), so a link saved before the sensitivity was asked for would
# never report it. Such a folder is read once more from its start.
_MAIL_QUERY = "q2|"
_MAX_RESTARTS = 3
_MIN_PAGE = 10  # Graph's own default page; a 504 below this is not about the page size
_MAX_TRANSLATE = 1000  # translateExchangeIds takes at most 1,000 ids per call


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GraphSource:
    """Reads one mailbox over Microsoft Graph (see the module docstring).

    Parameters:
        client: the account's :class:`GraphClient`.
        name: the source name stored with every item (``"graph:work"``).
        user: ``None`` for the signed-in user (``/me``), else a UPN or id (app-only).
        page_size: ``Prefer: odata.maxpagesize`` for delta pages. A preference: the service
            answers with fewer where it caps pages (200 is documented for contacts), so asking
            for 1,000 costs nothing and saves requests where mail pages are allowed to be larger.
            Halved for a folder whose page timed out (504).
        calendar_past, calendar_future: the calendar window around ``now()``.
        since: store mail received from then on only (older mail is read past, not kept).
    """

    def __init__(
        self,
        client: GraphClient,
        *,
        name: str,
        user: str | None = None,
        page_size: int = 1000,
        folders: Sequence[str] = FOLDERS,
        calendar_past: timedelta = timedelta(days=730),
        calendar_future: timedelta = timedelta(days=90),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        since: datetime | None = None,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        folder_page: int = FOLDER_PAGE,
    ) -> None:
        unknown = set(folders) - set(_KNOWN_FOLDERS)
        if unknown:
            raise ValueError(f"unknown Graph folders: {sorted(unknown)}")
        self._client = client
        self._name = name
        self._prefix = "/me" if user is None else f"/users/{user}"
        self._page_size = page_size
        self._page_sizes: dict[str, int] = {}  # per folder, once a page timed out
        self._folders = tuple(folders)
        self._past = calendar_past
        self._future = calendar_future
        self._now = now
        self._since = since
        self._masters: dict[str, dict[str, Any] | None] = {}
        self._include = tuple(include)  # [folders] include / exclude patterns
        self._exclude = tuple(exclude)
        self._folder_page = folder_page

    @property
    def name(self) -> str:
        return self._name

    def read(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        self._masters = {}  # a series may change between reads: fetch its master again
        for folder in self._folders:
            if folder == "mail":
                yield from self._read_mail(cursors)
                continue
            path = _MAIL_PATHS.get(folder)
            stream = _Stream(folder, "mail" if path else folder, path or "", folder)
            yield from self._read_folder(stream, cursors.get(folder) or None)

    # ------------------------------------------------------------------ the folder tree

    def _read_mail(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        """Every mail folder (see the module docstring), each from its own deltaLink; the
        cursor of a folder no longer found is dropped, its messages are kept."""
        known, keep = well_known_ids(cursors, self._well_known)
        if keep is not None:
            yield keep
        # Below Junk Email, Deleted Items, Sync Issues ... nothing is read unless [folders]
        # includes something: then their subfolders are not even listed.
        prune = set() if self._include else {known[n] for n in SKIPPED if n in known}
        chosen = select(
            self._folder_tree(prune),
            top=known["msgfolderroot"],
            well_known=known,
            include=self._include,
            exclude=self._exclude,
        )
        yield from dropped(cursors, chosen)
        for choice in chosen:
            stream = _Stream(choice.key, "mail", f"/mailFolders/{choice.folder.id}", choice.hint)
            try:
                yield from self._read_folder(stream, cursors.get(choice.key) or None)
            except ServerFault as exc:
                if exc.code != "ErrorItemNotFound" or choice.key in _MAIL_PATHS:
                    raise
                yield Batch(folder=choice.key, cursor="")  # deleted since the tree was listed

    def _well_known(self) -> dict[str, str]:
        """Well-known name -> folder id for the folders the selection needs, in one ``$batch``
        (a well-known name can stand for a folder's id in a URL); a folder this mailbox does
        not have (404) is left out."""
        answers = self._client.batch(
            [
                BatchRequest(name, "GET", f"{self._prefix}/mailFolders/{name}?$select=id")
                for name in _WELL_KNOWN
            ]
        )
        known: dict[str, str] = {}
        for name in _WELL_KNOWN:
            answer = answers[name]
            if answer.status == 404:
                continue
            if answer.status >= 400:
                raise self._client.error_for(answer)
            if isinstance(answer.body, dict) and isinstance(answer.body.get("id"), str):
                known[name] = answer.body["id"]
        if "msgfolderroot" not in known:
            raise ServerFault(self._client.account, problem("no_message_root"))
        return known

    def _folder_tree(self, prune: set[str]) -> list[MailFolder]:
        """Every visible folder below the message folder root, except below those in
        ``prune``: ``/mailFolders`` gives the top level only, so each level's
        ``childFolders`` are asked for together, in ``$batch``."""
        params = {**_FOLDER_QUERY, "$top": str(self._folder_page)}
        level = self._folder_pages(self._client.get(f"{self._prefix}/mailFolders", params=params))
        found: list[MailFolder] = []
        while level:
            found.extend(_mail_folder(f) for f in level)
            parents = [
                str(f["id"]) for f in level if f.get("childFolderCount") and f["id"] not in prune
            ]
            query = urlencode(params, quote_via=quote, safe="$,()'=")
            answers = self._client.batch(
                [
                    BatchRequest(
                        str(n), "GET", f"{self._prefix}/mailFolders/{parent}/childFolders?{query}"
                    )
                    for n, parent in enumerate(parents)
                ]
            )
            level = []
            for n in range(len(parents)):
                answer = answers[str(n)]
                if answer.status == 404:
                    continue  # deleted while we walked
                if answer.status >= 400:
                    raise self._client.error_for(answer)
                level.extend(self._folder_pages(answer))
        return found

    def _folder_pages(self, first: Any) -> list[dict[str, Any]]:
        """The folders of a listing answer and of the pages its ``@odata.nextLink`` leads to."""
        out: list[dict[str, Any]] = []
        body = first.body
        while isinstance(body, dict):
            out.extend(v for v in body.get("value") or [] if isinstance(v, dict) and v.get("id"))
            link = body.get("@odata.nextLink")
            if not isinstance(link, str) or not self._client.owns(link):
                break
            body = self._client.get(link).body
        return out

    def immutable_ids(self, ids: Sequence[str]) -> dict[str, str]:
        """Regular REST ids (what the product stored before it asked for immutable ids) mapped
        to their immutable ids, by ``translateExchangeIds``; ids that name no item any more
        are left out."""
        out: dict[str, str] = {}
        for start in range(0, len(ids), _MAX_TRANSLATE):
            body = {
                "inputIds": list(ids[start : start + _MAX_TRANSLATE]),
                "sourceIdType": "restId",
                "targetIdType": "restImmutableEntryId",
            }
            resp = self._client.request(
                "POST", f"{self._prefix}/translateExchangeIds", json=body, idempotent=True
            )
            values = resp.body.get("value", []) if isinstance(resp.body, dict) else []
            for result in values:
                if isinstance(result, dict) and result.get("targetId") and result.get("sourceId"):
                    out[str(result["sourceId"])] = str(result["targetId"])
        return out

    # ------------------------------------------------------------------ rounds

    def _window(self) -> tuple[str, str]:
        # Whole days keep the window (and so the token) stable within a day.
        today = self._now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return _iso(today - self._past), _iso(today + self._future)

    def _initial(self, stream: _Stream) -> tuple[str, dict[str, str]]:
        if stream.kind == "mail":
            return f"{self._prefix}{stream.path}/messages/delta", {
                "$select": MESSAGE_SELECT,
                "$expand": MESSAGE_EXPAND,
            }
        if stream.kind == "calendar":
            start, end = self._window()
            return f"{self._prefix}/calendarView/delta", {
                "startDateTime": start,
                "endDateTime": end,
            }
        return f"{self._prefix}/contacts/delta", {"$select": CONTACT_SELECT}

    def _resume(self, stream: _Stream, cursor: str | None) -> str | None:
        """The saved deltaLink to continue from, or None to start the folder over."""
        if not cursor:
            return None
        link = cursor
        if stream.kind == "mail":
            if not cursor.startswith(_MAIL_QUERY):
                return None
            link = cursor[len(_MAIL_QUERY) :]
        elif stream.key == "calendar":
            parts = cursor.split("|", 2)
            if len(parts) != 3:
                return None
            saved_start, _, link = parts
            wanted_start, _ = self._window()
            try:
                drift = abs(
                    datetime.fromisoformat(wanted_start) - datetime.fromisoformat(saved_start)
                )
            except ValueError:
                return None
            if drift > _WINDOW_SLACK:
                return None
        # A link to another endpoint (graph_url changed) must never receive our token.
        return link if self._client.owns(link) else None

    def _headers(self, folder: str) -> dict[str, str]:
        prefer = f"odata.maxpagesize={self._page_sizes.get(folder, self._page_size)}"
        if folder == "calendar":
            prefer += ', outlook.timezone="UTC"'
        return {"Prefer": prefer}

    def _page(self, folder: str, url: str, params: Mapping[str, str] | None) -> Any:
        """One delta page; a gateway timeout is asked again for half as many items."""
        while True:
            resp = self._client.get(url, params=params, headers=self._headers(folder), ok=(504,))
            if resp.status != 504:
                return resp.body
            size = self._page_sizes.get(folder, self._page_size)
            if size <= _MIN_PAGE:
                raise self._client.error_for(resp)
            self._page_sizes[folder] = max(_MIN_PAGE, size // 2)

    def _read_folder(self, stream: _Stream, cursor: str | None) -> Iterator[Batch]:
        folder = stream.key
        link = self._resume(stream, cursor)
        reset = link is None
        url, params = (link, None) if link else self._initial(stream)
        window = self._window() if folder == "calendar" else None
        restarts = 0
        while True:
            try:
                body = self._page(folder, url, params)
            except SyncStateInvalid:
                # Stale, garbled or reset token: start over; the store sweeps what the full
                # round does not see again, so nothing is duplicated or kept by mistake.
                restarts += 1
                if restarts > _MAX_RESTARTS:
                    raise
                url, params = self._initial(stream)
                window = self._window() if folder == "calendar" else None
                reset = True
                continue
            if not isinstance(body, dict):
                raise ServerFault(self._client.account, problem("delta_not_object"))
            batch = self._batch(stream, body.get("value") or [], reset)
            next_link = body.get("@odata.nextLink")
            delta_link = body.get("@odata.deltaLink")
            if isinstance(next_link, str):
                yield batch
                reset = False
                url, params = next_link, None
                continue
            if not isinstance(delta_link, str):
                raise ServerFault(self._client.account, problem("delta_no_link"))
            if window is not None:
                saved = f"{window[0]}|{window[1]}|{delta_link}"
            else:
                saved = f"{_MAIL_QUERY}{delta_link}" if stream.kind == "mail" else delta_link
            yield replace(batch, cursor=saved, complete=True)
            return

    def _batch(self, stream: _Stream, values: list[Any], reset: bool) -> Batch:
        folder, mail = stream.key, stream.kind == "mail"
        entries = [v for v in values if isinstance(v, dict) and v.get("id")]
        if folder == "calendar":
            self._fetch_masters(entries)
        interactions: list[Interaction] = []
        cards: list[ContactCard] = []
        deleted: list[str] = []
        changed: list[CategoriesChanged] = []
        marks: list[MessageMarks] = []
        problems: list[Problem] = []
        for value in entries:
            if "@removed" in value:
                deleted.append(str(value["id"]))
                continue
            if folder == "contacts":
                cards.append(card_from_contact(value, source=self._name))
                continue
            if folder == "calendar":
                master = self._masters.get(needs_series(value) or "")
                result = interaction_from_event(
                    value if master is None else with_series(value, master), source=self._name
                )
                if result is None:
                    continue
            elif is_partial_message(value):
                change = categories_change(value)
                if change is not None:
                    changed.append(change)
                partial = message_marks(value)
                if partial is not None:
                    marks.append(partial)
                continue  # nothing else of a partial update is kept (isRead, folder)
            elif is_product_message(value):
                continue  # the product's own brief in the Inbox: not correspondence
            else:
                result = interaction_from_message(value, source=self._name, folder=stream.hint)
            if isinstance(result, Problem):
                problems.append(result)
            elif not (mail and self._since and result.at < self._since):
                interactions.append(result)
                whole = message_marks(value) if mail else None
                if whole is not None:
                    marks.append(whole)
        return Batch(
            folder=folder,
            interactions=tuple(interactions),
            cards=tuple(cards),
            deleted=tuple(deleted),
            categories_changed=tuple(changed),
            marks=tuple(marks),
            problems=tuple(problems),
            reset=reset,
        )

    def _fetch_masters(self, entries: list[dict[str, Any]]) -> None:
        """Fetch, in ``$batch`` envelopes, the series masters of bare occurrences not yet seen."""
        wanted = sorted(
            {m for m in (needs_series(e) for e in entries) if m and m not in self._masters}
        )
        if not wanted:
            return
        requests = [
            BatchRequest(str(n), "GET", f"{self._prefix}/events/{master}?$select={SERIES_SELECT}")
            for n, master in enumerate(wanted)
        ]
        answers = self._client.batch(requests)
        for n, master in enumerate(wanted):
            answer = answers[str(n)]
            if answer.status == 404:
                self._masters[master] = None  # the series is gone: its occurrences stay bare
            elif answer.status >= 400:
                raise self._client.error_for(answer)
            else:
                self._masters[master] = answer.body if isinstance(answer.body, dict) else None


@dataclass(frozen=True, slots=True)
class _Stream:
    """One delta stream: its cursor key, kind (mail, calendar, contacts), the folder's path for
    mail (``/mailFolders/{id}``) and the folder hint its messages carry."""

    key: str
    kind: str
    path: str
    hint: str


def _mail_folder(value: dict[str, Any]) -> MailFolder:
    """A listed folder; a search folder, or one whose class is not a mail class, is no mail
    folder."""
    classes = [
        p.get("value")
        for p in value.get("singleValueExtendedProperties") or []
        if isinstance(p, dict) and str(p.get("id", "")).lower() == _CONTAINER_CLASS.lower()
    ]
    search = value.get("@odata.type") == "#microsoft.graph.mailSearchFolder"
    folder_class = classes[0] if classes and isinstance(classes[0], str) else None
    return MailFolder(
        str(value["id"]),
        value.get("parentFolderId") if isinstance(value.get("parentFolderId"), str) else None,
        str(value.get("displayName") or ""),
        not search and is_mail_class(folder_class),
    )
