"""The Graph Sink: categories and Microsoft To Do follow-ups written back over Graph.

What it writes, and how it finds its own things again:

- **master categories** (``/outlook/masterCategories``): ours are added with a colour (a name the
  user already has is left alone); undo removes only names the journal says we added.
- **categories on contacts**: ``PATCH`` with the whole new array, computed on the item as it is
  *now* (the user's own categories, and changes they made since planning, stay), guarded by the
  item's ``@odata.etag`` (``If-Match``); a lost race is re-read and retried once, then reported
  as :class:`~outlook_networking.errors.Conflict`.
- **marks on messages** (categories and the follow-up ``flag``): one ``PATCH`` per message,
  twenty to a ``$batch``, guarded by ``If-Match: W/"<changeKey>"`` with the change key the
  store last saw; a message changed since (412) is read again (twenty GETs to a ``$batch``)
  and the change applied to it as it is now, and a flag the user changed meanwhile is left
  alone. A message gone (404) has nothing left to mark. Flag dates are days, sent as midnight
  in the mailbox's zone like To Do's due dates; a due date needs a start date
  (followupFlag, microsoft-graph-docs-contrib#6473). Ids are immutable (the client asks for
  them), so a message the user moved is still found by its id.
- **follow-ups**: Microsoft To Do tasks, made in a list of the product's own (``Networking``).
  Each task carries a ``linkedResource`` with ``applicationName="outlook-networking"`` and
  ``externalId=<follow-up key>``: that is how re-runs find it (never a duplicate), how
  ``read_state`` tells our tasks from the user's, and what undo deletes. The user may drag a
  task into another list, which gives it a new id (todoTask, property ``id``), so our tasks are
  looked for in every list.
- **due dates**: To Do keeps a due *date*, not a time (microsoft-graph-docs#16991), and reads it
  back as that day's midnight in the zone it was given, in UTC (MS365-ToDo#29). A due date is
  therefore sent as midnight of its day in the mailbox's own time zone
  (``mailboxSettings/timeZone``, a Windows or an IANA name), and read back in that zone, where
  the planner compares it by day.
- **the morning brief as a message** in the owner's Inbox: see :mod:`.inbox`.
- **contacts the product creates** carry a single-value extended property of the product's own
  (``MARKER_PROPERTY``); undo deletes only contacts that have it.

A create whose answer was lost (dropped connection after the server acted) is looked up by its
key before it is sent again.

Exports: ``GraphSink``, ``APPLICATION_NAME``, ``MARKER_PROPERTY``, ``TASK_LIST``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import quote, urlencode

from ...errors import Conflict, ConnectionFailed, problem
from ...ports import (
    NOT_FLAGGED,
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
    MasterCategory,
    MessageState,
    RemoveCategory,
    ReplaceInboxMessage,
    SetCategories,
    SetFlag,
    TaskState,
    UpdateTask,
)
from ..marking import MessageChange, Written, mark_messages
from .client import MAX_BATCH, BatchRequest, GraphClient, GraphResponse
from .inbox import InboxMessages
from .mapping import internet_message_id, parse_date_time_zone, parse_flag, zone_named

__all__ = ["APPLICATION_NAME", "MARKER_PROPERTY", "TASK_LIST", "GraphSink"]

APPLICATION_NAME = "outlook-networking"
TASK_LIST = "Networking"
# A property set of the product's own; the value says which product wrote the contact.
MARKER_PROPERTY = "String {5f0c8e6a-2b7d-4c1e-9a3f-6d8b1e2c4a70} Name outlook-networking"
_CONTACT_FIELDS = "displayName,emailAddresses,categories"
_MESSAGE_FIELDS = "categories,flag,changeKey,internetMessageId"
_TAG = re.compile(r"<[^>]+>")


def _colour_name(colour: int) -> str:
    return f"preset{colour}" if 0 <= colour <= 24 else "none"


def _colour_number(name: Any) -> int:
    text = str(name or "")
    if text.startswith("preset") and text[6:].isdigit():
        return int(text[6:])
    return -1


def _due_json(due: datetime | None, zone: tuple[str, tzinfo]) -> dict[str, str] | None:
    """The due date as To Do keeps it: midnight of its day in the mailbox's zone."""
    if due is None:
        return None
    name, tz = zone
    return {"dateTime": f"{due.astimezone(tz).date().isoformat()}T00:00:00", "timeZone": name}


def _flag_json(flag: FollowUpFlag, zone: tuple[str, tzinfo]) -> dict[str, Any]:
    """A ``followupFlag`` as Graph takes it: start and due together (a due date alone is a
    400, microsoft-graph-docs-contrib#6473), as days in the mailbox's zone."""
    out: dict[str, Any] = {"flagStatus": flag.status}
    if flag.flagged and flag.start is not None and flag.due is not None:
        out["startDateTime"] = _due_json(flag.start, zone)
        out["dueDateTime"] = _due_json(flag.due, zone)
    if flag.status == "complete" and flag.completed is not None:
        name, tz = zone
        moment = flag.completed.astimezone(tz).replace(tzinfo=None, microsecond=0)
        out["completedDateTime"] = {"dateTime": moment.isoformat(), "timeZone": name}
    return out


def _message_state(item_id: str, body: Any) -> MessageState:
    doc = body if isinstance(body, dict) else {}
    return MessageState(
        item_id=str(doc.get("id") or item_id),
        message_id=internet_message_id(doc),
        categories=tuple(str(c) for c in doc.get("categories") or []),
        flag=parse_flag(doc.get("flag")) or NOT_FLAGGED,
        version=str(doc.get("changeKey") or ""),
    )


def _body_text(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    content = str(body.get("content") or "")
    if str(body.get("contentType", "text")).lower() == "html":
        # To Do may keep bodies as HTML; compare the text the user sees.
        content = html.unescape(_TAG.sub("", re.sub(r"<br\s*/?>", "\n", content, flags=re.I)))
    return content.strip("\r\n")


class GraphSink:
    """Writes back to one mailbox over Microsoft Graph (see the module docstring).

    Parameters:
        client: the account's :class:`GraphClient`.
        name: the account name (matches the source name).
        user: ``None`` for the signed-in user (``/me``), else a UPN or id (app-only).
        task_list: the display name of the product's To Do list.
    """

    def __init__(
        self,
        client: GraphClient,
        *,
        name: str,
        user: str | None = None,
        task_list: str = TASK_LIST,
    ) -> None:
        self._client = client
        self._name = name
        self._prefix = "/me" if user is None else f"/users/{user}"
        self._task_list_name = task_list
        self._list_id: str | None = None
        self._tasks_by_key: dict[str, str] | None = None
        self._task_lists: dict[str, str] = {}  # task id -> the list it is in now
        self._zone: tuple[str, tzinfo] | None = None
        self._seen: dict[str, tuple[str, list[str]]] = {}  # contact id -> (etag, categories)
        self._inbox = InboxMessages(client, self._prefix, (MARKER_PROPERTY, APPLICATION_NAME))

    @property
    def name(self) -> str:
        return self._name

    @property
    def batch_size(self) -> int:
        return MAX_BATCH

    # ------------------------------------------------------------------ reading

    def read_messages(self, refs: Sequence[tuple[str, str]]) -> dict[str, MessageState]:
        """The messages as they are now, twenty GETs to a ``$batch``; a 404 is a message
        deleted (ids are immutable, so a move keeps the id)."""
        ids = sorted({item_id for item_id, _ in refs})
        answers = self._client.batch(
            [
                BatchRequest(
                    str(n), "GET", f"{self._prefix}/messages/{item_id}?$select={_MESSAGE_FIELDS}"
                )
                for n, item_id in enumerate(ids)
            ]
        )
        found: dict[str, MessageState] = {}
        for n, item_id in enumerate(ids):
            answer = answers[str(n)]
            if answer.status == 404:
                continue
            if answer.status >= 400:
                raise self._client.error_for(answer)
            found[item_id] = _message_state(item_id, answer.body)
        return found

    def read_state(self, *, tasks: bool = True) -> MailboxState:
        p = self._prefix
        contacts_query = f"{p}/contacts?" + urlencode(
            {
                "$select": _CONTACT_FIELDS,
                "$top": "500",
                "$expand": f"singleValueExtendedProperties($filter=id eq '{MARKER_PROPERTY}')",
            },
            quote_via=quote,
            safe="$,()'",
        )
        # One round trip for the independent reads; later pages follow one by one.
        first = self._client.batch(
            [
                BatchRequest("categories", "GET", f"{p}/outlook/masterCategories"),
                BatchRequest("lists", "GET", f"{p}/todo/lists"),
                BatchRequest("contacts", "GET", contacts_query),
                BatchRequest("zone", "GET", f"{p}/mailboxSettings/timeZone"),
            ]
        )
        master = tuple(
            MasterCategory(str(c.get("displayName", "")), _colour_number(c.get("color")))
            for c in self._values(first["categories"])
        )
        self._zone = self._zone_from(first["zone"])
        lists = list(self._all(first["lists"]))
        self._list_id = self._find_list(lists)
        raw_contacts = [c for c in self._all(first["contacts"]) if c.get("id")]
        contacts = tuple(self._contact_state(c) for c in raw_contacts)
        # What each contact looked like, so tagging it needs no second read unless it changes.
        self._seen = {
            str(c["id"]): (str(c["@odata.etag"]), [str(x) for x in c.get("categories") or []])
            for c in raw_contacts
            if c.get("@odata.etag")
        }
        mine = tuple(self._read_tasks(lists)) if tasks else ()
        inbox = tuple(self._inbox.read())
        return MailboxState(master_categories=master, contacts=contacts, tasks=mine, inbox=inbox)

    def _values(self, resp: GraphResponse) -> list[dict[str, Any]]:
        if resp.status >= 400:
            raise self._client.error_for(resp)
        body = resp.body if isinstance(resp.body, dict) else {}
        return [v for v in body.get("value", []) if isinstance(v, dict)]

    def _all(self, resp: GraphResponse) -> Iterator[dict[str, Any]]:
        """Every value of a batched first page and the pages after it."""
        yield from self._values(resp)
        link = resp.body.get("@odata.nextLink") if isinstance(resp.body, dict) else None
        if isinstance(link, str):
            for page in self._client.pages(link):
                yield from (v for v in page.get("value", []) if isinstance(v, dict))

    def _zone_from(self, resp: GraphResponse) -> tuple[str, tzinfo]:
        if resp.status >= 400:
            raise self._client.error_for(resp)
        name = str(resp.body.get("value") or "") if isinstance(resp.body, dict) else ""
        zone = zone_named(name) if name else None
        # A zone nobody can name the offsets of: the dates are then the UTC ones.
        return (name, zone) if zone is not None else ("UTC", UTC)

    def _mailbox_zone(self) -> tuple[str, tzinfo]:
        if self._zone is None:
            self._zone = self._zone_from(
                self._client.get(f"{self._prefix}/mailboxSettings/timeZone")
            )
        return self._zone

    def _contact_state(self, contact: dict[str, Any]) -> ContactState:
        marked = any(
            str(e.get("id", "")).lower() == MARKER_PROPERTY.lower()
            for e in contact.get("singleValueExtendedProperties") or []
            if isinstance(e, dict)
        )
        addresses = tuple(
            str(e.get("address", "")).lower()
            for e in contact.get("emailAddresses") or []
            if isinstance(e, dict) and e.get("address")
        )
        return ContactState(
            item_id=str(contact["id"]),
            full_name=str(contact.get("displayName") or ""),
            addresses=addresses,
            categories=tuple(str(c) for c in contact.get("categories") or []),
            product_owned=marked,
        )

    def _find_list(self, lists: Iterable[dict[str, Any]]) -> str | None:
        for entry in lists:
            if entry.get("displayName") == self._task_list_name and entry.get("id"):
                return str(entry["id"])
        return None

    def _lists(self) -> list[dict[str, Any]]:
        pages = self._client.pages(f"{self._prefix}/todo/lists")
        return [v for page in pages for v in page.get("value", []) if isinstance(v, dict)]

    def _task_list(self, create: bool) -> str | None:
        if self._list_id is None:
            self._list_id = self._find_list(self._lists())
        if self._list_id is None and create:
            resp = self._client.request(
                "POST", f"{self._prefix}/todo/lists", json={"displayName": self._task_list_name}
            )
            self._list_id = str(resp.body["id"])
        return self._list_id

    def _read_tasks(self, lists: list[dict[str, Any]] | None = None) -> list[TaskState]:
        """The product's tasks in every list (the user may have moved one), first pages of
        the lists batched; also notes which list each is in now."""
        in_lists = self._lists() if lists is None else lists
        list_ids = [str(e["id"]) for e in in_lists if e.get("id")]
        query = urlencode({"$expand": "linkedResources", "$top": "100"}, safe="$")
        first = self._client.batch(
            [
                BatchRequest(str(n), "GET", f"{self._prefix}/todo/lists/{list_id}/tasks?{query}")
                for n, list_id in enumerate(list_ids)
            ]
        )
        self._task_lists = {}
        found: list[TaskState] = []
        for n, list_id in enumerate(list_ids):
            answer = first[str(n)]
            if answer.status == 404:
                continue  # the list went meanwhile
            for task in self._all(answer):
                state = self._task_state(task)
                if state is not None:
                    self._task_lists[state.item_id] = list_id
                    found.append(state)
        self._tasks_by_key = {t.key: t.item_id for t in found}
        return found

    def read_tasks(self, item_ids: Collection[str] | None = None) -> tuple[TaskState, ...]:
        """Every task of the product's, in every list; or those of ``item_ids`` in the product's
        list, twenty GETs to a ``$batch`` (a 404 is a task deleted, or moved to another list:
        the caller reads every task when one is missing)."""
        if item_ids is None:
            return tuple(self._read_tasks())
        ids = sorted(item_ids)
        # What the plan that follows was made from: it creates a task only for a key no journal
        # entry names (after a crash, app.pipeline reads every task), so the keys read are the
        # ones a creation must not make twice, and a creation lists no task list.
        if self._tasks_by_key is None:
            self._tasks_by_key = {}
        list_id = self._task_list(create=False)
        if list_id is None or not ids:
            return ()
        url = f"{self._prefix}/todo/lists/{list_id}/tasks"
        query = urlencode({"$expand": "linkedResources"}, safe="$")
        answers = self._client.batch(
            [BatchRequest(str(n), "GET", f"{url}/{i}?{query}") for n, i in enumerate(ids)]
        )
        found: list[TaskState] = []
        for n in range(len(ids)):
            answer = answers[str(n)]
            if answer.status == 404:
                continue
            if answer.status >= 400:
                raise self._client.error_for(answer)
            state = self._task_state(answer.body)
            if state is not None:
                self._task_lists[state.item_id] = list_id
                found.append(state)
        self._tasks_by_key.update((t.key, t.item_id) for t in found)
        return tuple(found)

    def _task_state(self, task: Any) -> TaskState | None:
        if not isinstance(task, dict):
            return None
        key = next(
            (
                str(link.get("externalId"))
                for link in task.get("linkedResources") or []
                if isinstance(link, dict)
                and link.get("applicationName") == APPLICATION_NAME
                and link.get("externalId")
            ),
            None,
        )
        if key is None:
            return None  # the user's own task: never ours to touch
        due = parse_date_time_zone(task.get("dueDateTime"))
        return TaskState(
            item_id=str(task["id"]),
            key=key,
            subject=str(task.get("title") or ""),
            due=None if due is None else due.astimezone(self._mailbox_zone()[1]),
            body=_body_text(task.get("body")),
            complete=task.get("status") == "completed",
        )

    def _task_ids(self, refresh: bool = False) -> dict[str, str]:
        if self._tasks_by_key is None or refresh:
            self._read_tasks()
        assert self._tasks_by_key is not None
        return self._tasks_by_key

    def _task_url(self, item_id: str) -> str | None:
        """Where a task of ours is now (the user may have moved it); None if it is gone."""
        list_id = self._task_lists.get(item_id)
        if list_id is None:
            self._task_ids(refresh=True)
            list_id = self._task_lists.get(item_id)
        return None if list_id is None else f"{self._prefix}/todo/lists/{list_id}/tasks/{item_id}"

    # ------------------------------------------------------------------ writing

    def apply(self, action: Action) -> Applied:
        match action:
            case AddCategory(name, colour):
                return self._add_category(action, name, colour)
            case RemoveCategory(name):
                return self._remove_category(action, name)
            case SetCategories("contact", item_id):
                return self._set_contact_categories(action, item_id)
            case SetCategories() | SetFlag():
                outcome = self.apply_batch([action])
                if outcome.error is not None:
                    raise outcome.error
                return outcome.applied[0]
            case CreateTask():
                return self._create_task(action)
            case UpdateTask(_, item_id, subject, due, body):
                fields = {
                    "title": subject,
                    "dueDateTime": _due_json(due, self._mailbox_zone()),
                    "body": {"content": body, "contentType": "text"},
                }
                return self._patch_task(action, item_id, fields)
            case CompleteTask(_, item_id):
                return self._patch_task(action, item_id, {"status": "completed"})
            case DeleteTask(key, item_id):
                return self._delete_task(action, key, item_id)
            case CreateContact():
                return self._create_contact(action)
            case DeleteContact(item_id):
                return self._delete_contact(action, item_id)
            case CreateInboxMessage(key, subject, body):
                return Applied(action, self._inbox.put(key, subject, body))
            case ReplaceInboxMessage(key, old, subject, body):
                return Applied(action, self._inbox.put(key, subject, body, old))
            case DeleteInboxMessage(_, item_id):
                self._inbox.delete(item_id)
                return Applied(action, item_id)
        raise AssertionError(action)  # pragma: no cover - the union is closed

    def _add_category(self, action: AddCategory, name: str, colour: int) -> Applied:
        body = {"displayName": name, "color": _colour_name(colour)}
        url = f"{self._prefix}/outlook/masterCategories"
        try:
            # 409: the name is already on the list (ours from a lost answer, or the user's).
            self._client.request("POST", url, json=body, ok=(409,))
        except ConnectionFailed:
            self._client.request("POST", url, json=body, ok=(409,))
        return Applied(action)

    def _remove_category(self, action: RemoveCategory, name: str) -> Applied:
        url = f"{self._prefix}/outlook/masterCategories"
        for page in self._client.pages(url):
            for cat in page.get("value", []):
                if cat.get("displayName") == name and cat.get("id"):
                    self._client.request("DELETE", f"{url}/{cat['id']}", ok=(404,))
        return Applied(action)

    def _set_contact_categories(self, action: SetCategories, item_id: str) -> Applied:
        url = f"{self._prefix}/contacts/{item_id}"
        seen = self._seen.pop(item_id, None)
        for attempt in range(2):
            if attempt == 0 and seen is not None:
                # As read_state saw it; If-Match turns any change since into a 412 and a re-read.
                etag, have = seen
            else:
                current = self._client.get(url, params={"$select": "categories"}, ok=(404,))
                if current.status == 404:
                    return Applied(action, item_id)  # gone meanwhile: nothing to tag
                body = current.body if isinstance(current.body, dict) else {}
                etag = str(body.get("@odata.etag") or "")
                have = [str(c) for c in body.get("categories") or []]
            wanted = list(action.applied_to(have))
            if wanted == have:
                return Applied(action, item_id)
            headers = {"If-Match": etag} if etag else {}
            resp = self._client.request(
                "PATCH", url, json={"categories": wanted}, headers=headers, ok=(404, 412)
            )
            if resp.status != 412:
                return Applied(action, item_id)  # written, or deleted meanwhile (404)
        raise Conflict(self._client.account, problem("item_changed_twice"), item_id)

    def apply_batch(self, actions: Sequence[Action]) -> BatchApplied:
        """Mark messages: one PATCH per message, twenty to a ``$batch`` (see the module
        docstring and :mod:`..marking`)."""
        return mark_messages(
            actions,
            account=self._client.account,
            write=self._patch_messages,
            read=lambda ids: self.read_messages([(i, "") for i in ids]),
        )

    def _patch_messages(self, changes: dict[str, MessageChange]) -> Written:
        ids = list(changes)
        requests = []
        for n, item_id in enumerate(ids):
            change = changes[item_id]
            body: dict[str, Any] = {}
            if change.categories is not None:
                body["categories"] = list(change.categories)
            if change.flag is not None:
                body["flag"] = _flag_json(change.flag, self._mailbox_zone())
            requests.append(
                BatchRequest(
                    str(n), "PATCH", f"{self._prefix}/messages/{item_id}", body=body,
                    headers={"If-Match": f'W/"{change.state.version}"'},
                )
            )  # fmt: skip
        answers = self._client.batch(requests)
        written = Written()
        for n, item_id in enumerate(ids):
            answer = answers[str(n)]
            if answer.status == 404:
                written.done[item_id] = None  # deleted meanwhile: nothing left to mark
            elif answer.status == 412:
                written.stale.append(item_id)
            elif answer.status >= 400:
                written.error = written.error or self._client.error_for(answer)
            else:
                written.done[item_id] = _message_state(item_id, answer.body)
        return written

    def _create_task(self, action: CreateTask) -> Applied:
        existing = self._task_ids().get(action.key)
        if existing is not None:
            return Applied(action, existing)  # idempotent: the key finds the task, in any list
        list_id = self._task_list(create=True)
        body: dict[str, Any] = {
            "title": action.subject,
            "body": {"content": action.body, "contentType": "text"},
            "linkedResources": [
                {
                    "applicationName": APPLICATION_NAME,
                    "externalId": action.key,
                    "displayName": action.subject,
                }
            ],
        }
        if action.due is not None:
            body["dueDateTime"] = _due_json(action.due, self._mailbox_zone())
        url = f"{self._prefix}/todo/lists/{list_id}/tasks"
        try:
            resp = self._client.request("POST", url, json=body)
        except ConnectionFailed:
            # The answer may be lost although the task was made: look before making it again.
            found = self._task_ids(refresh=True).get(action.key)
            if found is not None:
                return Applied(action, found)
            resp = self._client.request("POST", url, json=body)
        task_id = str(resp.body["id"])
        self._task_ids()[action.key] = task_id
        self._task_lists[task_id] = str(list_id)
        return Applied(action, task_id)

    def _patch_task(self, action: Action, item_id: str, fields: dict[str, Any]) -> Applied:
        url = self._task_url(item_id)
        if url is None:
            return Applied(action, item_id)  # the user deleted it: nothing left to change
        self._client.request("PATCH", url, json=fields, ok=(404,))
        return Applied(action, item_id)

    def _delete_task(self, action: DeleteTask, key: str, item_id: str) -> Applied:
        url = self._task_url(item_id)
        if url is not None:
            self._client.request("DELETE", url, ok=(404,))
        list_id = self._task_list(create=False)
        if list_id is not None:
            # Undo gives the mailbox back as it was: our list goes once nothing is left in it
            # (a task the user added to it keeps it alive).
            tasks_url = f"{self._prefix}/todo/lists/{list_id}/tasks"
            left = self._client.get(tasks_url, params={"$top": "1"}, ok=(404,))
            if left.status == 200 and isinstance(left.body, dict) and not left.body.get("value"):
                self._client.request("DELETE", f"{self._prefix}/todo/lists/{list_id}", ok=(404,))
                self._list_id = None
        if self._tasks_by_key is not None:
            self._tasks_by_key.pop(key, None)
        self._task_lists.pop(item_id, None)
        return Applied(action, item_id)

    def _create_contact(self, action: CreateContact) -> Applied:
        body = {
            "displayName": action.full_name,
            "emailAddresses": [
                {"address": address, "name": action.full_name} for address in action.addresses
            ],
            "categories": list(action.categories),
            "singleValueExtendedProperties": [{"id": MARKER_PROPERTY, "value": APPLICATION_NAME}],
        }
        url = f"{self._prefix}/contacts"
        try:
            resp = self._client.request("POST", url, json=body)
        except ConnectionFailed:
            wanted = {a.lower() for a in action.addresses}
            for contact in self.read_state().contacts:
                if contact.product_owned and wanted <= set(contact.addresses):
                    return Applied(action, contact.item_id)
            resp = self._client.request("POST", url, json=body)
        return Applied(action, str(resp.body["id"]))

    def _delete_contact(self, action: DeleteContact, item_id: str) -> Applied:
        url = f"{self._prefix}/contacts/{item_id}"
        resp = self._client.get(
            url,
            params={"$expand": f"singleValueExtendedProperties($filter=id eq '{MARKER_PROPERTY}')"},
            ok=(404,),
        )
        if resp.status == 404 or not isinstance(resp.body, dict):
            return Applied(action, item_id)
        if not self._contact_state(resp.body).product_owned:
            # Not made by the product: undo must never delete a user's contact.
            return Applied(action, item_id)
        self._client.request("DELETE", url, ok=(404,))
        return Applied(action, item_id)
