"""Request handling for the Graph test server: one function per Graph operation.

``dispatch(call)`` routes a mailbox-scoped request (the part after ``/me`` or ``/users/{id}``)
and returns a ``Reply``; errors are raised as ``GraphError`` and rendered in Graph's error shape
(``{"error": {"code", "message", "innerError"}}``). HTTP plumbing, authentication, throttling
and ``$batch`` live in ``server.py``; this module only knows the mailbox.

Exports: ``Call``, ``Reply``, ``GraphError``, ``dispatch``, ``error_body``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from . import delta
from .mailbox import Collection, Item, Mailbox, TodoList, change_key, iso
from .resources import (
    CATEGORY_COLORS,
    CONTACT_PROPS,
    IMPORTANCE,
    MESSAGE_ON_REQUEST,
    MESSAGE_PROPS,
    TASK_STATUSES,
    SelectError,
    parse_graph_datetime,
    parse_select,
    render,
)

DEFAULT_DELTA_PAGE = 10
DEFAULT_TASK_PAGE = 10


class GraphError(Exception):
    """An error reply: HTTP status plus Graph's error code and message."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One mailbox-scoped request, already authenticated and admitted."""

    method: str
    prefix: str  # "/me" or "/users/{id}" as the client wrote it
    rest: str  # the path after the prefix, unquoted
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any
    mailbox: Mailbox
    base: str  # "http://127.0.0.1:PORT/v1.0"
    max_page_size: int
    now: datetime
    todo_due_dates_only: bool = False


def error_body(code: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": iso(datetime.now(UTC)),
                "request-id": str(uuid.uuid4()),
                "client-request-id": str(uuid.uuid4()),
            },
        }
    }


def _not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def _bad(message: str, code: str = "ErrorInvalidRequest") -> GraphError:
    return GraphError(400, code, message)


def _gone() -> GraphError:
    return GraphError(
        410,
        "SyncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must be "
        "synchronized again.",
    )


# --------------------------------------------------------------------------- preferences


def _prefer(call: Call) -> tuple[int | None, str | None]:
    raw = call.headers.get("prefer", "")
    size = None
    tz = None
    m = re.search(r"odata\.maxpagesize\s*=\s*(\d+)", raw)
    if m:
        size = int(m.group(1))
    t = re.search(r'outlook\.timezone\s*=\s*"([^"]+)"', raw)
    if t:
        tz = t.group(1)
    return size, tz


def _applied(size: int | None, tz: str | None) -> dict[str, str]:
    parts = []
    if size is not None:
        parts.append(f"odata.maxpagesize={size}")
    if tz is not None:
        parts.append(f'outlook.timezone="{tz}"')
    return {"Preference-Applied": ", ".join(parts)} if parts else {}


def _link(call: Call, path: str, params: list[tuple[str, str]]) -> str:
    query = urlencode(params, quote_via=quote, safe="$,")
    return f"{call.base}{call.prefix}{path}" + (f"?{query}" if query else "")


def _check_if_match(call: Call, item: Item) -> None:
    wanted = call.headers.get("if-match")
    if not wanted or wanted == "*":
        return
    current = item.get("changeKey") or item.get("_etag")
    if wanted.strip() not in (f'W/"{current}"', f'"{current}"', str(current)):
        raise GraphError(
            412,
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed "
            "in the request does not match the current change key for the item.",
        )


def _string_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"Property '{name}' must be a collection of strings.", "ErrorInvalidProperty")
    return list(value)


# --------------------------------------------------------------------------- delta engine


@dataclass(frozen=True)
class DeltaKind:
    path: str  # link path after the prefix
    props: tuple[str, ...] | None  # None: $select not supported
    type_name: str
    hidden: frozenset[str] = frozenset()


def _serve_delta(
    call: Call,
    coll: Collection,
    kind: DeltaKind,
    *,
    window: tuple[datetime, datetime] | None = None,
    keep: Callable[[Item, delta.DeltaState], bool] | None = None,
) -> Reply:
    mb = call.mailbox
    token = call.query.get("$skiptoken") or call.query.get("$deltatoken")
    if token:
        try:
            state = delta.decode(token)
        except delta.TokenError:
            raise _gone() from None
        if (
            state.mailbox != mb.upn
            or state.collection != coll.key
            or state.generation != mb.delta_generation
        ):
            raise _gone()
    else:
        raw_select = call.query.get("$select")
        if kind.props is None and raw_select:
            raise _bad("$select is not supported on this delta function.", "ErrorInvalidUrlQuery")
        try:
            select = parse_select(raw_select, kind.props or (), kind.type_name)
        except SelectError as exc:
            raise _bad(str(exc), "RequestBroker--ParseUri") from None
        received = None
        raw_filter = call.query.get("$filter")
        if raw_filter:
            m = re.fullmatch(r"\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*", raw_filter, re.I)
            if m is None or kind.type_name != "microsoft.graph.message":
                raise _bad(f"Unsupported $filter on delta: {raw_filter}", "ErrorInvalidUrlQuery")
            received = (m.group(1).lower(), iso(parse_graph_datetime(m.group(2))))
        state = delta.DeltaState(
            mailbox=mb.upn,
            collection=coll.key,
            generation=mb.delta_generation,
            after=0,
            upto=None,
            initial=True,
            select=select,
            window=(iso(window[0]), iso(window[1])) if window else None,
            received_filter=received,
        )
    if state.upto is None:
        state = replace(state, upto=coll.high_water())
    assert state.upto is not None
    size, tz = _prefer(call)
    page = min(size, call.max_page_size) if size else DEFAULT_DELTA_PAGE
    values: list[dict[str, Any]] = []
    after = state.after
    exhausted = False
    odata_type = "#" + kind.type_name
    while len(values) < page and not exhausted:
        changes, after, exhausted = coll.changes(
            after, state.upto, page - len(values), include_removed=not state.initial
        )
        for ch in changes:
            if ch.item is not None and (keep is None or keep(ch.item, state)):
                values.append(
                    render(
                        ch.item,
                        state.select,
                        odata_type=odata_type,
                        hidden=kind.hidden,
                        time_zone=tz or "UTC",
                    )
                )
            elif not state.initial:
                # Deleted, or no longer in scope (an event moved out of the window).
                values.append(
                    {"@odata.type": odata_type, "id": ch.item_id, "@removed": {"reason": "deleted"}}
                )
    body: dict[str, Any] = {
        "@odata.context": f"{call.base}/$metadata#Collection({kind.type_name})",
        "value": values,
    }
    params: list[tuple[str, str]] = []
    if state.select:
        params.append(("$select", ",".join(state.select)))
    if exhausted:
        next_state = replace(state, after=state.upto, upto=None, initial=False)
        params.append(("$deltatoken", delta.encode(next_state)))
        body["@odata.deltaLink"] = _link(call, kind.path, params)
    else:
        params.append(("$skiptoken", delta.encode(replace(state, after=after))))
        body["@odata.nextLink"] = _link(call, kind.path, params)
    return Reply(200, body, _applied(page if size else None, tz))


def resync_location(call: Call) -> str:
    """Where a ``resyncRequired`` reply sends the client: the same delta, started afresh."""
    token = call.query.get("$skiptoken") or call.query.get("$deltatoken")
    params: list[tuple[str, str]] = []
    if token:
        try:
            state = delta.decode(token)
            if state.select:
                params.append(("$select", ",".join(state.select)))
            if state.window:
                params += [("startDateTime", state.window[0]), ("endDateTime", state.window[1])]
        except delta.TokenError:
            pass
    else:
        params = [(k, v) for k, v in call.query.items()]
    return _link(call, call.rest, params)


# --------------------------------------------------------------------------- mail


def _message_delta(call: Call, folder_ref: str) -> Reply:
    folder_id = call.mailbox.folder_id(folder_ref)
    if folder_id is None:
        raise _not_found()
    kind = DeltaKind(
        f"/mailFolders/{folder_ref}/messages/delta",
        MESSAGE_PROPS,
        "microsoft.graph.message",
        MESSAGE_ON_REQUEST,
    )

    def keep(item: Item, state: delta.DeltaState) -> bool:
        if state.received_filter is None:
            return True
        op, bound = state.received_filter
        received = item["receivedDateTime"]
        return bool(received >= bound if op == "ge" else received > bound)

    return _serve_delta(call, call.mailbox.messages[folder_id], kind, keep=keep)


def _get_folder(call: Call, folder_ref: str) -> Reply:
    folder_id = call.mailbox.folder_id(folder_ref)
    if folder_id is None:
        raise _not_found()
    coll = call.mailbox.messages[folder_id]
    folder = call.mailbox.folders[folder_id]
    body = {
        "@odata.context": f"{call.base}/$metadata#users('{call.mailbox.upn}')/mailFolders/$entity",
        "id": folder_id,
        "displayName": folder["displayName"],
        "parentFolderId": None,
        "childFolderCount": 0,
        "unreadItemCount": sum(1 for m in coll if not m["isRead"]),
        "totalItemCount": len(coll.items),
        "isHidden": False,
    }
    return Reply(200, body)


def _list_paged(
    call: Call, items: list[dict[str, Any]], path: str, default_page: int, type_name: str
) -> Reply:
    try:
        top = int(call.query.get("$top", default_page))
        skip = int(call.query.get("$skip", 0))
    except ValueError:
        raise _bad("$top and $skip must be integers.", "ErrorInvalidUrlQuery") from None
    top = max(1, min(top, 1000))
    chunk = items[skip : skip + top]
    body: dict[str, Any] = {
        "@odata.context": f"{call.base}/$metadata#Collection({type_name})",
        "value": chunk,
    }
    if skip + top < len(items):
        params = [(k, v) for k, v in call.query.items() if k not in ("$skip", "$top")]
        params += [("$top", str(top)), ("$skip", str(skip + top))]
        body["@odata.nextLink"] = _link(call, path, params)
    return Reply(200, body)


def _list_messages(call: Call, folder_ref: str) -> Reply:
    folder_id = call.mailbox.folder_id(folder_ref)
    if folder_id is None:
        raise _not_found()
    try:
        select = parse_select(call.query.get("$select"), MESSAGE_PROPS, "microsoft.graph.message")
    except SelectError as exc:
        raise _bad(str(exc), "RequestBroker--ParseUri") from None
    items = sorted(
        call.mailbox.messages[folder_id], key=lambda m: m["receivedDateTime"], reverse=True
    )
    rendered = [
        render(m, select, odata_type="#microsoft.graph.message", hidden=MESSAGE_ON_REQUEST)
        for m in items
    ]
    return _list_paged(
        call, rendered, f"/mailFolders/{folder_ref}/messages", 10, "microsoft.graph.message"
    )


def _get_message(call: Call, message_id: str) -> Reply:
    found = call.mailbox.find_message(message_id)
    if found is None:
        raise _not_found()
    try:
        select = parse_select(call.query.get("$select"), MESSAGE_PROPS, "microsoft.graph.message")
    except SelectError as exc:
        raise _bad(str(exc), "RequestBroker--ParseUri") from None
    return Reply(
        200,
        render(found[1], select, odata_type="#microsoft.graph.message", hidden=MESSAGE_ON_REQUEST),
    )


MESSAGE_WRITABLE = frozenset(
    {"categories", "isRead", "flag", "importance", "inferenceClassification"}
)


def _patch_message(call: Call, message_id: str) -> Reply:
    found = call.mailbox.find_message(message_id)
    if found is None:
        raise _not_found()
    coll, item = found
    if not isinstance(call.body, dict):
        raise _bad("Empty Payload. JSON content expected.", "BadRequest")
    _check_if_match(call, item)
    for key, value in call.body.items():
        if key not in MESSAGE_WRITABLE:
            raise _bad(
                f"The property '{key}' cannot be updated on a sent or received message.",
                "ErrorInvalidPropertyRequest",
            )
        if key == "categories":
            value = _string_list(value, key)
        if key == "isRead" and not isinstance(value, bool):
            raise _bad("Property 'isRead' must be a Boolean.", "ErrorInvalidProperty")
        if key == "importance" and value not in IMPORTANCE:
            raise _bad("Invalid importance.", "ErrorInvalidProperty")
        item[key] = value
    item["lastModifiedDateTime"] = iso(call.now)
    coll.put(item)
    return Reply(200, render(item, None, odata_type="#microsoft.graph.message",
                             hidden=MESSAGE_ON_REQUEST))  # fmt: skip


# --------------------------------------------------------------------------- calendar


def _calendar_delta(call: Call) -> Reply:
    window: tuple[datetime, datetime] | None = None
    if not (call.query.get("$skiptoken") or call.query.get("$deltatoken")):
        start = call.query.get("startDateTime")
        end = call.query.get("endDateTime")
        if not start or not end:
            raise _bad(
                "This request requires a time window specified by the query string parameters "
                "StartDateTime and EndDateTime.",
                "ErrorInvalidParameter",
            )
        try:
            window = (parse_graph_datetime(start), parse_graph_datetime(end))
        except ValueError:
            raise _bad("Invalid startDateTime or endDateTime.", "ErrorInvalidParameter") from None
    kind = DeltaKind("/calendarView/delta", None, "microsoft.graph.event")

    def keep(item: Item, state: delta.DeltaState) -> bool:
        assert state.window is not None
        lo, hi = (parse_graph_datetime(v) for v in state.window)
        # calendarView expands series: occurrences are served, the master itself is not.
        return bool(item["type"] != "seriesMaster" and item["_start"] < hi and item["_end"] > lo)

    return _serve_delta(call, call.mailbox.events, kind, window=window, keep=keep)


def _get_event(call: Call, event_id: str) -> Reply:
    item = call.mailbox.events.items.get(event_id)
    if item is None:
        raise _not_found()
    _, tz = _prefer(call)
    return Reply(
        200, render(item, None, odata_type="#microsoft.graph.event", time_zone=tz or "UTC")
    )


# --------------------------------------------------------------------------- contacts


def _contact_folder(call: Call, folder_ref: str | None) -> Collection:
    coll = call.mailbox.contact_folder(folder_ref)
    if coll is None:
        raise _not_found()
    return coll


def _contacts_delta(call: Call, folder_ref: str | None = None) -> Reply:
    coll = _contact_folder(call, folder_ref)
    path = (
        "/contacts/delta" if folder_ref is None else f"/contactFolders/{folder_ref}/contacts/delta"
    )
    kind = DeltaKind(path, CONTACT_PROPS, "microsoft.graph.contact")
    return _serve_delta(call, coll, kind)


_EXT_EXPAND = re.compile(
    r"singleValueExtendedProperties(?:\(\$filter=id\s+eq\s+'([^']+)'\))?", re.IGNORECASE
)


def _ext_filter(call: Call) -> tuple[bool, str | None]:
    """Whether ``$expand`` asks for extended properties, and the one id it filters on."""
    raw = call.query.get("$expand", "")
    if not raw:
        return False, None
    m = _EXT_EXPAND.fullmatch(raw.strip())
    if m is None:
        raise _bad(f"Unsupported $expand: {raw}", "ErrorInvalidUrlQuery")
    return True, m.group(1)


def _contact_json(call: Call, item: Item, select: list[str] | None = None) -> dict[str, Any]:
    out = render(item, select, odata_type="#microsoft.graph.contact")
    expand, wanted = _ext_filter(call)
    if expand:
        # Graph compares extended property ids case-insensitively.
        out["singleValueExtendedProperties"] = [
            {"id": pid, "value": value}
            for pid, value in item.get("_ext", {}).items()
            if wanted is None or pid.lower() == wanted.lower()
        ]
    return out


def _contacts_delta(call: Call, folder_ref: str | None = None) -> Reply:
    coll = _contact_folder(call, folder_ref)
    path = (
        "/contacts/delta" if folder_ref is None else f"/contactFolders/{folder_ref}/contacts/delta"
    )
    kind = DeltaKind(path, CONTACT_PROPS, "microsoft.graph.contact")
    return _serve_delta(call, coll, kind)


def _list_contacts(call: Call, folder_ref: str | None = None) -> Reply:
    coll = _contact_folder(call, folder_ref)
    if call.method == "POST":
        return _create_contact(call, coll)
    try:
        select = parse_select(call.query.get("$select"), CONTACT_PROPS, "microsoft.graph.contact")
    except SelectError as exc:
        raise _bad(str(exc), "RequestBroker--ParseUri") from None
    rendered = [_contact_json(call, c, select) for c in coll]
    path = "/contacts" if folder_ref is None else f"/contactFolders/{folder_ref}/contacts"
    return _list_paged(call, rendered, path, 10, "microsoft.graph.contact")


def _create_contact(call: Call, coll: Collection) -> Reply:
    body = call.body
    if not isinstance(body, dict):
        raise _bad("Empty Payload. JSON content expected.", "BadRequest")
    ext_in = body.get("singleValueExtendedProperties", [])
    if not isinstance(ext_in, list) or not all(
        isinstance(e, dict) and isinstance(e.get("id"), str) and isinstance(e.get("value"), str)
        for e in ext_in
    ):
        raise _bad("singleValueExtendedProperties must be id/value pairs.", "ErrorInvalidProperty")
    item_id = call.mailbox.new_id("contact")
    now = iso(call.now)
    item: Item = {
        "id": item_id,
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "categories": [],
        "parentFolderId": coll.key.split(":", 1)[1],
        "displayName": "",
        "givenName": None,
        "surname": None,
        "middleName": None,
        "nickName": None,
        "title": None,
        "companyName": None,
        "department": None,
        "jobTitle": None,
        "emailAddresses": [],
        "businessPhones": [],
        "homePhones": [],
        "mobilePhone": None,
        "personalNotes": "",
        "birthday": None,
        "imAddresses": [],
    }
    _apply_contact_fields(
        item, {k: v for k, v in body.items() if k != "singleValueExtendedProperties"}
    )
    if ext_in:
        item["_ext"] = {e["id"]: e["value"] for e in ext_in}
    coll.put(item)
    return Reply(201, render(item, None, odata_type="#microsoft.graph.contact"))


def _get_contact(call: Call, contact_id: str) -> Reply:
    found = call.mailbox.find_contact(contact_id)
    if found is None:
        raise _not_found()
    if call.method == "DELETE":
        found[0].remove(contact_id)
        return Reply(204)
    return Reply(200, _contact_json(call, found[1]))


CONTACT_READ_ONLY = frozenset(
    {"id", "createdDateTime", "lastModifiedDateTime", "changeKey", "parentFolderId"}
)


def _apply_contact_fields(item: Item, body: dict[str, Any]) -> None:
    for key, value in body.items():
        if key.startswith("@odata"):
            continue
        if key not in CONTACT_PROPS:
            raise _bad(
                f"Could not find a property named '{key}' on type 'microsoft.graph.contact'.",
                "RequestBroker--ParseUri",
            )
        if key in CONTACT_READ_ONLY:
            raise _bad(f"The property '{key}' is read-only.", "ErrorInvalidPropertyRequest")
        if key == "categories":
            value = _string_list(value, key)
        if key == "emailAddresses" and (
            not isinstance(value, list)
            or not all(isinstance(v, dict) and isinstance(v.get("address"), str) for v in value)
        ):
            raise _bad("emailAddresses must be emailAddress objects.", "ErrorInvalidProperty")
        item[key] = value


def _patch_contact(call: Call, contact_id: str) -> Reply:
    found = call.mailbox.find_contact(contact_id)
    if found is None:
        raise _not_found()
    coll, item = found
    if not isinstance(call.body, dict):
        raise _bad("Empty Payload. JSON content expected.", "BadRequest")
    _check_if_match(call, item)
    _apply_contact_fields(item, call.body)
    item["lastModifiedDateTime"] = iso(call.now)
    coll.put(item)
    return Reply(200, _contact_json(call, item))


# --------------------------------------------------------------------------- categories


def _category_json(call: Call, cat: Item) -> dict[str, Any]:
    return {"id": cat["id"], "displayName": cat["displayName"], "color": cat["color"]}


def _list_categories(call: Call) -> Reply:
    return Reply(
        200,
        {
            "@odata.context": f"{call.base}/$metadata#users('{call.mailbox.upn}')"
            "/outlook/masterCategories",
            "value": [_category_json(call, c) for c in call.mailbox.categories.values()],
        },
    )


def _create_category(call: Call) -> Reply:
    body = call.body
    if not isinstance(body, dict):
        raise _bad("Empty Payload. JSON content expected.", "BadRequest")
    name = body.get("displayName")
    color = body.get("color", "none")
    if not isinstance(name, str) or not name.strip():
        raise _bad("The displayName property is required.", "ErrorInvalidProperty")
    if color not in CATEGORY_COLORS:
        raise _bad(f"'{color}' is not a valid categoryColor.", "ErrorInvalidProperty")
    unknown = set(body) - {"displayName", "color"}
    if unknown:
        raise _bad(f"Unknown properties: {sorted(unknown)}", "RequestBroker--ParseUri")
    if any(
        c["displayName"].casefold() == name.casefold() for c in call.mailbox.categories.values()
    ):
        raise GraphError(
            409, "ErrorAlreadyExists", "A category with the same display name already exists."
        )
    cat_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{call.mailbox.upn}/cat/{name}/{call.now}"))
    cat = {"id": cat_id, "displayName": name, "color": color}
    call.mailbox.categories[cat_id] = cat
    return Reply(201, {"@odata.context": f"{call.base}/$metadata#outlookCategory",
                       **_category_json(call, cat)})  # fmt: skip


def _category_by_id(call: Call, cat_id: str) -> Reply:
    cat = call.mailbox.categories.get(cat_id)
    if cat is None:
        raise _not_found()
    if call.method == "GET":
        return Reply(200, _category_json(call, cat))
    if call.method == "DELETE":
        del call.mailbox.categories[cat_id]
        return Reply(204)
    body = call.body if isinstance(call.body, dict) else {}
    if set(body) - {"color"}:
        raise _bad("Only color can be updated on an outlookCategory.", "ErrorInvalidProperty")
    if "color" in body:
        if body["color"] not in CATEGORY_COLORS:
            raise _bad(f"'{body['color']}' is not a valid categoryColor.", "ErrorInvalidProperty")
        cat["color"] = body["color"]
    return Reply(200, _category_json(call, cat))


# --------------------------------------------------------------------------- To Do


def _etag_bump(item: Item) -> None:
    version = int(item.get("_v", 0)) + 1
    item["_v"] = version
    item["_etag"] = change_key(item["id"], version)


def _list_json(todo: TodoList) -> dict[str, Any]:
    return render(todo.data, None, odata_type="#microsoft.graph.todoTaskList")


def _todo_lists(call: Call) -> Reply:
    mb = call.mailbox
    if call.method == "GET":
        return Reply(
            200,
            {
                "@odata.context": f"{call.base}/$metadata#users('{mb.upn}')/todo/lists",
                "value": [_list_json(t) for t in mb.todo.values()],
            },
        )
    body = call.body
    if not isinstance(body, dict) or not isinstance(body.get("displayName"), str):
        raise _bad("The displayName property is required.", "invalidRequest")
    list_id = mb.new_id("todolist")
    data = {
        "id": list_id,
        "displayName": body["displayName"],
        "isOwner": True,
        "isShared": False,
        "wellknownListName": "none",
    }
    _etag_bump(data)
    mb.todo[list_id] = TodoList(data)
    return Reply(201, _list_json(mb.todo[list_id]))


def _todo_list(call: Call, list_id: str) -> Reply:
    todo = call.mailbox.todo.get(list_id)
    if todo is None:
        raise _not_found()
    if call.method == "GET":
        return Reply(200, _list_json(todo))
    if call.method == "DELETE":
        if todo.data.get("wellknownListName") == "defaultList":
            raise _bad("The default task list cannot be deleted.", "invalidRequest")
        del call.mailbox.todo[list_id]
        return Reply(204)
    body = call.body if isinstance(call.body, dict) else {}
    if set(body) - {"displayName"}:
        raise _bad("Only displayName can be updated on a todoTaskList.", "invalidRequest")
    if "displayName" in body:
        todo.data["displayName"] = body["displayName"]
        _etag_bump(todo.data)
    return Reply(200, _list_json(todo))


TASK_WRITABLE = frozenset(
    {
        "title", "status", "importance", "body", "dueDateTime", "startDateTime",
        "reminderDateTime", "isReminderOn", "completedDateTime", "categories", "recurrence",
    }
)  # fmt: skip
LINK_FIELDS = frozenset({"webUrl", "applicationName", "displayName", "externalId"})


def _date_time_tz(value: Any, name: str) -> dict[str, str] | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("dateTime"), str)
        or not isinstance(value.get("timeZone"), str)
    ):
        raise _bad(f"Property '{name}' must be a dateTimeTimeZone.", "invalidRequest")
    try:
        parse_graph_datetime(value["dateTime"])
    except ValueError:
        raise _bad(f"Invalid dateTime in '{name}'.", "invalidRequest") from None
    return {"dateTime": value["dateTime"], "timeZone": value["timeZone"]}


def _apply_task_fields(call: Call, task: Item, body: dict[str, Any]) -> None:
    for key, value in body.items():
        if key.startswith("@odata"):
            continue
        if key not in TASK_WRITABLE:
            raise _bad(f"Invalid property '{key}' for microsoft.graph.todoTask.", "invalidRequest")
        if key == "status":
            if value not in TASK_STATUSES:
                raise _bad(f"Invalid status '{value}'.", "invalidRequest")
            was_done = task.get("status") == "completed"
            task["status"] = value
            if value == "completed" and not was_done and "completedDateTime" not in body:
                task["completedDateTime"] = {
                    "dateTime": call.now.astimezone(UTC).strftime("%Y-%m-%dT00:00:00.0000000"),
                    "timeZone": "UTC",
                }
            elif value != "completed":
                task.pop("completedDateTime", None)
        elif key == "importance":
            if value not in IMPORTANCE:
                raise _bad(f"Invalid importance '{value}'.", "invalidRequest")
            task[key] = value
        elif key in ("dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime"):
            parsed = _date_time_tz(value, key)
            if parsed is None:
                task.pop(key, None)
            else:
                if key == "dueDateTime" and call.todo_due_dates_only:
                    # Microsoft To Do keeps the due *date* (in the given zone), not a time.
                    parsed["dateTime"] = parsed["dateTime"][:10] + "T00:00:00.0000000"
                task[key] = parsed
        elif key == "body":
            if (
                not isinstance(value, dict)
                or not isinstance(value.get("content", ""), str)
                or value.get("contentType", "text") not in ("text", "html")
            ):
                raise _bad("Property 'body' must be an itemBody.", "invalidRequest")
            task["body"] = {
                "content": value.get("content", ""),
                "contentType": value.get("contentType", "text"),
            }
            task["bodyLastModifiedDateTime"] = iso(call.now)
        elif key == "categories":
            task[key] = _string_list(value, key)
        elif key == "title":
            if not isinstance(value, str):
                raise _bad("Property 'title' must be a string.", "invalidRequest")
            task[key] = value
        elif key == "isReminderOn":
            if not isinstance(value, bool):
                raise _bad("Property 'isReminderOn' must be a Boolean.", "invalidRequest")
            task[key] = value
        else:
            task[key] = value


def _new_link(call: Call, value: Any) -> Item:
    if not isinstance(value, dict):
        raise _bad("A linkedResource must be an object.", "invalidRequest")
    unknown = set(value) - LINK_FIELDS - {"@odata.type"}
    if unknown:
        raise _bad(f"Invalid linkedResource properties: {sorted(unknown)}", "invalidRequest")
    for key in LINK_FIELDS:
        if key in value and value[key] is not None and not isinstance(value[key], str):
            raise _bad(f"linkedResource '{key}' must be a string.", "invalidRequest")
    link = {
        "id": str(uuid.uuid4()),
        "webUrl": value.get("webUrl"),
        "applicationName": value.get("applicationName"),
        "displayName": value.get("displayName"),
        "externalId": value.get("externalId"),
    }
    return link


def _task_json(todo: TodoList, task: Item, expand: bool) -> dict[str, Any]:
    out = render(task, None, odata_type="#microsoft.graph.todoTask")
    if expand:
        out["linkedResources"] = [
            {"@odata.type": "#microsoft.graph.linkedResource", **link}
            for link in todo.linked.get(task["id"], {}).values()
        ]
    return out


def _task_filter(raw: str | None) -> Callable[[Item], bool]:
    if not raw:
        return lambda task: True
    tests: list[Callable[[Item], bool]] = []
    for clause in re.split(r"\s+and\s+", raw.strip(), flags=re.I):
        m = re.fullmatch(r"(status|title|importance)\s+(eq|ne)\s+'([^']*)'", clause.strip())
        if m is None:
            raise _bad(f"Unsupported $filter clause: {clause}", "invalidRequest")
        prop, op, literal = m.group(1), m.group(2), m.group(3)
        if op == "eq":
            tests.append(lambda t, p=prop, v=literal: t.get(p) == v)
        else:
            tests.append(lambda t, p=prop, v=literal: t.get(p) != v)
    return lambda task: all(test(task) for test in tests)


def _expands_links(call: Call) -> bool:
    raw = call.query.get("$expand", "")
    names = {part.strip().lower() for part in raw.split(",") if part.strip()}
    unknown = names - {"linkedresources"}
    if unknown:
        raise _bad(f"Unsupported $expand: {sorted(unknown)}", "invalidRequest")
    return "linkedresources" in names


def _todo_tasks(call: Call, list_id: str) -> Reply:
    todo = call.mailbox.todo.get(list_id)
    if todo is None:
        raise _not_found()
    if call.method == "GET":
        expand = _expands_links(call)
        wanted = _task_filter(call.query.get("$filter"))
        rendered = [_task_json(todo, t, expand) for t in todo.tasks.values() if wanted(t)]
        return _list_paged(
            call, rendered, f"/todo/lists/{list_id}/tasks", DEFAULT_TASK_PAGE,
            "microsoft.graph.todoTask",
        )  # fmt: skip
    body = call.body
    if not isinstance(body, dict):
        raise _bad("Empty Payload. JSON content expected.", "invalidRequest")
    links_in = body.get("linkedResources", [])
    if not isinstance(links_in, list):
        raise _bad("linkedResources must be a collection.", "invalidRequest")
    links = [_new_link(call, v) for v in links_in]
    task_id = call.mailbox.new_id("task")
    now = iso(call.now)
    task: Item = {
        "id": task_id,
        "importance": "normal",
        "isReminderOn": False,
        "status": "notStarted",
        "title": "",
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "bodyLastModifiedDateTime": now,
        "hasAttachments": False,
        "categories": [],
        "body": {"content": "", "contentType": "text"},
    }
    _apply_task_fields(call, task, {k: v for k, v in body.items() if k != "linkedResources"})
    _etag_bump(task)
    todo.tasks[task_id] = task
    todo.linked[task_id] = {link["id"]: link for link in links}
    out = _task_json(todo, task, expand=bool(links))
    return Reply(201, out)


def _todo_task(call: Call, list_id: str, task_id: str) -> Reply:
    todo = call.mailbox.todo.get(list_id)
    if todo is None:
        raise _not_found()
    task = todo.tasks.get(task_id)
    if task is None:
        raise _not_found()
    if call.method == "GET":
        return Reply(200, _task_json(todo, task, _expands_links(call)))
    if call.method == "DELETE":
        del todo.tasks[task_id]
        todo.linked.pop(task_id, None)
        return Reply(204)
    if not isinstance(call.body, dict):
        raise _bad("Empty Payload. JSON content expected.", "invalidRequest")
    _check_if_match(call, task)
    _apply_task_fields(call, task, call.body)
    task["lastModifiedDateTime"] = iso(call.now)
    _etag_bump(task)
    return Reply(200, _task_json(todo, task, expand=False))


def _links(call: Call, list_id: str, task_id: str, link_id: str | None = None) -> Reply:
    todo = call.mailbox.todo.get(list_id)
    if todo is None or task_id not in todo.tasks:
        raise _not_found()
    links = todo.linked.setdefault(task_id, {})
    if link_id is None:
        if call.method == "GET":
            return Reply(
                200,
                {
                    "@odata.context": f"{call.base}/$metadata#Collection(microsoft.graph."
                    "linkedResource)",
                    "value": [
                        {"@odata.type": "#microsoft.graph.linkedResource", **v}
                        for v in links.values()
                    ],
                },
            )
        link = _new_link(call, call.body)
        links[link["id"]] = link
        return Reply(201, {"@odata.type": "#microsoft.graph.linkedResource", **link})
    link = links.get(link_id)
    if link is None:
        raise _not_found()
    if call.method == "GET":
        return Reply(200, {"@odata.type": "#microsoft.graph.linkedResource", **link})
    if call.method == "DELETE":
        del links[link_id]
        return Reply(204)
    update = _new_link(call, call.body)
    for key in LINK_FIELDS:
        if isinstance(call.body, dict) and key in call.body:
            link[key] = update[key]
    return Reply(200, {"@odata.type": "#microsoft.graph.linkedResource", **link})


# --------------------------------------------------------------------------- user


def _me(call: Call) -> Reply:
    mb = call.mailbox
    return Reply(
        200,
        {
            "@odata.context": f"{call.base}/$metadata#users/$entity",
            "id": mb.user_id,
            "displayName": mb.display_name,
            "mail": mb.upn,
            "userPrincipalName": mb.upn,
        },
    )


# --------------------------------------------------------------------------- routing

Handler = Callable[..., Reply]
_SEG = r"([^/]+)"
ROUTES: list[tuple[frozenset[str], re.Pattern[str], Handler]] = [
    (frozenset({"GET"}), re.compile(r""), _me),
    (frozenset({"GET"}), re.compile(rf"/mailFolders/{_SEG}/messages/delta"), _message_delta),
    (frozenset({"GET"}), re.compile(rf"/mailFolders/{_SEG}"), _get_folder),
    (frozenset({"GET"}), re.compile(rf"/mailFolders/{_SEG}/messages"), _list_messages),
    (frozenset({"GET"}), re.compile(rf"/(?:mailFolders/[^/]+/)?messages/{_SEG}"), _get_message),
    (frozenset({"PATCH"}), re.compile(rf"/(?:mailFolders/[^/]+/)?messages/{_SEG}"), _patch_message),
    (frozenset({"GET"}), re.compile(r"/calendarView/delta"), _calendar_delta),
    (frozenset({"GET"}), re.compile(rf"/(?:calendar/)?events/{_SEG}"), _get_event),
    (frozenset({"GET"}), re.compile(r"/contacts/delta"), _contacts_delta),
    (frozenset({"GET"}), re.compile(rf"/contactFolders/{_SEG}/contacts/delta"), _contacts_delta),
    (frozenset({"GET", "POST"}), re.compile(r"/contacts"), _list_contacts),
    (frozenset({"GET", "POST"}), re.compile(rf"/contactFolders/{_SEG}/contacts"), _list_contacts),
    (
        frozenset({"GET", "DELETE"}),
        re.compile(rf"/(?:contactFolders/[^/]+/)?contacts/{_SEG}"),
        _get_contact,
    ),
    (
        frozenset({"PATCH"}),
        re.compile(rf"/(?:contactFolders/[^/]+/)?contacts/{_SEG}"),
        _patch_contact,
    ),
    (frozenset({"GET"}), re.compile(r"/outlook/masterCategories"), _list_categories),
    (frozenset({"POST"}), re.compile(r"/outlook/masterCategories"), _create_category),
    (
        frozenset({"GET", "PATCH", "DELETE"}),
        re.compile(rf"/outlook/masterCategories/{_SEG}"),
        _category_by_id,
    ),
    (frozenset({"GET", "POST"}), re.compile(r"/todo/lists"), _todo_lists),
    (frozenset({"GET", "PATCH", "DELETE"}), re.compile(rf"/todo/lists/{_SEG}"), _todo_list),
    (frozenset({"GET", "POST"}), re.compile(rf"/todo/lists/{_SEG}/tasks"), _todo_tasks),
    (
        frozenset({"GET", "PATCH", "DELETE"}),
        re.compile(rf"/todo/lists/{_SEG}/tasks/{_SEG}"),
        _todo_task,
    ),
    (
        frozenset({"GET", "POST"}),
        re.compile(rf"/todo/lists/{_SEG}/tasks/{_SEG}/linkedResources"),
        _links,
    ),
    (
        frozenset({"GET", "PATCH", "DELETE"}),
        re.compile(rf"/todo/lists/{_SEG}/tasks/{_SEG}/linkedResources/{_SEG}"),
        _links,
    ),
]


def is_delta(rest: str) -> bool:
    return rest.endswith("/delta")


def dispatch(call: Call) -> Reply:
    """Route one mailbox-scoped call; raises ``GraphError`` for error replies."""
    path_known = False
    for methods, pattern, handler in ROUTES:
        m = pattern.fullmatch(call.rest)
        if m is None:
            continue
        path_known = True
        if call.method in methods:
            with call.mailbox.lock:
                return handler(call, *m.groups())
    if path_known:
        raise GraphError(405, "Request_BadRequest", f"Method {call.method} is not allowed here.")
    raise GraphError(
        400,
        "BadRequest",
        f"Resource not found for the segment '{call.rest.strip('/').split('/')[0]}'.",
    )
