"""Item and folder shapes: what a client asked for, and items rendered accordingly.

EWS requests name the fields they want (``m:ItemShape`` with ``t:BaseShape`` and
``t:AdditionalProperties`` of FieldURI, IndexedFieldURI and ExtendedFieldURI). ``Shape`` is that
request parsed; ``render_item`` builds the ``t:<kind>`` element holding exactly the requested,
stored fields in schema order, as Exchange would.

Exports: ``Shape``, ``parse_shape(elem)``, ``render_item(item, shape, ...)``, ``field_name(uri)``.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

from .flags import default_flag
from .mailbox import ExtendedKey, Folder, StoredItem, extended_key
from .schema import NS_T, item_field_order
from .xmlfields import field_element, sub, t

# A contact's Birthday and WeddingAnniversary elements are its MAPI properties PidTagBirthday and
# PidTagWeddingAnniversary ([MS-OXOCNTC] 2.2.1.5), and EWS reads any MAPI property by its tag
# (t:ExtendedFieldURI PropertyTag): asked for by tag, the item answers with the element's value.
TAGGED_FIELDS = {("Contact", 0x3A42): "Birthday", ("Contact", 0x3A41): "WeddingAnniversary"}

# IndexedFieldURI FieldURI -> the container element holding the entries.
INDEXED_CONTAINERS = {
    "contacts:EmailAddress": "EmailAddresses",
    "contacts:PhoneNumber": "PhoneNumbers",
    "contacts:ImAddress": "ImAddresses",
}


def field_name(uri: str) -> str:
    """``item:Subject`` -> ``Subject``; ``contacts:EmailAddress`` -> ``EmailAddresses``."""
    if uri in INDEXED_CONTAINERS:
        return INDEXED_CONTAINERS[uri]
    if uri.startswith("contacts:PhysicalAddress"):
        return "PhysicalAddresses"
    return uri.split(":", 1)[1]


@dataclass
class Shape:
    base: str = "IdOnly"
    fields: set[str] = field(default_factory=set)
    indexed: dict[str, set[str]] = field(default_factory=dict)
    extended: set[ExtendedKey] = field(default_factory=set)

    def wants(self, name: str) -> bool:
        return self.base != "IdOnly" or name in self.fields or name in self.indexed


def parse_shape(elem: etree._Element | None) -> Shape:
    shape = Shape()
    if elem is None:
        return shape
    shape.base = elem.findtext(f"{{{NS_T}}}BaseShape") or "IdOnly"
    props = elem.find(f"{{{NS_T}}}AdditionalProperties")
    for uri in props if props is not None else ():
        local = etree.QName(uri).localname
        if local == "FieldURI":
            shape.fields.add(field_name(uri.get("FieldURI", "")))
        elif local == "IndexedFieldURI":
            container = field_name(uri.get("FieldURI", ""))
            shape.indexed.setdefault(container, set()).add(uri.get("FieldIndex", ""))
        elif local == "ExtendedFieldURI":
            shape.extended.add(extended_key(uri))
    return shape


def render_item(
    item: StoredItem,
    shape: Shape,
    folder: Folder,
    *,
    item_id: str | None = None,
    overrides: dict[str, etree._Element] | None = None,
) -> etree._Element:
    """``t:<kind>`` with ItemId plus every requested field the item has, in schema order."""
    out = t(item.kind)
    order = item_field_order(item.kind)
    parts: list[tuple[int, etree._Element]] = [
        (order["ItemId"], t("ItemId", Id=item_id or item.id, ChangeKey=item.changekey))
    ]
    if shape.wants("ParentFolderId"):
        parts.append(
            (order["ParentFolderId"], t("ParentFolderId", Id=folder.id, ChangeKey=folder.changekey))
        )
    fields = dict(item.fields)
    fields.update(overrides or {})
    if item.kind == "Message" and "Flag" not in fields:
        fields["Flag"] = default_flag()  # never flagged, or cleared: NotFlagged (flags.py)
    for name, elem in fields.items():
        if name in shape.indexed and shape.base == "IdOnly":
            keys = shape.indexed[name]
            picked = [e for e in elem if e.get("Key") in keys]
            if not picked:
                continue
            container = t(name)
            container.extend(copy.deepcopy(e) for e in picked)
            parts.append((order[name], container))
        elif shape.wants(name) and name in order:
            parts.append((order[name], copy.deepcopy(elem)))
    for key, prop in item.extended.items():
        if key in shape.extended:
            parts.append((order["ExtendedProperty"], copy.deepcopy(prop)))
    for key in sorted(shape.extended):
        tagged = _tagged_field(item, key)
        if tagged is not None:
            parts.append((order["ExtendedProperty"], tagged))
    parts.sort(key=lambda p: p[0])
    out.extend(elem for _, elem in parts)
    return out


def _tag_number(tag: str) -> int | None:
    try:
        return int(tag, 16)
    except ValueError:
        return None


def _tagged_field(item: StoredItem, key: ExtendedKey) -> etree._Element | None:
    """The ``t:ExtendedProperty`` answering ``key`` from a field the tag names, if any."""
    tag, _, prop_type = key
    number = _tag_number(tag)
    if number is None:
        return None
    name = TAGGED_FIELDS.get((item.kind, number))
    elem = item.fields.get(name or "")
    if elem is None or not elem.text:
        return None
    prop = t("ExtendedProperty")
    sub(prop, "ExtendedFieldURI", PropertyTag=tag, PropertyType=prop_type)
    sub(prop, "Value", elem.text)
    return prop


def occurrence_overrides(start: dt.datetime, end: dt.datetime) -> dict[str, etree._Element]:
    """Fields of one expanded occurrence of a recurring calendar item."""
    return {
        "Start": field_element("Start", start),
        "End": field_element("End", end),
        "CalendarItemType": field_element("CalendarItemType", "Occurrence"),
    }


# PidTagAttributeHidden ([MS-OXPROPS] 2.602): a folder hidden from the user. "Work with hidden
# folders by using EWS in Exchange" finds hidden folders with FindFolder, asking for the property
# by tag (0x10F4, Boolean) in the FolderShape; a folder on which it is not set answers without the
# element (an unset MAPI property has no value to return).
HIDDEN_TAG = 0x10F4


def render_folder(
    folder: Folder, total: int, unread: int, children: int, shape: Shape | None = None
) -> etree._Element:
    """``t:Folder`` (or CalendarFolder, ...) with the fields exchangelib reads, and the hidden
    mark when the shape asks for it by tag and the folder has it."""
    out = t(folder.tag)
    sub(out, "FolderId", Id=folder.id, ChangeKey=folder.changekey)
    if folder.parent_id:
        sub(out, "ParentFolderId", Id=folder.parent_id, ChangeKey="AQAAAA==")
    if folder.folder_class:
        sub(out, "FolderClass", folder.folder_class)
    sub(out, "DisplayName", folder.display_name)
    sub(out, "TotalCount", str(total))
    sub(out, "ChildFolderCount", str(children))
    for tag, _, prop_type in sorted(shape.extended if shape else ()):
        if folder.hidden and _tag_number(tag) == HIDDEN_TAG:
            prop = sub(out, "ExtendedProperty")
            sub(prop, "ExtendedFieldURI", PropertyTag=tag, PropertyType=prop_type)
            sub(prop, "Value", "true")
    if folder.tag == "Folder":
        sub(out, "UnreadCount", str(unread))
    return out
