"""The Graph Source: mail, calendar and contacts of one mailbox through delta queries.

Each folder is one delta stream: ``mailFolders/inbox`` and ``mailFolders/sentitems`` message
delta (``$select`` of only the metadata the product needs), ``calendarView/delta`` for a window
around now, and contacts delta. Every page becomes one :class:`~..base.Batch`; pages in the middle
of a round carry no cursor, and the last page carries the ``@odata.deltaLink``, so a round's link
is saved only once the round is complete (a crash replays the round from the previous link, which
is harmless: every write is keyed). A ``410`` (stale or garbled token, ``resyncRequired``) starts
the folder over with ``reset``, and the store sweeps what the full round no longer sees: a clean
resync without duplicates.

The calendar window is part of Graph's token, so the cursor records it too
(``<start>|<end>|<deltaLink>``); once the desired window has moved on by more than a week, the
calendar starts a fresh round with the new window.

Exports: ``GraphSource``, ``FOLDERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ...errors import ServerFault, SyncStateInvalid
from ...model import ContactCard, Interaction
from ...ports import Batch, Problem
from .client import GraphClient
from .mapping import (
    CONTACT_SELECT,
    MESSAGE_SELECT,
    card_from_contact,
    interaction_from_event,
    interaction_from_message,
)

__all__ = ["FOLDERS", "GraphSource"]

FOLDERS = ("inbox", "sent", "calendar", "contacts")
_MAIL_PATHS = {"inbox": "/mailFolders/inbox", "sent": "/mailFolders/sentitems"}
_WINDOW_SLACK = timedelta(days=7)
_MAX_RESTARTS = 3


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
        calendar_past, calendar_future: the calendar window around ``now()``.
        since: read mail received from then on only (the first round's ``$filter``; later
            rounds report every change Graph tracks from there).
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
        self._page_size = page_size
        self._folders = tuple(folders)
        self._past = calendar_past
        self._future = calendar_future
        self._now = now
        self._since = since

    @property
    def name(self) -> str:
        return self._name

    def read(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        for folder in self._folders:
            yield from self._read_folder(folder, cursors.get(folder) or None)

    # ------------------------------------------------------------------ rounds

    def _window(self) -> tuple[str, str]:
        # Whole days keep the window (and so the token) stable within a day.
        today = self._now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return _iso(today - self._past), _iso(today + self._future)

    def _initial(self, folder: str) -> tuple[str, dict[str, str]]:
        if folder in _MAIL_PATHS:
            params = {"$select": MESSAGE_SELECT}
            if self._since is not None:
                params["$filter"] = f"receivedDateTime ge {_iso(self._since)}"
            return f"{self._prefix}{_MAIL_PATHS[folder]}/messages/delta", params
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
        prefer = f"odata.maxpagesize={self._page_size}"
        if folder == "calendar":
            prefer += ', outlook.timezone="UTC"'
        return {"Prefer": prefer}

    def _read_folder(self, folder: str, cursor: str | None) -> Iterator[Batch]:
        link = self._resume(folder, cursor)
        reset = link is None
        url, params = (link, None) if link else self._initial(folder)
        window = self._window() if folder == "calendar" else None
        headers = self._headers(folder)
        restarts = 0
        while True:
            try:
                body = self._client.get(url, params=params, headers=headers).body
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
            batch = self._batch(folder, body.get("value") or [])
            next_link = body.get("@odata.nextLink")
            delta_link = body.get("@odata.deltaLink")
            if isinstance(next_link, str):
                yield Batch(
                    folder=folder,
                    interactions=batch[0],
                    cards=batch[1],
                    deleted=batch[2],
                    problems=batch[3],
                    reset=reset,
                )
                reset = False
                url, params = next_link, None
                continue
            if not isinstance(delta_link, str):
                raise ServerFault(
                    self._client.account, "delta page has neither nextLink nor deltaLink"
                )
            saved = delta_link if window is None else f"{window[0]}|{window[1]}|{delta_link}"
            yield Batch(
                folder=folder,
                interactions=batch[0],
                cards=batch[1],
                deleted=batch[2],
                problems=batch[3],
                cursor=saved,
                reset=reset,
                complete=True,
            )
            return

    def _batch(
        self, folder: str, values: list[Any]
    ) -> tuple[
        tuple[Interaction, ...], tuple[ContactCard, ...], tuple[str, ...], tuple[Problem, ...]
    ]:
        interactions: list[Interaction] = []
        cards: list[ContactCard] = []
        deleted: list[str] = []
        problems: list[Problem] = []
        for value in values:
            if not isinstance(value, dict) or not value.get("id"):
                continue
            if "@removed" in value:
                deleted.append(str(value["id"]))
                continue
            if folder == "contacts":
                cards.append(card_from_contact(value, source=self._name))
                continue
            if folder == "calendar":
                result = interaction_from_event(value, source=self._name)
                if result is None:
                    continue
            else:
                result = interaction_from_message(value, source=self._name, folder=folder)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                interactions.append(result)
        return tuple(interactions), tuple(cards), tuple(deleted), tuple(problems)
