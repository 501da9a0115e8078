"""The EWS operations the test server answers, each a function from request to response element.

Every handler takes the mailbox and the request's body child (``m:GetItem`` ...) and returns the
``m:<Operation>Response`` element. Per-item problems become error response messages the way
Exchange words them (GetItem/CreateItem/UpdateItem error replies still carry an empty
``<m:Items/>``; a SyncFolderItems error reply carries a ``SyncState``).

Exports: ``OPERATIONS`` (operation name -> handler), ``sync_error``.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator

from lxml import etree

from .configurations import (
    create_user_configuration,
    delete_user_configuration,
    get_user_configuration,
    update_user_configuration,
)
from .flags import set_flag
from .mailbox import ITEM_CLASSES, Folder, InvalidSyncState, Mailbox, StoredItem, extended_key
from .replies import (
    INVALID_SYNC_STATE,
    NOT_FOUND,
    ItemError,
    check_access,
    mm,
    resolve_folder,
    response,
    response_message,
    tm,
)
from .restrictions import evaluate, parse_datetime_constant, sort_key
from .shapes import (
    Shape,
    field_name,
    occurrence_overrides,
    parse_shape,
    render_folder,
    render_item,
)
from .xmlfields import canonical, field_element, sub

Handler = Callable[[Mailbox, etree._Element], etree._Element]

MAX_SYNC_CHANGES = 512


def _lookup(box: Mailbox, id_elem: etree._Element) -> tuple[StoredItem, int | None]:
    """An item (and occurrence index, for expanded calendar occurrences) by ``t:ItemId``."""
    check_access(box)
    item_id = id_elem.get("Id", "")
    base, _, occ = item_id.partition("_occ")
    item = box.items.get(base)
    if item is None:
        try:
            base64.b64decode(base.removeprefix("AAMk"), validate=True)
        except ValueError as exc:
            raise ItemError("ErrorInvalidIdMalformed", "Id is malformed.") from exc
        raise ItemError("ErrorItemNotFound", NOT_FOUND)
    if occ:
        if not occ.isdigit() or int(occ) >= len(item.occurrences):
            raise ItemError("ErrorItemNotFound", "No such occurrence.")
        return item, int(occ)
    return item, None


def _render(
    box: Mailbox, item: StoredItem, shape_elem: etree._Element | None, occ: int | None = None
) -> etree._Element:
    shape = parse_shape(shape_elem)
    folder = box.folders[item.folder_id]
    if occ is None:
        return render_item(item, shape, folder)
    start, end = item.occurrences[occ]
    return render_item(
        item,
        shape,
        folder,
        item_id=f"{item.id}_occ{occ}",
        overrides=occurrence_overrides(start, end),
    )


# folders ------------------------------------------------------------------------------------
def _folder_element(box: Mailbox, folder: Folder, shape: Shape | None = None) -> etree._Element:
    items = [box.items[i] for i in folder.item_ids]
    unread = sum(1 for i in items if i.text("IsRead") == "false")
    children = sum(1 for f in box.folders.values() if f.parent_id == folder.id)
    return render_folder(folder, len(items), unread, children, shape)


def get_folder(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("GetFolder")
    for id_elem in req.find(mm("FolderIds")):
        try:
            folder = resolve_folder(box, id_elem)
        except ItemError as err:
            msg = response_message(messages, "GetFolder", err)
            continue
        msg = response_message(messages, "GetFolder")
        etree.SubElement(msg, mm("Folders")).append(_folder_element(box, folder))
    return root


def find_folder(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("FindFolder")
    deep = req.get("Traversal") == "Deep"
    for id_elem in req.find(mm("ParentFolderIds")):
        try:
            parent = resolve_folder(box, id_elem)
        except ItemError as err:
            response_message(messages, "FindFolder", err)
            continue
        found: list[Folder] = []
        frontier = [parent.id]
        while frontier:
            current = frontier.pop(0)
            kids = [f for f in box.folders.values() if f.parent_id == current]
            found.extend(kids)
            if deep:
                frontier.extend(f.id for f in kids)
        # IndexedPageFolderView (FindFolder operation; "Paging search results" in EWS):
        # MaxEntriesReturned folders from Offset, and the RootFolder says where the next page
        # starts (IndexedPagingOffset) and whether this one reached the end.
        offset, limit = 0, len(found)
        view = req.find(mm("IndexedPageFolderView"))
        if view is not None:
            offset = int(view.get("Offset") or "0")
            limit = int(view.get("MaxEntriesReturned") or str(len(found)))
        shown = found[offset : offset + limit]
        last = offset + len(shown) >= len(found)
        msg = response_message(messages, "FindFolder")
        page = etree.SubElement(
            msg,
            mm("RootFolder"),
            IndexedPagingOffset=str(offset + len(shown)),
            TotalItemsInView=str(len(found)),
            IncludesLastItemInRange="true" if last else "false",
        )
        folders = etree.SubElement(page, tm("Folders"))
        shape = parse_shape(req.find(mm("FolderShape")))
        folders.extend(_folder_element(box, f, shape) for f in shown)
    return root


# sync ---------------------------------------------------------------------------------------
def sync_error(messages: etree._Element, err: ItemError, state: str | None) -> None:
    """An error reply that still carries SyncState and IncludesLastItemInRange: exchangelib
    reads both before it looks at the response code."""
    msg = response_message(messages, "SyncFolderItems", err)
    etree.SubElement(msg, mm("SyncState")).text = state or ""
    etree.SubElement(msg, mm("IncludesLastItemInRange")).text = "true"


def sync_folder_items(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("SyncFolderItems")
    state = req.findtext(mm("SyncState"))
    limit = int(req.findtext(mm("MaxChangesReturned")) or "100")
    ignore_elem = req.find(mm("Ignore"))
    ignore = frozenset(e.get("Id", "") for e in (ignore_elem if ignore_elem is not None else ()))
    try:
        folder = resolve_folder(box, req.find(mm("SyncFolderId"))[0])
        position = box.sync_position(folder, state)
    except (ItemError, InvalidSyncState) as exc:
        err = (
            exc
            if isinstance(exc, ItemError)
            else ItemError("ErrorInvalidSyncStateData", INVALID_SYNC_STATE)
        )
        sync_error(messages, err, state)
        return root
    changes, new_position, last = box.changes(
        folder, position, min(limit, MAX_SYNC_CHANGES), ignore
    )
    msg = response_message(messages, "SyncFolderItems")
    etree.SubElement(msg, mm("SyncState")).text = box.sync_state(folder, new_position)
    etree.SubElement(msg, mm("IncludesLastItemInRange")).text = "true" if last else "false"
    out = etree.SubElement(msg, mm("Changes"))
    shape_elem = req.find(mm("ItemShape"))
    for change, item_id in changes:
        elem = sub(out, change)
        if change == "Delete":
            sub(elem, "ItemId", Id=item_id, ChangeKey="AAAAAA==")
        elif change == "ReadFlagChange":
            item = box.items[item_id]
            sub(elem, "ItemId", Id=item.id, ChangeKey=item.changekey)
            sub(elem, "IsRead", item.text("IsRead") or "false")
        else:
            elem.append(_render(box, box.items[item_id], shape_elem))
    return root


# items --------------------------------------------------------------------------------------
BATCH_TIMED_OUT = "The request timed out."
BATCH_STOPPED = "The batch processing was stopped: a previous item in the request failed."


def get_item(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("GetItem")
    shape_elem = req.find(mm("ItemShape"))
    for n, id_elem in enumerate(req.find(mm("ItemIds"))):
        if box.batch_budget is not None and n >= box.batch_budget:
            # Out of time (see Mailbox.batch_budget): this item times out, the rest stop.
            stopped = n > box.batch_budget
            err = (
                ItemError("ErrorBatchProcessingStopped", BATCH_STOPPED)
                if stopped
                else ItemError("ErrorTimeoutExpired", BATCH_TIMED_OUT)
            )
            msg = response_message(messages, "GetItem", err, warning=stopped)
            etree.SubElement(msg, mm("Items"))
            continue
        try:
            item, occ = _lookup(box, id_elem)
        except ItemError as err:
            etree.SubElement(response_message(messages, "GetItem", err), mm("Items"))
            continue
        msg = response_message(messages, "GetItem")
        etree.SubElement(msg, mm("Items")).append(_render(box, item, shape_elem, occ))
    return root


def _calendar_view(
    box: Mailbox, folder: Folder, view: etree._Element
) -> Iterator[tuple[StoredItem, int | None]]:
    start = parse_datetime_constant(view.get("StartDate", ""))
    end = parse_datetime_constant(view.get("EndDate", ""))
    for item_id in folder.item_ids:
        item = box.items[item_id]
        if item.kind != "CalendarItem":
            continue
        spans: list[tuple[dt.datetime, dt.datetime, int | None]]
        if item.occurrences:
            spans = [(s, e, n) for n, (s, e) in enumerate(item.occurrences)]
        else:
            spans = [
                (
                    parse_datetime_constant(item.text("Start") or ""),
                    parse_datetime_constant(item.text("End") or ""),
                    None,
                )
            ]
        for s, e, n in spans:
            if s < end and e > start:
                yield item, n


def find_item(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("FindItem")
    shape_elem = req.find(mm("ItemShape"))
    restriction = req.find(mm("Restriction"))
    view = req.find(mm("CalendarView"))
    paging = req.find(mm("IndexedPageItemView"))
    order = req.find(mm("SortOrder"))
    for id_elem in req.find(mm("ParentFolderIds")):
        try:
            folder = resolve_folder(box, id_elem)
        except ItemError as err:
            response_message(messages, "FindItem", err)
            continue
        if view is not None:
            found = list(_calendar_view(box, folder, view))
            found.sort(key=lambda pair: _start_of(pair[0], pair[1]))
            max_entries = int(view.get("MaxEntriesReturned") or len(found) or 1)
            found = found[:max_entries]
            offset, page = 0, found
        else:
            found = [(box.items[i], None) for i in folder.item_ids]
            if restriction is not None:
                found = [p for p in found if evaluate(restriction[0], p[0])]
            if order is not None:
                for field_order in reversed(list(order)):
                    uri = field_order[0]
                    found.sort(
                        key=lambda p, u=uri: sort_key(p[0], u),
                        reverse=field_order.get("Order") == "Descending",
                    )
            offset = int(paging.get("Offset") or 0) if paging is not None else 0
            size = (
                int(paging.get("MaxEntriesReturned") or len(found))
                if paging is not None
                else len(found)
            )
            if paging is not None and paging.get("BasePoint") == "End":
                offset = max(len(found) - offset - size, 0)
            page = found[offset : offset + size]
        msg = response_message(messages, "FindItem")
        next_offset = offset + len(page)
        last = next_offset >= len(found)
        attrs = {
            "TotalItemsInView": str(len(found)),
            "IncludesLastItemInRange": "true" if last else "false",
        }
        if not last:
            attrs["IndexedPagingOffset"] = str(next_offset)
        container = etree.SubElement(msg, mm("RootFolder"), attrs)
        items = etree.SubElement(container, tm("Items"))
        items.extend(_render(box, item, shape_elem, occ) for item, occ in page)
    return root


def _start_of(item: StoredItem, occ: int | None) -> dt.datetime:
    if occ is not None:
        return item.occurrences[occ][0]
    return parse_datetime_constant(item.text("Start") or "1970-01-01T00:00:00Z")


# PidTagMessageFlags ([MS-OXCMSG] 2.2.1.6, PR_MESSAGE_FLAGS 0x0E07): mfUnsent (0x8) makes a message
# a draft and mfRead (0x1) a read one; "after the first successful call to RopSaveChangesMessage
# ... these flags are read-only for the client". A message CreateItem saves (SaveOnly, in the
# folder SavedItemFolderId names: CreateItem, MessageDisposition) is therefore a draft unless the
# property is given at creation without mfUnsent (exchangelib#716; the same holds for Graph,
# microsoft-graph-docs-contrib#8631); a message sent is none.
MESSAGE_FLAGS_TAG = 0x0E07
MF_READ, MF_UNSENT = 0x1, 0x8


def _message_flags(props: list[etree._Element]) -> int | None:
    for prop in props:
        uri = prop.find(tm("ExtendedFieldURI"))
        tag = uri.get("PropertyTag") if uri is not None else None
        if tag is not None and int(tag, 16) == MESSAGE_FLAGS_TAG:
            return int(prop.findtext(tm("Value")) or "0")
    return None


def _mark_draft(item: StoredItem, disposition: str, props: list[etree._Element]) -> None:
    flags = _message_flags(props)
    draft = disposition == "SaveOnly" and (flags is None or bool(flags & MF_UNSENT))
    item.set("IsDraft", field_element("IsDraft", draft))
    if flags is not None:
        item.set("IsRead", field_element("IsRead", bool(flags & MF_READ)))


def create_item(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("CreateItem")
    disposition = req.get("MessageDisposition") or "SaveOnly"
    saved = req.find(mm("SavedItemFolderId"))
    for elem in req.find(mm("Items")):
        kind = etree.QName(elem).localname
        try:
            if kind not in ITEM_CLASSES:
                raise ItemError("ErrorInvalidRequest", f"{kind} items are not supported here")
            if saved is not None:
                folder = resolve_folder(box, saved[0])
            else:
                folder = box.folder(
                    {
                        "Message": "sentitems" if disposition != "SaveOnly" else "drafts",
                        "CalendarItem": "calendar",
                        "Contact": "contacts",
                        "Task": "tasks",
                    }[kind]
                )
        except ItemError as err:
            etree.SubElement(response_message(messages, "CreateItem", err), mm("Items"))
            continue
        fields = [c for c in elem if etree.QName(c).localname != "ExtendedProperty"]
        props = [c for c in elem if etree.QName(c).localname == "ExtendedProperty"]
        with box.lock:
            item = box.insert(folder, kind, fields, props)
            if kind == "Message":
                _mark_draft(item, disposition, props)
            if kind == "Message" and disposition != "SaveOnly":
                item.set("DateTimeSent", field_element("DateTimeSent", box.clock))
        msg = response_message(messages, "CreateItem")
        items = etree.SubElement(msg, mm("Items"))
        # Exchange answers SendOnly with an empty Items: nothing was saved that the caller owns.
        if disposition != "SendOnly":
            out = sub(items, kind)
            sub(out, "ItemId", Id=item.id, ChangeKey=item.changekey)
    return root


def _apply_update(box: Mailbox, item: StoredItem, update: etree._Element) -> set[str]:
    """Apply one Set/Append/DeleteItemField; returns the field names it touched."""
    op = etree.QName(update).localname
    uri = update[0]
    uri_kind = etree.QName(uri).localname
    value_item = update[1] if len(update) > 1 else None
    if uri_kind == "ExtendedFieldURI":
        key = extended_key(uri)
        if op == "DeleteItemField":
            item.extended.pop(key, None)
        else:
            prop = value_item.find(tm("ExtendedProperty")) if value_item is not None else None
            if prop is None:
                raise ItemError("ErrorInvalidPropertySet", "No ExtendedProperty in update")
            box.set_extended(item, prop)
        return {f"ext:{key}"}
    name = field_name(uri.get("FieldURI", ""))
    if name == "Flag" and item.kind == "Message" and op != "AppendToItemField":
        if op == "DeleteItemField":
            item.fields.pop("Flag", None)
        else:
            new_flag = value_item.find(tm("Flag")) if value_item is not None else None
            if new_flag is None:
                raise ItemError("ErrorIncorrectUpdatePropertyCount", "No Flag in the update")
            set_flag(item.fields, new_flag)
        return {name}
    if op == "DeleteItemField":
        if uri_kind == "IndexedFieldURI" and name in item.fields:
            for entry in list(item.fields[name]):
                if entry.get("Key") == uri.get("FieldIndex"):
                    item.fields[name].remove(entry)
            if not len(item.fields[name]):
                del item.fields[name]
        else:
            item.fields.pop(name, None)
        return {name}
    new = value_item.find(tm(name)) if value_item is not None else None
    if new is None:
        raise ItemError("ErrorIncorrectUpdatePropertyCount", f"No {name} in the update")
    if op == "AppendToItemField" and name in item.fields:
        item.fields[name].extend(list(new))
    elif uri_kind == "IndexedFieldURI" and name in item.fields:
        current = item.fields[name]
        for entry in new:
            for old in list(current):
                if old.get("Key") == entry.get("Key"):
                    current.remove(old)
            current.append(entry)
    else:
        item.set(name, canonical(item.kind, new))
    return {name}


def _update_name(update: etree._Element) -> str:
    uri = update[0]
    if etree.QName(uri).localname == "ExtendedFieldURI":
        return f"ext:{extended_key(uri)}"
    return field_name(uri.get("FieldURI", ""))


def update_item(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("UpdateItem")
    resolution = req.get("ConflictResolution") or "AutoResolve"
    for change in req.find(mm("ItemChanges")):
        id_elem = change[0]
        try:
            with box.lock:
                item, _ = _lookup(box, id_elem)
                if item.corrupt:
                    raise ItemError("ErrorItemCorrupt", "The item in the store was corrupted.")
                client_ck = box.changekey_number(id_elem.get("ChangeKey"))
                stale = client_ck is not None and id_elem.get("ChangeKey") != item.changekey
                updates = list(change.find(tm("Updates")))
                if stale and resolution != "AlwaysOverwrite":
                    # AutoResolve only fails when a field this update sets changed after the
                    # client's change key; NeverOverwrite fails on any stale change key.
                    wanted = {_update_name(u) for u in updates}
                    changed = {n for n, v in item.versions.items() if v > (client_ck or 0)}
                    if resolution == "NeverOverwrite" or wanted & changed:
                        raise ItemError(
                            "ErrorIrresolvableConflict",
                            "The send or update operation could not be performed "
                            "because the change key passed in the request does not "
                            "match the current change key for the item.",
                        )
                names: set[str] = set()
                for update in updates:
                    names |= _apply_update(box, item, update)
                box.touch(item, "readflag" if names == {"IsRead"} else "update", names)
        except ItemError as err:
            etree.SubElement(response_message(messages, "UpdateItem", err), mm("Items"))
            continue
        msg = response_message(messages, "UpdateItem")
        out = sub(etree.SubElement(msg, mm("Items")), item.kind)
        sub(out, "ItemId", Id=item.id, ChangeKey=item.changekey)
        results = etree.SubElement(msg, mm("ConflictResults"))
        sub(results, "Count", "0")
    return root


def delete_item(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("DeleteItem")
    delete_type = req.get("DeleteType") or "HardDelete"
    for id_elem in req.find(mm("ItemIds")):
        try:
            with box.lock:
                item, occ = _lookup(box, id_elem)
                if occ is not None:
                    raise ItemError("ErrorCannotDeleteObject", "Occurrences cannot be deleted here")
                trash = box.folder("deleteditems")
                if delete_type == "MoveToDeletedItems" and item.folder_id != trash.id:
                    box.move(item.id, "deleteditems")
                else:
                    box.remove(item.id)
        except ItemError as err:
            response_message(messages, "DeleteItem", err)
            continue
        response_message(messages, "DeleteItem")
    return root


def convert_id(box: Mailbox, req: etree._Element) -> etree._Element:
    """Only what version probing needs: every id is reported malformed, the header does the rest."""
    del box
    root, messages = response("ConvertId")
    for _ in req.find(mm("SourceIds")):
        response_message(
            messages, "ConvertId", ItemError("ErrorInvalidIdMalformed", "Id is malformed.")
        )
    return root


OPERATIONS: dict[str, Handler] = {
    "ConvertId": convert_id,
    "GetFolder": get_folder,
    "FindFolder": find_folder,
    "SyncFolderItems": sync_folder_items,
    "GetItem": get_item,
    "FindItem": find_item,
    "CreateItem": create_item,
    "UpdateItem": update_item,
    "DeleteItem": delete_item,
    "GetUserConfiguration": get_user_configuration,
    "CreateUserConfiguration": create_user_configuration,
    "UpdateUserConfiguration": update_user_configuration,
    "DeleteUserConfiguration": delete_user_configuration,
}
