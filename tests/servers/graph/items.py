"""Mail, calendar and contact operations of the Graph test server.

Exports the handlers the route table in ``routes.py`` names.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import win_tz

from . import delta
from .deltas import DeltaKind, serve_delta
from .mailbox import Collection, Item, iso
from .protocol import (
    Call,
    Reply,
    bad_request,
    check_if_match,
    list_paged,
    not_found,
    preferences,
    rest_ids,
    string_list,
)
from .resources import (
    CONTACT_PROPS,
    EVENT_PROPS,
    IMPORTANCE,
    MESSAGE_ON_REQUEST,
    MESSAGE_PROPS,
    SelectError,
    new_message,
    parse_graph_datetime,
    parse_select,
    render,
)

# --------------------------------------------------------------------------- mail


def message_delta(call: Call, folder_ref: str) -> Reply:
    folder_id = call.mailbox.folder_id(folder_ref)
    if folder_id is None:
        raise not_found()
    kind = DeltaKind(
        f"/mailFolders/{folder_ref}/messages/delta",
        MESSAGE_PROPS,
        "microsoft.graph.message",
        MESSAGE_ON_REQUEST,
        partial_updates=True,
        extended=True,
    )

    def keep(item: Item, state: delta.DeltaState) -> bool:
        if state.received_filter is None:
            return True
        op, bound = state.received_filter
        received = item["receivedDateTime"]
        return bool(received >= bound if op == "ge" else received > bound)

    return serve_delta(call, call.mailbox.messages[folder_id], kind, keep=keep)


FOLDER_PROPS = frozenset(
    {"displayName", "parentFolderId", "childFolderCount", "unreadItemCount", "totalItemCount",
     "isHidden"}
)  # fmt: skip
CONTAINER_CLASS = "String 0x3613"  # PidTagContainerClass, the folder's class (IPF.Note, ...)


def _folder_json(call: Call, folder: Item) -> dict[str, Any]:
    """A mailFolder as Graph renders it. ``$select`` narrows it to ``id`` and the properties
    named; ``$expand=singleValueExtendedProperties($filter=id eq 'String 0x3613')`` adds the
    folder's class ("Get singleValueLegacyExtendedProperty", learn.microsoft.com/graph/api/
    singlevaluelegacyextendedproperty-get: a property is named ``{type} {proptag}``); a search
    folder comes as a ``#microsoft.graph.mailSearchFolder`` ("List mailFolders": "The returned
    collection includes any mail search folders directly under the root")."""
    mb = call.mailbox
    coll = mb.messages[folder["id"]]
    body: dict[str, Any] = {
        "id": folder["id"],
        "displayName": folder["displayName"],
        "parentFolderId": folder["parentFolderId"],
        "childFolderCount": len(mb.child_folders(folder["id"])),
        "unreadItemCount": sum(1 for m in coll if not m["isRead"]),
        "totalItemCount": len(coll.items),
        "isHidden": folder["isHidden"],
    }
    wanted = call.query.get("$select")
    if wanted:
        names = {n.strip() for n in wanted.split(",") if n.strip()}
        unknown = names - FOLDER_PROPS - {"id"}
        if unknown:
            raise bad_request(
                f"Could not find a property named '{sorted(unknown)[0]}' on type "
                "'microsoft.graph.mailFolder'.",
                "RequestBroker--ParseUri",
            )
        body = {k: v for k, v in body.items() if k == "id" or k in names}
    if folder["search"]:
        body = {"@odata.type": "#microsoft.graph.mailSearchFolder", **body}
    expand = call.query.get("$expand") or ""
    if "singleValueExtendedProperties" in expand and CONTAINER_CLASS in expand:
        body["singleValueExtendedProperties"] = [
            {"id": CONTAINER_CLASS, "value": folder["folderClass"]}
        ]
    return body


def get_folder(call: Call, folder_ref: str) -> Reply:
    folder_id = call.mailbox.folder_id(folder_ref)
    if folder_id is None:
        raise not_found()
    body = _folder_json(call, call.mailbox.folders[folder_id])
    context = f"{call.base}/$metadata#users('{call.mailbox.upn}')/mailFolders/$entity"
    return Reply(200, {"@odata.context": context, **body})


def _list_folders(call: Call, parent: str, path: str) -> Reply:
    """The folders directly below ``parent``, ten to a page unless ``$top`` says otherwise
    (Graph's default page for mail folders), hidden ones only with ``includeHiddenFolders=true``
    ("By default, this operation does not return hidden folders")."""
    hidden = call.query.get("includeHiddenFolders", "").lower() == "true"
    shown = [
        _folder_json(call, f)
        for f in call.mailbox.child_folders(parent)
        if hidden or not f["isHidden"]
    ]
    return list_paged(call, shown, path, 10, "microsoft.graph.mailFolder")


def list_folders(call: Call) -> Reply:
    """``GET /mailFolders``: the children of the message folder root only ("This operation does
    not return all mail folders in a mailbox, only the child folders of the root folder. To
    return all mail folders in a mailbox, each child folder must be traversed separately",
    List mailFolders, learn.microsoft.com/graph/api/user-list-mailfolders)."""
    return _list_folders(call, call.mailbox.folder_alias["msgfolderroot"], "/mailFolders")


def list_child_folders(call: Call, folder_ref: str) -> Reply:
    """``GET /mailFolders/{id}/childFolders`` (List childFolders,
    learn.microsoft.com/graph/api/mailfolder-list-childfolders): one level, not the subtree."""
    folder_id = call.mailbox.folder_id(folder_ref)
    if folder_id is None:
        raise not_found()
    return _list_folders(call, folder_id, f"/mailFolders/{folder_ref}/childFolders")


# $filter on a single-value extended property, as "Get singleValueLegacyExtendedProperty"
# documents it: singleValueExtendedProperties/Any(ep: ep/id eq '{id}' and ep/value eq '{value}').
_EXT_ANY = re.compile(
    r"singleValueExtendedProperties/Any\(ep:\s*ep/id\s+eq\s+'([^']+)'\s+and\s+"
    r"ep/value\s+eq\s+'([^']*)'\)",
    re.IGNORECASE,
)


def _ext_value(item: Item, pid: str) -> str | None:
    """An extended property's value; Graph compares their ids case-insensitively."""
    return next((v for k, v in item.get("_ext", {}).items() if k.lower() == pid.lower()), None)


def _message_json(call: Call, item: Item, select: list[str] | None) -> dict[str, Any]:
    out = render(
        item, select, odata_type="#microsoft.graph.message", hidden=MESSAGE_ON_REQUEST,
        rest_ids=rest_ids(call),
    )  # fmt: skip
    return _with_extended(call, item, out)


def list_messages(call: Call, folder_ref: str) -> Reply:
    folder_id = call.mailbox.folder_id(folder_ref)
    if folder_id is None:
        raise not_found()
    if call.method == "POST":
        return _create_message(call, folder_id)
    try:
        select = parse_select(call.query.get("$select"), MESSAGE_PROPS, "microsoft.graph.message")
    except SelectError as exc:
        raise bad_request(str(exc), "RequestBroker--ParseUri") from None
    items = sorted(
        call.mailbox.messages[folder_id], key=lambda m: m["receivedDateTime"], reverse=True
    )
    wanted = call.query.get("$filter")
    if wanted is not None:
        m = _EXT_ANY.fullmatch(wanted.strip())
        if m is None:
            raise bad_request(f"Unsupported $filter: {wanted}", "ErrorInvalidUrlQuery")
        items = [i for i in items if _ext_value(i, m.group(1)) == m.group(2)]
    rendered = [_message_json(call, m, select) for m in items]
    return list_paged(
        call, rendered, f"/mailFolders/{folder_ref}/messages", 10, "microsoft.graph.message"
    )


# PidTagMessageFlags ([MS-OXCMSG] 2.2.1.6, "Integer 0x0E07" in Graph): mfUnsent (0x8) makes a
# message a draft; "after the first successful call to RopSaveChangesMessage ... these flags are
# read-only for the client". "Create message in a mailfolder" (mailfolder-post-messages) therefore
# makes a draft unless the property is given in the POST without mfUnsent; a PATCH cannot change
# it later (microsoft-graph-docs-contrib#8631, #2790). Nobody receives such a message: it is saved
# in the folder, with the recipients the body names, and never sent.
MESSAGE_FLAGS = "integer 0x0e07"
MF_READ, MF_UNSENT = 0x1, 0x8
MESSAGE_CREATABLE = frozenset({"subject", "body", "importance", "categories", "isRead"})


def _extended_properties(body: dict[str, Any]) -> list[dict[str, str]]:
    """The ``singleValueExtendedProperties`` a POST carries, as id/value pairs."""
    ext_in = body.get("singleValueExtendedProperties", [])
    if not isinstance(ext_in, list) or not all(
        isinstance(e, dict) and isinstance(e.get("id"), str) and isinstance(e.get("value"), str)
        for e in ext_in
    ):
        raise bad_request(
            "singleValueExtendedProperties must be id/value pairs.", "ErrorInvalidProperty"
        )
    return ext_in


def _create_message(call: Call, folder_id: str) -> Reply:
    body = call.body
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.", "BadRequest")
    ext_in = _extended_properties(body)
    unknown = set(body) - MESSAGE_CREATABLE - {"singleValueExtendedProperties"}
    if unknown:
        raise bad_request(f"Unsupported properties: {sorted(unknown)}", "ErrorInvalidProperty")
    content = body.get("body", {"contentType": "text", "content": ""})
    if not isinstance(content, dict) or content.get("contentType") not in ("text", "html"):
        raise bad_request("Invalid body.", "ErrorInvalidProperty")
    mb = call.mailbox
    item_id = mb.new_id("message")
    item = new_message(
        item_id=item_id, folder_id=folder_id, subject=str(body.get("subject") or ""),
        sender=mb.upn, to=(), cc=(), bcc=(), sent=call.now, received=call.now,
        internet_message_id=f"<{item_id[4:20]}@example.com>",
        conversation_id=mb.new_id("conversation"), headers=None,
        categories=string_list(body.get("categories", []), "categories"),
        is_read=bool(body.get("isRead", False)), created=call.now,
    )  # fmt: skip
    flags = next((int(e["value"]) for e in ext_in if e["id"].lower() == MESSAGE_FLAGS), None)
    item["isDraft"] = flags is None or bool(flags & MF_UNSENT)
    if flags is not None:
        item["isRead"] = bool(flags & MF_READ)
    if item["isDraft"]:
        item["sentDateTime"] = None  # a draft has not been sent
    item["body"] = {"contentType": content["contentType"], "content": str(content.get("content"))}
    item["bodyPreview"] = item["body"]["content"][:255]
    if ext_in:
        item["_ext"] = {e["id"]: e["value"] for e in ext_in}
    mb.messages[folder_id].put(item)
    mb.message_folder[item_id] = folder_id
    return Reply(201, _message_json(call, item, None))


def get_message(call: Call, message_id: str) -> Reply:
    found = call.mailbox.find_message(message_id)
    if found is None:
        raise not_found()
    if call.method == "DELETE":
        # message-delete: the message leaves its folder (the folder's delta reports it removed).
        found[0].remove(found[1]["id"])
        call.mailbox.message_folder.pop(found[1]["id"], None)
        return Reply(204)
    try:
        select = parse_select(call.query.get("$select"), MESSAGE_PROPS, "microsoft.graph.message")
    except SelectError as exc:
        raise bad_request(str(exc), "RequestBroker--ParseUri") from None
    return Reply(200, _message_json(call, found[1], select))


MESSAGE_WRITABLE = frozenset(
    {"categories", "isRead", "flag", "importance", "inferenceClassification"}
)
FLAG_STATUSES = ("notFlagged", "flagged", "complete")
INVALID_ARGUMENT = "The request is invalid."


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(win_tz.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request(f"Invalid time zone '{name}'.", "ErrorInvalidArgument") from None


def _date_time_zone(value: Any) -> str:
    """A ``dateTimeTimeZone`` as Graph keeps it, in UTC. The ``dateTime`` is a local time in
    ``timeZone``: one with its own offset or ``Z`` is refused when a zone is named
    (littlebearapps/outlook-assistant#81: "rejects Z-suffixed dateTime when a separate timeZone
    property is provided")."""
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("dateTime"), str)
        or not isinstance(value.get("timeZone"), str)
    ):
        raise bad_request(INVALID_ARGUMENT, "ErrorInvalidArgument")
    text = value["dateTime"]
    if text.endswith("Z") or re.search(r"[+-]\d\d:\d\d$", text):
        raise bad_request(INVALID_ARGUMENT, "ErrorInvalidArgument")
    try:
        local = parse_graph_datetime(text).replace(tzinfo=_zone(value["timeZone"]))
    except ValueError:
        raise bad_request(INVALID_ARGUMENT, "ErrorInvalidArgument") from None
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def followup_flag(value: Any) -> dict[str, Any]:
    """A ``followupFlag`` as a PATCH sets it (followupFlag resource type): ``flagStatus`` one of
    notFlagged, flagged, complete; "to set the due date, you must also specify the
    startDateTime; otherwise, you get a 400 Bad Request response" (also
    microsoft-graph-docs-contrib#6473: ``ErrorInvalidArgument``). The flag is replaced whole;
    a cleared flag keeps no dates. Dates are kept, and returned, in UTC (without a
    ``Prefer: outlook.timezone`` Graph returns dateTimeTimeZone values in UTC)."""
    if not isinstance(value, dict) or value.get("flagStatus") not in FLAG_STATUSES:
        raise bad_request(INVALID_ARGUMENT, "ErrorInvalidArgument")
    unknown = set(value) - {"flagStatus", "startDateTime", "dueDateTime", "completedDateTime"}
    if unknown:
        raise bad_request(
            f"Could not find a property named '{sorted(unknown)[0]}' on type "
            "'microsoft.graph.followupFlag'.", "RequestBroker--ParseUri",
        )  # fmt: skip
    if value.get("dueDateTime") is not None and value.get("startDateTime") is None:
        raise bad_request(INVALID_ARGUMENT, "ErrorInvalidArgument")
    flag: dict[str, Any] = {"flagStatus": value["flagStatus"]}
    if value["flagStatus"] == "notFlagged":
        return flag
    for name in ("startDateTime", "dueDateTime", "completedDateTime"):
        if value.get(name) is not None:
            flag[name] = {"dateTime": _date_time_zone(value[name]), "timeZone": "UTC"}
    return flag


def patch_message(call: Call, message_id: str) -> Reply:
    found = call.mailbox.find_message(message_id)
    if found is None:
        raise not_found()
    coll, item = found
    if not isinstance(call.body, dict):
        raise bad_request("Empty Payload. JSON content expected.", "BadRequest")
    check_if_match(call, item)
    updates: dict[str, Any] = {}
    for key, value in call.body.items():  # all or nothing: every property is checked first
        if key not in MESSAGE_WRITABLE:
            raise bad_request(
                f"The property '{key}' cannot be updated on a sent or received message.",
                "ErrorInvalidPropertyRequest",
            )
        if key == "categories":
            value = string_list(value, key)
        if key == "flag":
            value = followup_flag(value)
        if key == "isRead" and not isinstance(value, bool):
            raise bad_request("Property 'isRead' must be a Boolean.", "ErrorInvalidProperty")
        if key == "importance" and value not in IMPORTANCE:
            raise bad_request("Invalid importance.", "ErrorInvalidProperty")
        updates[key] = value
    item.update(updates)
    changed = set(call.body)
    if changed != {"isRead"}:  # a read toggle keeps the modification time (corso#1866)
        item["lastModifiedDateTime"] = iso(call.now)
        changed.add("lastModifiedDateTime")
    coll.put(item, changed)
    return Reply(200, render(item, None, odata_type="#microsoft.graph.message",
                             hidden=MESSAGE_ON_REQUEST, rest_ids=rest_ids(call)))  # fmt: skip


# --------------------------------------------------------------------------- calendar


def calendar_delta(call: Call) -> Reply:
    window: tuple[datetime, datetime] | None = None
    if not (call.query.get("$skiptoken") or call.query.get("$deltatoken")):
        start = call.query.get("startDateTime")
        end = call.query.get("endDateTime")
        if not start or not end:
            raise bad_request(
                "This request requires a time window specified by the query string parameters "
                "StartDateTime and EndDateTime.",
                "ErrorInvalidParameter",
            )
        try:
            window = (parse_graph_datetime(start), parse_graph_datetime(end))
        except ValueError:
            raise bad_request(
                "Invalid startDateTime or endDateTime.", "ErrorInvalidParameter"
            ) from None
    kind = DeltaKind("/calendarView/delta", None, "microsoft.graph.event", shape=_occurrence)

    def keep(item: Item, state: delta.DeltaState) -> bool:
        assert state.window is not None
        lo, hi = (parse_graph_datetime(v) for v in state.window)
        # calendarView expands series: occurrences are served, the master itself is not.
        return bool(item["type"] != "seriesMaster" and item["_start"] < hi and item["_end"] > lo)

    return serve_delta(call, call.mailbox.events, kind, window=window, keep=keep)


# An occurrence of a series comes in calendarView delta with these properties and no others:
# no subject, organizer or attendees (microsoftgraph/microsoft-graph-docs#22197,
# microsoftgraph/microsoft-graph-docs-contrib#5602). Exceptions come whole.
BARE_OCCURRENCE = ["seriesMasterId", "type", "start", "end"]


def _occurrence(item: Item) -> list[str] | None:
    return BARE_OCCURRENCE if item["type"] == "occurrence" else None


def get_event(call: Call, event_id: str) -> Reply:
    item = call.mailbox.find_event(event_id)
    if item is None:
        raise not_found()
    _, tz = preferences(call)
    try:
        select = parse_select(call.query.get("$select"), EVENT_PROPS, "microsoft.graph.event")
    except SelectError as exc:
        raise bad_request(str(exc), "RequestBroker--ParseUri") from None
    return Reply(
        200,
        render(
            item, select, odata_type="#microsoft.graph.event", time_zone=tz or "UTC",
            rest_ids=rest_ids(call),
        ),
    )  # fmt: skip


# --------------------------------------------------------------------------- contacts


def _contact_folder(call: Call, folder_ref: str | None) -> Collection:
    coll = call.mailbox.contact_folder(folder_ref)
    if coll is None:
        raise not_found()
    return coll


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
        raise bad_request(f"Unsupported $expand: {raw}", "ErrorInvalidUrlQuery")
    return True, m.group(1)


def _contact_json(call: Call, item: Item, select: list[str] | None = None) -> dict[str, Any]:
    out = render(item, select, odata_type="#microsoft.graph.contact", rest_ids=rest_ids(call))
    return _with_extended(call, item, out)


def _with_extended(call: Call, item: Item, out: dict[str, Any]) -> dict[str, Any]:
    """``out`` with the extended properties ``$expand`` asks for."""
    expand, wanted = _ext_filter(call)
    if expand:
        # Graph compares extended property ids case-insensitively.
        out["singleValueExtendedProperties"] = [
            {"id": pid, "value": value}
            for pid, value in item.get("_ext", {}).items()
            if wanted is None or pid.lower() == wanted.lower()
        ]
    return out


def contacts_delta(call: Call, folder_ref: str | None = None) -> Reply:
    coll = _contact_folder(call, folder_ref)
    path = (
        "/contacts/delta" if folder_ref is None else f"/contactFolders/{folder_ref}/contacts/delta"
    )
    kind = DeltaKind(path, CONTACT_PROPS, "microsoft.graph.contact")
    return serve_delta(call, coll, kind)


def list_contacts(call: Call, folder_ref: str | None = None) -> Reply:
    coll = _contact_folder(call, folder_ref)
    if call.method == "POST":
        return _create_contact(call, coll)
    try:
        select = parse_select(call.query.get("$select"), CONTACT_PROPS, "microsoft.graph.contact")
    except SelectError as exc:
        raise bad_request(str(exc), "RequestBroker--ParseUri") from None
    rendered = [_contact_json(call, c, select) for c in coll]
    path = "/contacts" if folder_ref is None else f"/contactFolders/{folder_ref}/contacts"
    return list_paged(call, rendered, path, 10, "microsoft.graph.contact")


def _create_contact(call: Call, coll: Collection) -> Reply:
    body = call.body
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.", "BadRequest")
    ext_in = _extended_properties(body)
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
    return Reply(
        201, render(item, None, odata_type="#microsoft.graph.contact", rest_ids=rest_ids(call))
    )


def get_contact(call: Call, contact_id: str) -> Reply:
    found = call.mailbox.find_contact(contact_id)
    if found is None:
        raise not_found()
    if call.method == "DELETE":
        found[0].remove(found[1]["id"])
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
            raise bad_request(
                f"Could not find a property named '{key}' on type 'microsoft.graph.contact'.",
                "RequestBroker--ParseUri",
            )
        if key in CONTACT_READ_ONLY:
            raise bad_request(f"The property '{key}' is read-only.", "ErrorInvalidPropertyRequest")
        if key == "categories":
            value = string_list(value, key)
        if key == "emailAddresses" and (
            not isinstance(value, list)
            or not all(isinstance(v, dict) and isinstance(v.get("address"), str) for v in value)
        ):
            raise bad_request(
                "emailAddresses must be emailAddress objects.", "ErrorInvalidProperty"
            )
        item[key] = value


def patch_contact(call: Call, contact_id: str) -> Reply:
    found = call.mailbox.find_contact(contact_id)
    if found is None:
        raise not_found()
    coll, item = found
    if not isinstance(call.body, dict):
        raise bad_request("Empty Payload. JSON content expected.", "BadRequest")
    check_if_match(call, item)
    _apply_contact_fields(item, call.body)
    item["lastModifiedDateTime"] = iso(call.now)
    coll.put(item)
    return Reply(200, _contact_json(call, item))


# --------------------------------------------------------------------------- ids and settings

ID_FORMATS = ("restId", "restImmutableEntryId")


def translate_ids(call: Call) -> Reply:
    """``translateExchangeIds`` (user: translateExchangeIds; convertIdResult): at most 1,000
    ids of one source type; an id that names no item gets ``errorDetails``, not a
    ``targetId``. Only the two REST formats are modelled."""
    body = call.body if isinstance(call.body, dict) else {}
    inputs = body.get("inputIds")
    source, target = body.get("sourceIdType"), body.get("targetIdType")
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise bad_request("inputIds must be a collection of strings.", "ErrorInvalidParameter")
    if len(inputs) > 1000:
        raise bad_request("The maximum size of inputIds is 1000.", "ErrorInvalidParameter")
    if source not in ID_FORMATS or target not in ID_FORMATS:
        raise bad_request("Unsupported exchangeIdFormat.", "ErrorInvalidParameter")
    ids = call.mailbox.ids
    out: list[dict[str, Any]] = []
    for given in inputs:
        immutable = ids.immutable_id(given) if source == "restId" else given
        if immutable is None or not ids.knows(immutable):
            out.append(
                {
                    "sourceId": given,
                    "errorDetails": {
                        "code": "ErrorItemNotFound",
                        "message": "The specified object was not found in the store.",
                    },
                }
            )
            continue
        shown = immutable if target == "restImmutableEntryId" else ids.rest_id(immutable)
        out.append({"sourceId": given, "targetId": shown})
    return Reply(200, {"@odata.context": f"{call.base}/$metadata#Collection(convertIdResult)",
                       "value": out})  # fmt: skip


def mailbox_time_zone(call: Call) -> Reply:
    """``GET mailboxSettings/timeZone`` (user: Get mailboxSettings): the name the user chose,
    Windows (``W. Europe Standard Time``) or IANA (``Europe/Berlin``)."""
    return Reply(200, {"@odata.context": f"{call.base}/$metadata#Edm.String",
                       "value": call.mailbox.time_zone})  # fmt: skip
