"""The master category list (the calendar's ``CategoryList`` user configuration), edited as text.

Outlook stores the list as ``<categories xmlns="CategoryList.xsd" ...>`` with one
``<category name= color= guid= .../>`` per entry, and more attributes than we understand. To keep
every existing entry and attribute byte for byte, the document is never re-serialised: an entry
is added by inserting its text before ``</categories>`` and removed by cutting out exactly the
element that names it. Parsing is only used to read names and colours.

Exports: ``EMPTY_LIST``, ``entries``, ``add_entry``, ``remove_entry``, ``new_guid``.
"""

from __future__ import annotations

import re
import uuid
from xml.etree import ElementTree

from ...ports import MasterCategory

__all__ = ["EMPTY_LIST", "add_entry", "entries", "new_guid", "remove_entry"]

EMPTY_LIST = b'<?xml version="1.0"?><categories xmlns="CategoryList.xsd"></categories>'
_NS = "{CategoryList.xsd}"


def _escape(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def entries(xml: bytes | None) -> tuple[MasterCategory, ...]:
    """The list's entries in order; an unreadable colour reads as -1 (none)."""
    if not xml:
        return ()
    root = ElementTree.fromstring(xml)
    found = []
    for elem in root.iter():
        if elem.tag not in (f"{_NS}category", "category"):
            continue
        try:
            colour = int(elem.get("color", "-1"))
        except ValueError:
            colour = -1
        found.append(MasterCategory(elem.get("name", ""), colour))
    return tuple(found)


def new_guid() -> str:
    return "{" + str(uuid.uuid4()).upper() + "}"


def add_entry(xml: bytes | None, name: str, colour: int, guid: str) -> bytes:
    """``xml`` with an entry for ``name`` appended; unchanged if the name is already there."""
    document = xml or EMPTY_LIST
    if any(c.name == name for c in entries(document)):
        return document
    element = (
        f'<category name="{_escape(name)}" color="{colour}" keyboardShortcut="0" '
        f'guid="{guid}" renameOnFirstUse="0"/>'
    ).encode()
    text = document.decode("utf-8")
    close = text.rfind("</categories>")
    if close >= 0:
        return (text[:close] + element.decode() + text[close:]).encode("utf-8")
    # An empty list written as <categories .../>: open it up.
    match = re.search(r"<categories\b[^>]*?/>", text)
    if match is None:
        raise ValueError("not a CategoryList document")
    opened = match.group(0)[:-2].rstrip() + ">" + element.decode() + "</categories>"
    return (text[: match.start()] + opened + text[match.end() :]).encode("utf-8")


def remove_entry(xml: bytes | None, name: str) -> bytes | None:
    """``xml`` without the entry for ``name`` (exactly that element's text); unchanged if absent."""
    if not xml:
        return xml
    text = xml.decode("utf-8")
    pattern = re.compile(
        r'<category\b[^>]*?\bname="' + re.escape(_escape(name)) + r'"[^>]*?(?:/>|>.*?</category>)',
        re.DOTALL,
    )
    return pattern.sub("", text, count=1).encode("utf-8")
