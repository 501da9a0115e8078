"""The one line per write-back action that ``apply --dry-run`` lists and the journal is read back
as, in the wording's language.

Keys, item ids, colour presets and due dates (ISO, as the journal holds them) are data and stay
as they are; the verbs and the Outlook terms around them come from the catalog.

Exports: ``describe_action``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..ports import (
    Action,
    AddCategory,
    CompleteTask,
    CreateContact,
    CreateInboxMessage,
    CreateTask,
    DeleteContact,
    DeleteInboxMessage,
    DeleteTask,
    RemoveCategory,
    ReplaceInboxMessage,
    SetCategories,
    SetFlag,
    UpdateTask,
)

if TYPE_CHECKING:
    from .wording import Wording

__all__ = ["describe_action"]


def describe_action(w: Wording, action: Action) -> str:
    """One line for the dry-run listing."""
    match action:
        case AddCategory(name, colour):
            # TRANSLATORS: {colour} is Outlook's colour preset, e.g. Preset0
            return w.gettext("add category {name} (colour {colour}) to the master list").format(
                name=repr(name), colour=colour
            )
        case RemoveCategory(name):
            return w.gettext("remove category {name} from the master list").format(
                name=repr(name)
            )
        case SetCategories(kind, item_id, before, after):
            # TRANSLATORS: {kind} is "contact" or "message" (translated on its own)
            return w.gettext("set categories on {kind} {item}: {before} -> {after}").format(
                kind=_kind(w, kind), item=item_id[-12:], before=list(before), after=list(after)
            )
        case SetFlag(item_id, before, after):
            # TRANSLATORS: {before} and {after} are Exchange's flag states (notFlagged, flagged …)
            return w.gettext("set the flag on message {item}: {before} -> {after}").format(
                item=item_id[-12:], before=before.status, after=after.status
            )
        case CreateTask(key, subject, due, _):
            return w.gettext("create task {subject}{due} [{key}]").format(
                subject=repr(subject), due=_due(w, due), key=key
            )
        case UpdateTask(key, _, subject, due, _):
            return w.gettext("update task {subject}{due} [{key}]").format(
                subject=repr(subject), due=_due(w, due), key=key
            )
        case CompleteTask(key, _):
            return w.gettext("complete task [{key}]").format(key=key)
        case DeleteTask(key, _):
            return w.gettext("delete task [{key}]").format(key=key)
        case CreateContact(name, addresses, categories):
            return w.gettext("create contact {name} <{addresses}> with {categories}").format(
                name=repr(name), addresses=", ".join(addresses), categories=list(categories)
            )
        case DeleteContact(item_id):
            return w.gettext("delete contact {item}").format(item=item_id[-12:])
        case CreateInboxMessage(key, subject, _):
            return w.gettext("put message {subject} in the Inbox [{key}]").format(
                subject=repr(subject), key=key
            )
        case ReplaceInboxMessage(key, _, subject, _):
            return w.gettext("replace the Inbox message with {subject} [{key}]").format(
                subject=repr(subject), key=key
            )
        case DeleteInboxMessage(key, _):
            return w.gettext("delete the Inbox message [{key}]").format(key=key)
    raise AssertionError(action)  # pragma: no cover - the union is closed


def _kind(w: Wording, kind: str) -> str:
    if kind == "contact":
        # TRANSLATORS: an address-book entry, in "set categories on contact …"
        return w.gettext("contact")
    if kind == "message":
        return w.gettext("message")
    return kind


def _due(w: Wording, due: date | None) -> str:
    # TRANSLATORS: after a task's title; {date} is ISO (2026-11-27), as the journal holds it
    return w.gettext(", due {date}").format(date=f"{due:%Y-%m-%d}") if due else ""
