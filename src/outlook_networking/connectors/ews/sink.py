"""The EWS Sink: master category list, categories on contacts (and messages), follow-up tasks and
the contacts the product creates, written through exchangelib.

What it owns and how it finds it again:

- master list entries: edited as text in the calendar's ``CategoryList`` configuration, so every
  entry and attribute the user has stays byte for byte (see ``categorylist``);
- categories on contacts: only the names an action adds or removes; the item's other categories
  stay in place, even when the user changed them since the plan was made (the action's
  ``before``/``after`` give the product's delta, applied to the item as it is now);
- marks on messages (categories and the follow-up ``Flag``, Exchange 2013 and later): up to a
  hundred messages in one UpdateItem, each with the change key the store last saw and
  ``AutoResolve``, so a user's change to another field since does not stop it; a message whose
  marks the user changed since (``ErrorIrresolvableConflict``) is read again and written once
  more as it is now, and a flag the user changed is left as they set it. A message moved to
  another folder has a new id (EWS Identifiers in Exchange): one not found by its id is looked
  for by its Internet Message-ID in every mail folder (one FindItem over all of them);
- tasks: in the Tasks folder, with the follow-up key and a record of what we wrote in the
  product's extended properties; found by a restriction on the key, so a retried CreateTask
  never duplicates; never deleted except by ``DeleteTask`` (undo);
- contacts the product created: marked, and ``DeleteContact`` refuses any unmarked contact;
- the morning brief as a message: CreateItem with ``MessageDisposition="SaveOnly"`` and the Inbox
  as ``SavedItemFolderId`` (saved, never sent; no recipients), PidTagMessageFlags given at
  creation so it is a message, unread and not a draft (see ``properties``), the key and record
  properties as on tasks; found again by a restriction on the key in the Inbox only (one the user
  moved elsewhere is theirs), replaced by a new one (created first, then the old one deleted),
  and deleted only if it carries the key.

A stale change key (``ErrorIrresolvableConflict``) is met by re-reading the item and trying
once more; a second conflict is ``Conflict``.

Exports: ``EwsSink``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from exchangelib import UTC, Account, EWSDateTime
from exchangelib.errors import ErrorInvalidIdMalformed, ErrorIrresolvableConflict, ErrorItemNotFound
from exchangelib.folders import FolderCollection
from exchangelib.indexed_properties import EmailAddress
from exchangelib.items import (
    AUTO_RESOLVE,
    SAVE_ONLY,
    SEND_TO_NONE,
    Contact,
    Message,
    Task,
)
from exchangelib.services import UpdateItem

from ...errors import Conflict, ServerFault, problem
from ...ports import (
    Action,
    AddCategory,
    Applied,
    BatchApplied,
    CompleteTask,
    ContactState,
    CreateContact,
    CreateInboxMessage,
    CreateTask,
    DeleteContact,
    DeleteInboxMessage,
    DeleteTask,
    FollowUpFlag,
    MailboxState,
    MessageState,
    RemoveCategory,
    ReplaceInboxMessage,
    SetCategories,
    SetFlag,
    TaskState,
    UpdateTask,
)
from ..marking import MessageChange, Written, mark_messages
from . import categorylist
from .convert import inbox_message_state, message_state, task_record, task_state
from .edge import Edge, map_error
from .properties import (
    FLAG_FIELD,
    KEY_FIELD,
    MESSAGE_FLAGS_FIELD,
    MESSAGE_FLAGS_NEW,
    OWNED_FIELD,
    RECORD_FIELD,
    FollowUpFlagElement,
    ensure_registered,
    flags_supported,
)

__all__ = ["EwsSink"]

T = TypeVar("T")
CATEGORY_LIST = "CategoryList"
OWNED_VALUE = "outlook-networking"
_TASK_FIELDS = ("subject", "due_date", "status", "is_complete", KEY_FIELD, RECORD_FIELD)
MESSAGE_BATCH = 100  # ItemChanges per UpdateItem, GetItem ids per request (exchangelib's chunk)
_MESSAGE_FIELDS = ("categories", FLAG_FIELD, "message_id")
_INBOX_FIELDS = ("subject", KEY_FIELD, RECORD_FIELD)
_GONE = (ErrorItemNotFound, ErrorInvalidIdMalformed)
_EWS_STATUS = {"notFlagged": "NotFlagged", "flagged": "Flagged", "complete": "Complete"}
_CONTACT_FIELDS = (
    "display_name",
    "given_name",
    "surname",
    "email_addresses",
    "categories",
    OWNED_FIELD,
)


def _ews_time(value: datetime | None) -> EWSDateTime | None:
    # exchangelib's EWSDateTime refuses stdlib tzinfo: go through the timestamp.
    return None if value is None else EWSDateTime.fromtimestamp(value.timestamp(), tz=UTC)


def _flag_element(flag: FollowUpFlag) -> FollowUpFlagElement:
    """``t:Flag`` with only the dates its status allows ([MS-OXWSCORE] 2.2.4.23): start and
    due together for Flagged, the completion date for Complete, none for NotFlagged."""
    element = FollowUpFlagElement(flag_status=_EWS_STATUS[flag.status])
    if flag.flagged and flag.start is not None and flag.due is not None:
        element.start_date, element.due_date = _ews_time(flag.start), _ews_time(flag.due)
    if flag.status == "complete":
        element.complete_date = _ews_time(flag.completed)
    return element


class _UpdateEach(UpdateItem):  # type: ignore[misc]
    """UpdateItem that answers a stale change key per item: exchangelib's raises for the whole
    request, and the other items' answers (written, with their new change keys) are lost."""

    ERRORS_TO_CATCH_IN_RESPONSE = (
        *UpdateItem.ERRORS_TO_CATCH_IN_RESPONSE,
        ErrorIrresolvableConflict,
    )


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

    @property
    def batch_size(self) -> int:
        return MESSAGE_BATCH

    # reading ------------------------------------------------------------------------------------
    def _message_fields(self) -> list[str]:
        flag = flags_supported(self._account)
        return [f for f in _MESSAGE_FIELDS if flag or f != FLAG_FIELD]

    def _fetch_messages(self, ids: Sequence[str]) -> dict[str, MessageState]:
        """GetItem for messages by id (a hundred per request); ids that find nothing are left
        out."""

        def get() -> dict[str, MessageState]:
            found: dict[str, MessageState] = {}
            items = self._account.fetch(
                ids=[(i, None) for i in ids], only_fields=self._message_fields(),
                chunk_size=MESSAGE_BATCH,
            )  # fmt: skip
            for item_id, item in zip(ids, items, strict=True):
                if isinstance(item, _GONE):
                    continue
                if isinstance(item, Exception):
                    raise item  # inside the edge, so it is mapped like any other
                if isinstance(item, Message):
                    found[item_id] = message_state(item)
            return found

        return self._edge.call(get) if ids else {}

    def _find_by_message_id(self, message_ids: Sequence[str]) -> dict[str, MessageState]:
        """Messages by Internet Message-ID in every mail folder, one FindItem over all of them
        (a moved message has a new id)."""

        def find() -> dict[str, MessageState]:
            folders = [
                f
                for f in self._account.msg_folder_root.walk()
                if not isinstance(f, Exception) and (f.folder_class or "IPF.Note") == "IPF.Note"
            ]
            wanted = [form for mid in message_ids for form in (mid, f"<{mid}>")]
            found: dict[str, MessageState] = {}
            query = FolderCollection(account=self._account, folders=folders).filter(
                message_id__in=wanted
            )
            for item in query.only(*self._message_fields()):
                if isinstance(item, Message):
                    state = message_state(item)
                    found.setdefault(state.message_id, state)
            return found

        return self._edge.call(find) if message_ids else {}

    def read_messages(self, refs: Sequence[tuple[str, str]]) -> dict[str, MessageState]:
        by_id = self._fetch_messages(sorted({item_id for item_id, _ in refs}))
        lost = {mid: item_id for item_id, mid in refs if item_id not in by_id and mid}
        moved = self._find_by_message_id(sorted(lost))
        found = {item_id: by_id[item_id] for item_id, _ in refs if item_id in by_id}
        found.update((lost[mid], state) for mid, state in moved.items() if mid in lost)
        return found

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

    def _inbox_messages(self, key: str | None = None) -> list[Any]:
        """The product's messages in the Inbox (those with ``key``): a restriction on the key."""
        wanted = {KEY_FIELD: key} if key else {f"{KEY_FIELD}__exists": True}
        return [
            m
            for m in self._account.inbox.filter(**wanted).only(*_INBOX_FIELDS)
            if isinstance(m, Message)
        ]

    def read_tasks(self, item_ids: Collection[str] | None = None) -> tuple[TaskState, ...]:
        """Every task of the product's (a restriction on its key), or those of ``item_ids`` by
        GetItem, a hundred to a request; an id that finds nothing, or finds an item that is not
        a task of the product's, is left out."""
        if item_ids is None:
            return tuple(task_state(t) for t in self._tasks())
        ids = sorted(item_ids)

        def get() -> list[Any]:
            items = self._account.fetch(
                ids=[(i, None) for i in ids], only_fields=list(_TASK_FIELDS),
                chunk_size=MESSAGE_BATCH,
            )  # fmt: skip
            found = []
            for item in items:
                if isinstance(item, _GONE):
                    continue
                if isinstance(item, Exception):
                    raise item  # inside the edge, so it is mapped like any other
                if isinstance(item, Task) and getattr(item, KEY_FIELD, None):
                    found.append(item)
            return found

        return tuple(task_state(t) for t in self._edge.call(get)) if ids else ()

    def read_state(self, *, tasks: bool = True) -> MailboxState:
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
            tasks=self.read_tasks() if tasks else (),
            inbox=tuple(inbox_message_state(m) for m in self._edge.call(self._inbox_messages)),
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
    ) -> None:
        """Read the item, let ``change`` edit it (returning the fields to save), save; on a stale
        change key read again and retry once. An item gone meanwhile leaves nothing to do."""
        for retried in (False, True):
            item = self._get(item_id, fields)
            if item is None:
                return
            names = change(item)
            if not names:
                return
            try:
                self._edge.call(lambda: item.save(update_fields=names))  # noqa: B023
                return
            except Conflict:
                if retried:
                    raise Conflict(
                        self._name, problem("item_changed_twice"), item_id=item_id
                    ) from None

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

    def _put_inbox_message(self, key: str, subject: str, body: str, old: str = "") -> str:
        # Look first, inside the retried unit: a CreateItem whose answer was lost may have made
        # it (for a replacement: a message under the key, as wanted, that is not the old one).
        record = task_record(subject, None, body)
        for found in self._inbox_messages(key):
            if not old or (found.id != old and getattr(found, RECORD_FIELD, None) == record):
                return str(found.id)
        message = Message(
            folder=self._account.inbox,
            subject=subject,
            body=body,
            **{KEY_FIELD: key, RECORD_FIELD: record, MESSAGE_FLAGS_FIELD: MESSAGE_FLAGS_NEW},
        )
        message.save()  # CreateItem, SaveOnly, SavedItemFolderId = the Inbox: never sent
        return str(message.id)

    def _delete_inbox_message(self, item_id: str) -> None:
        message = self._get(item_id, (KEY_FIELD,))
        # Only ever a message of the product's: the user's mail is not ours to delete.
        if message is not None and getattr(message, KEY_FIELD, None):
            self._edge.call(message.delete)

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

    def apply_batch(self, actions: Sequence[Action]) -> BatchApplied:
        """Mark messages, up to a hundred per UpdateItem (see the module docstring and
        :mod:`..marking`)."""
        return mark_messages(
            actions, account=self._name, write=self._update_messages, read=self._fetch_messages
        )

    def _update_messages(self, changes: dict[str, MessageChange]) -> Written:
        if any(c.flag is not None for c in changes.values()) and not self._edge.call(
            lambda: flags_supported(self._account)
        ):
            return Written(error=ServerFault(
                self._name, problem("flags_need_2013"), code="NoFlags"
            ))  # fmt: skip
        todo: list[tuple[str, Message, list[str]]] = []
        for item_id, change in changes.items():
            fields: list[str] = []
            message = Message(account=self._account, id=item_id,
                              changekey=change.state.version or None)  # fmt: skip
            if change.categories is not None:
                message.categories = list(change.categories) or None
                fields.append("categories")
            if change.flag is not None:
                setattr(message, FLAG_FIELD, _flag_element(change.flag))
                fields.append(FLAG_FIELD)
            todo.append((item_id, message, fields))
        answers = self._edge.call(
            lambda: list(
                _UpdateEach(account=self._account, chunk_size=MESSAGE_BATCH).call(
                    items=[(message, fields) for _, message, fields in todo],
                    conflict_resolution=AUTO_RESOLVE,
                    message_disposition=SAVE_ONLY,
                    send_meeting_invitations_or_cancellations=SEND_TO_NONE,
                    suppress_read_receipts=True,
                )
            )
        )
        written = Written()
        for (item_id, _, _), answer in zip(todo, answers, strict=True):
            if isinstance(answer, ErrorIrresolvableConflict):
                written.stale.append(item_id)
            elif isinstance(answer, _GONE):
                written.done[item_id] = None  # deleted, or moved (a new id) meanwhile
            elif isinstance(answer, Exception):
                written.error = written.error or map_error(self._name, answer)
            else:
                written.done[item_id] = changes[item_id].after(answer[1])
        return written

    def apply(self, action: Action) -> Applied:
        match action:
            case AddCategory(name, colour):
                guid = categorylist.new_guid()
                self._master_list(lambda xml: categorylist.add_entry(xml, name, colour, guid))
                return Applied(action)
            case RemoveCategory(name):
                self._master_list(lambda xml: categorylist.remove_entry(xml, name))
                return Applied(action)
            case SetCategories("contact", item_id):

                def set_categories(item: Any) -> list[str]:
                    if not isinstance(item, Contact):
                        return []
                    current = tuple(item.categories or ())
                    new = action.applied_to(current)
                    if new == current:
                        return []
                    item.categories = list(new) or None
                    return ["categories"]

                self._update(item_id, ("categories",), set_categories)
                return Applied(action, item_id)
            case SetCategories() | SetFlag():
                outcome = self.apply_batch([action])
                if outcome.error is not None:
                    raise outcome.error
                return outcome.applied[0]
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
            case CreateInboxMessage(key, subject, body):
                return Applied(
                    action, self._edge.call(lambda: self._put_inbox_message(key, subject, body))
                )
            case ReplaceInboxMessage(key, old, subject, body):
                new = self._edge.call(lambda: self._put_inbox_message(key, subject, body, old))
                self._delete_inbox_message(old)
                return Applied(action, new)
            case DeleteInboxMessage(_, item_id):
                self._delete_inbox_message(item_id)
                return Applied(action, item_id)
        raise AssertionError(action)  # pragma: no cover - the union is closed
