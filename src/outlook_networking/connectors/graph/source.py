"""The Graph Source: mail, calendar and contacts of one mailbox through delta queries.

Each folder is one delta stream: ``mailFolders/inbox`` and ``mailFolders/sentitems`` message
delta (``$select`` of only the metadata the product needs), ``calendarView/delta`` for a window
around now, and contacts delta. Every page becomes one :class:`~..base.Batch`; pages in the middle
of a round carry no cursor, and the last page carries the ``@odata.deltaLink``, so a round's link
is saved only once the round is complete (a crash replays the round from the previous link, which
is harmless: every write is keyed). A ``410`` (stale or garbled token, ``resyncRequired``) starts
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
calendar starts a fresh round with the new window.

Exports: ``GraphSource``, ``FOLDERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ...errors import ServerFault, SyncStateInvalid
from ...model import ContactCard, Interaction
from ...ports import Batch, CategoriesChanged, MessageMarks, Problem
from .client import BatchRequest, GraphClient
from .mapping import (
    CONTACT_SELECT,
    MESSAGE_SELECT,
    SERIES_SELECT,
    card_from_contact,
    categories_change,
    interaction_from_event,
    interaction_from_message,
    is_partial_message,
    message_marks,
    needs_series,
    with_series,
)

__all__ = ["FOLDERS", "GraphSource"]

FOLDERS = ("inbox", "sent", "calendar", "contacts")
_MAIL_PATHS = {"inbox": "/mailFolders/inbox", "sent": "/mailFolders/sentitems"}
_WINDOW_SLACK = timedelta(days=7)
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
    ) -> None:
        unknown = set(folders) - set(FOLDERS)
        if unknown:
            raise ValueError(f"unknown Graph folders: {sorted(unknown)}")
        self._client = client
        self._name = name
        self._prefix = "/me" if user is None else f"/users/{user}"
        self._page_sizes = dict.fromkeys(folders, page_size)
        self._folders = tuple(folders)
        self._past = calendar_past
        self._future = calendar_future
        self._now = now
        self._since = since
        self._masters: dict[str, dict[str, Any] | None] = {}

    @property
    def name(self) -> str:
        return self._name

    def read(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        self._masters = {}  # a series may change between reads: fetch its master again
        for folder in self._folders:
            yield from self._read_folder(folder, cursors.get(folder) or None)

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

    def _initial(self, folder: str) -> tuple[str, dict[str, str]]:
        if folder in _MAIL_PATHS:
            return f"{self._prefix}{_MAIL_PATHS[folder]}/messages/delta", {
                "$select": MESSAGE_SELECT
            }
        if folder == "calendar":
            start, end = self._window()
            return f"{self._prefix}/calendarView/delta", {
                "startDateTime": start,
                "endDateTime": end,
            }
        return f"{self._prefix}/contacts/delta", {"$select": CONTACT_SELECT}

    def _resume(self, folder: str, cursor: str | None) -> str | None:
        """The saved deltaLink to continue from, or None to start the folder over."""
        if not cursor:
            return None
        link = cursor
        if folder == "calendar":
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
        prefer = f"odata.maxpagesize={self._page_sizes[folder]}"
        if folder == "calendar":
            prefer += ', outlook.timezone="UTC"'
        return {"Prefer": prefer}

    def _page(self, folder: str, url: str, params: Mapping[str, str] | None) -> Any:
        """One delta page; a gateway timeout is asked again for half as many items."""
        while True:
            resp = self._client.get(url, params=params, headers=self._headers(folder), ok=(504,))
            if resp.status != 504:
                return resp.body
            size = self._page_sizes[folder]
            if size <= _MIN_PAGE:
                raise self._client.error_for(resp)
            self._page_sizes[folder] = max(_MIN_PAGE, size // 2)

    def _read_folder(self, folder: str, cursor: str | None) -> Iterator[Batch]:
        link = self._resume(folder, cursor)
        reset = link is None
        url, params = (link, None) if link else self._initial(folder)
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
                url, params = self._initial(folder)
                window = self._window() if folder == "calendar" else None
                reset = True
                continue
            if not isinstance(body, dict):
                raise ServerFault(self._client.account, "delta page is not a JSON object")
            batch = self._batch(folder, body.get("value") or [], reset)
            next_link = body.get("@odata.nextLink")
            delta_link = body.get("@odata.deltaLink")
            if isinstance(next_link, str):
                yield batch
                reset = False
                url, params = next_link, None
                continue
            if not isinstance(delta_link, str):
                raise ServerFault(
                    self._client.account, "delta page has neither nextLink nor deltaLink"
                )
            saved = delta_link if window is None else f"{window[0]}|{window[1]}|{delta_link}"
            yield replace(batch, cursor=saved, complete=True)
            return

    def _batch(self, folder: str, values: list[Any], reset: bool) -> Batch:
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
            else:
                result = interaction_from_message(value, source=self._name, folder=folder)
            if isinstance(result, Problem):
                problems.append(result)
            elif not (folder in _MAIL_PATHS and self._since and result.at < self._since):
                interactions.append(result)
                whole = message_marks(value) if folder in _MAIL_PATHS else None
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
