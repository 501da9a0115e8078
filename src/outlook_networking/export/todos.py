"""iCalendar export of the follow-ups: one VTODO per open follow-up, written with icalendar.

- **UID**: ``uuid5`` over the follow-up's stable key, ``@outlook-networking``: the same
  situation gives the same UID in every export, so a re-import updates the task.
- **SUMMARY** is the follow-up's task title, **DESCRIPTION** its reason (and the contact's
  address), **DUE** its due date (UTC), **CATEGORIES** the contact's tier category
  (``Network B`` / ``Netzwerk B``; none for the annual review), STATUS ``NEEDS-ACTION``, and the
  calendar's name, all in the language of ``words``.
- **Resolved follow-ups**: when the previous export is given, a task of ours in it whose key is
  no longer open is written again as ``COMPLETED`` (with COMPLETED = now, PERCENT-COMPLETE 100),
  so a calendar that re-imports the file closes it; it stays in the file for
  ``COMPLETED_KEPT_DAYS`` after it was completed and is then dropped.

Exports: ``COMPLETED_KEPT_DAYS``, ``todo_uid``, ``todo_calendar``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import icalendar

from ..core.followups import FollowUp
from ..i18n import Wording
from .vcards import UID_NAMESPACE

__all__ = ["COMPLETED_KEPT_DAYS", "todo_calendar", "todo_uid"]

COMPLETED_KEPT_DAYS = 30
PRODID = "-//outlook-networking//follow-ups//EN"
KEY_PROPERTY = "X-OUTLOOK-NETWORKING-KEY"
KIND_PROPERTY = "X-OUTLOOK-NETWORKING-KIND"


def todo_uid(key: str) -> str:
    """The stable UID of the task for a follow-up key."""
    return f"{uuid.uuid5(UID_NAMESPACE, 'followup:' + key)}@outlook-networking"


def _todo(
    followup: FollowUp, now: datetime, categories: list[str], words: Wording
) -> icalendar.Todo:
    todo = icalendar.Todo()
    todo.add("uid", todo_uid(followup.key))
    todo.add("dtstamp", now.astimezone(UTC))
    todo.add("summary", words.phrase(followup.subject))
    description = words.phrase(followup.task_text)  # days, not ages: it stays true
    if followup.contact:
        description += "\n\n" + words.gettext("Contact: {address}").format(
            address=followup.contact
        )
    todo.add("description", description)
    todo.add("due", followup.due.astimezone(UTC))
    todo.add("status", "NEEDS-ACTION")
    if categories:
        todo.add("categories", categories)
    todo.add(KEY_PROPERTY, followup.key)
    todo.add(KIND_PROPERTY, followup.kind)
    return todo


def _previous_todos(previous: bytes | str | None) -> list[icalendar.Component]:
    """Our tasks in an earlier export; anything unreadable or foreign is ignored."""
    if not previous:
        return []
    try:
        calendar = icalendar.Calendar.from_ical(previous)
    except ValueError:
        return []
    return [c for c in calendar.walk("VTODO") if c.get(KEY_PROPERTY)]


def _completed_at(todo: icalendar.Component) -> datetime | None:
    value = todo.get("completed")
    if value is None:
        return None
    moment = value.dt
    return moment if isinstance(moment, datetime) else None


def todo_calendar(
    followups: Iterable[FollowUp],
    *,
    now: datetime,
    tier_of: Mapping[str, str] | None = None,
    category_names: Mapping[str, str] | None = None,
    previous: bytes | str | None = None,
    words: Wording | None = None,
) -> bytes:
    """The VCALENDAR with one VTODO per follow-up (see the module docstring).

    Parameters:
        tier_of: person key → tier, for CATEGORIES.
        category_names: tier → category name (``Workspace.category_names``).
        previous: the file this export replaces, to close the tasks that resolved since.
        words: the language of the tasks' titles and descriptions (default English).
    """
    words = words or Wording()
    tiers = tier_of or {}
    names = category_names or {}
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    # TRANSLATORS: the name a calendar app shows for the exported follow-up tasks
    calendar.add("x-wr-calname", words.gettext("Networking follow-ups"))
    open_keys: set[str] = set()
    for followup in followups:
        if followup.key in open_keys:
            continue
        open_keys.add(followup.key)
        tier = tiers.get(followup.contact, "")
        categories = [names.get(tier) or words.category(tier)] if tier else []
        calendar.add_component(_todo(followup, now, categories, words))
    keep_after = now - timedelta(days=COMPLETED_KEPT_DAYS)
    for old in _previous_todos(previous):
        if str(old.get(KEY_PROPERTY)) in open_keys:
            continue
        completed = _completed_at(old)
        if completed is not None and completed < keep_after:
            continue
        if completed is None:
            # Resolved since the last export: close it now, keeping everything else as it was.
            old["status"] = icalendar.vText("COMPLETED")
            old.pop("percent-complete", None)
            old.add("percent-complete", 100)
            old.add("completed", now.astimezone(UTC))
            old.pop("dtstamp", None)
            old.add("dtstamp", now.astimezone(UTC))
        open_keys.add(str(old.get(KEY_PROPERTY)))
        calendar.add_component(old)
    data: bytes = calendar.to_ical()
    return data
