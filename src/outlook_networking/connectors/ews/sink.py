"""The EWS Sink: master category list, categories on contacts (and messages), follow-up tasks and
the contacts the product creates, written through exchangelib.

What it owns and how it finds it again:

- master list entries: edited as text in the calendar's ``CategoryList`` configuration, so every
  entry and attribute the user has stays byte for byte (see ``categorylist``);
- categories on items: only the names an action adds or removes; the item's other categories
  stay in place, even when the user changed them since the plan was made (the action's
  ``before``/``after`` give the product's delta, applied to the item as it is now);
- tasks: in the Tasks folder, with the follow-up key and a record of what we wrote in the
  product's extended properties; found by a restriction on the key, so a retried CreateTask
  never duplicates; never deleted except by ``DeleteTask`` (undo);
- contacts the product created: marked, and ``DeleteContact`` refuses any unmarked contact.

A stale change key (``ErrorIrresolvableConflict``) is met by re-reading the item and trying
once more; a second conflict is ``Conflict``.

Exports: ``EwsSink``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from exchangelib import Account
from exchangelib.errors import ErrorInvalidIdMalformed, ErrorItemNotFound
from exchangelib.indexed_properties import EmailAddress
from exchangelib.items import Contact, Message, Task

from ...errors import Conflict
from ...ports import (
    Action,
    AddCategory,
    Applied,
    CompleteTask,
    ContactState,
    CreateContact,
    CreateTask,
    DeleteContact,
    DeleteTask,
    MailboxState,
    RemoveCategory,
    SetCategories,
    UpdateTask,
)
from . import categorylist
from .convert import task_record, task_state
from .edge import Edge
from .properties import KEY_FIELD, OWNED_FIELD, RECORD_FIELD, ensure_registered

__all__ = ["EwsSink"]

T = TypeVar("T")
CATEGORY_LIST = "CategoryList"
OWNED_VALUE = "outlook-networking"
_TASK_FIELDS = ("subject", "due_date", "status", "is_complete", KEY_FIELD, RECORD_FIELD)
_CONTACT_FIELDS = (
    "display_name",
    "given_name",
    "surname",
    "email_addresses",
    "categories",
    OWNED_FIELD,
)


def _merged(current: tuple[str, ...], before: tuple[str, ...], after: tuple[str, ...]) -> list[str]:
    """``current`` with the action's delta applied: drop what it removed, append what it added."""
    removed = set(before) - set(after)
    kept = [c for c in current if c not in removed]
    kept.extend(c for c in after if c not in before and c not in kept)
    return kept


class EwsSink:
    """Writes back into one mailbox through exchangelib; see the module docstring."""

    def __init__(self, account: Account, name: str, *, edge: Edge | None = None) -> None:
        ensure_registered()
        self._account = account
        self._name = name
        self._edge = edge or Edge(
            name, credentials=account.protocol.credentials, protocol=account.protocol
        )

    @property
    def name(self) -> str:
        return self._name

    # reading ------------------------------------------------------------------------------------
    def _category_xml_raw(self) -> bytes | None:
        try:
            config = self._account.calendar.get_user_configuration(
                name=CATEGORY_LIST, properties="XmlData"
            )
        except ErrorItemNotFound:
            return None
        return config.xml_data if config is not None else None

    def _category_xml(self) -> bytes | None:
        return self._edge.call(self._category_xml_raw)

    def _tasks(self) -> list[Any]:
        return self._edge.call(
            lambda: [
                t
                for t in self._account.tasks.filter(**{f"{KEY_FIELD}__exists": True}).only(
                    *_TASK_FIELDS
                )
                if isinstance(t, Task)
            ]
        )

    def _task_by_key(self, key: str) -> Any | None:
        found = [
            t
            for t in self._account.tasks.filter(**{KEY_FIELD: key}).only(*_TASK_FIELDS)
            if isinstance(t, Task)
        ]
        return found[0] if found else None

    def read_state(self) -> MailboxState:
        contacts = self._edge.call(
            lambda: [
                c
                for c in self._account.contacts.all().only(*_CONTACT_FIELDS)
                if isinstance(c, Contact)
            ]
        )
        return MailboxState(
            master_categories=categorylist.entries(self._category_xml()),
            contacts=tuple(
                ContactState(
                    item_id=c.id,
                    full_name=c.display_name or "",
                    addresses=tuple(e.email for e in c.email_addresses or () if e.email),
                    categories=tuple(c.categories or ()),
                    product_owned=getattr(c, OWNED_FIELD, None) == OWNED_VALUE,
                )
                for c in contacts
            ),
            tasks=tuple(task_state(t) for t in self._tasks()),
        )

    # writing ------------------------------------------------------------------------------------
    def _get(self, item_id: str, fields: tuple[str, ...]) -> Any | None:
        def get() -> Any | None:
            (item,) = list(self._account.fetch(ids=[(item_id, None)], only_fields=list(fields)))
            if isinstance(item, ErrorItemNotFound | ErrorInvalidIdMalformed):
                return None
            if isinstance(item, Exception):
                raise item  # inside the edge, so it is mapped like any other
            return item

        return self._edge.call(get)

    def _update(
        self, item_id: str, fields: tuple[str, ...], change: Callable[[Any], list[str]]
    ) -> bool:
        """Read the item, let ``change`` edit it (returning the fields to save), save; on a stale
        change key read again and retry once. False if the item is gone."""
        for attempt in range(2):
            item = self._get(item_id, fields)
            if item is None:
                return False
            names = change(item)
            if not names:
                return True
            try:
                self._edge.call(lambda: item.save(update_fields=names))  # noqa: B023
                return True
            except Conflict:
                if attempt:
                    raise Conflict(
                        self._name, "the item changed twice while we wrote it", item_id=item_id
                    ) from None
        return False  # pragma: no cover - the loop returns or raises

    def _master_list(self, edit: Callable[[bytes | None], bytes | None]) -> None:
        def read_edit_write() -> None:
            # One unit for the edge: a retry after a dropped connection reads the list again.
            current = self._category_xml_raw()
            new = edit(current)
            if new == current:
                return
            calendar = self._account.calendar
            if current is None:
                calendar.create_user_configuration(name=CATEGORY_LIST, xml_data=new)
            elif new is None or new == categorylist.EMPTY_LIST:
                # Only a list the product created is ever exactly empty: give back "no list".
                calendar.delete_user_configuration(name=CATEGORY_LIST)
            else:
                calendar.update_user_configuration(name=CATEGORY_LIST, xml_data=new)

        self._edge.call(read_edit_write)

    def _create_task(self, key: str, subject: str, due: datetime | None, body: str) -> str:
        # Look before creating, inside the retried unit: a CreateItem whose answer was lost to a
        # dropped connection may have created the task, and the retry must find it.
        existing = self._task_by_key(key)
        if existing is not None:
            return str(existing.id)
        task = Task(
            folder=self._account.tasks,
            subject=subject,
            body=body,
            due_date=due.date() if due else None,
            **{KEY_FIELD: key, RECORD_FIELD: task_record(subject, due, body)},
        )
        task.save()
        return str(task.id)

    def _create_contact(
        self, full_name: str, addresses: tuple[str, ...], categories: tuple[str, ...]
    ) -> str:
        # As for tasks: a retry first looks for the contact an unanswered CreateItem made.
        mine = [
            c
            for c in self._account.contacts.filter(**{OWNED_FIELD: OWNED_VALUE}).only(
                "display_name", "email_addresses"
            )
            if isinstance(c, Contact)
            and c.display_name == full_name
            and {e.email for e in c.email_addresses or ()} >= set(addresses[:3])
        ]
        if mine:
            return str(mine[0].id)
        given, _, surname = full_name.partition(" ")
        contact = Contact(
            folder=self._account.contacts,
            display_name=full_name,
            given_name=given or None,
            surname=surname or None,
            email_addresses=[
                EmailAddress(email=a, label=f"EmailAddress{n}")
                for n, a in enumerate(addresses[:3], start=1)
            ]
            or None,
            categories=list(categories) or None,
            **{OWNED_FIELD: OWNED_VALUE},
        )
        contact.save()
        return str(contact.id)

    def apply(self, action: Action) -> Applied:
        match action:
            case AddCategory(name, colour):
                guid = categorylist.new_guid()
                self._master_list(lambda xml: categorylist.add_entry(xml, name, colour, guid))
                return Applied(action)
            case RemoveCategory(name):
                self._master_list(lambda xml: categorylist.remove_entry(xml, name))
                return Applied(action)
            case SetCategories(kind, item_id, before, after):
                cls = Contact if kind == "contact" else Message

                def set_categories(item: Any) -> list[str]:
                    if not isinstance(item, cls):
                        return []
                    current = tuple(item.categories or ())
                    new = _merged(current, before, after)
                    if tuple(new) == current:
                        return []
                    item.categories = new or None
                    return ["categories"]

                self._update(item_id, ("categories",), set_categories)
                return Applied(action, item_id)
            case CreateTask(key, subject, due, body):
                # Idempotent: a retry or a crashed run that made the task already finds it.
                return Applied(
                    action, self._edge.call(lambda: self._create_task(key, subject, due, body))
                )
            case UpdateTask(_, item_id, subject, due, body):

                def update(item: Any) -> list[str]:
                    item.subject = subject
                    item.body = body
                    item.due_date = due.date() if due else None
                    setattr(item, RECORD_FIELD, task_record(subject, due, body))
                    return ["subject", "body", "due_date", RECORD_FIELD]

                self._update(item_id, ("subject", "due_date", RECORD_FIELD), update)
                return Applied(action, item_id)
            case CompleteTask(_, item_id):

                def complete(item: Any) -> list[str]:
                    if item.status == Task.COMPLETED:
                        return []
                    item.status = Task.COMPLETED
                    item.percent_complete = Decimal(100)
                    return ["status", "percent_complete"]

                self._update(item_id, ("status", "percent_complete"), complete)
                return Applied(action, item_id)
            case DeleteTask(_, item_id):
                task = self._get(item_id, (KEY_FIELD,))
                if task is not None and getattr(task, KEY_FIELD, None):
                    self._edge.call(task.delete)
                return Applied(action, item_id)
            case CreateContact(full_name, addresses, categories):
                return Applied(
                    action,
                    self._edge.call(lambda: self._create_contact(full_name, addresses, categories)),
                )
            case DeleteContact(item_id):
                contact = self._get(item_id, (OWNED_FIELD,))
                # Only ever a contact the product made: the user's own are not ours to delete.
                if contact is not None and getattr(contact, OWNED_FIELD, None) == OWNED_VALUE:
                    self._edge.call(contact.delete)
                return Applied(action, item_id)
        raise AssertionError(action)  # pragma: no cover - the union is closed
