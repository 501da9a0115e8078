"""Item fields as EWS XML fragments, built from and read back into plain Python values.

The test mailbox stores each field of an item as the ``t:`` element Exchange would return for it
(``<t:Subject>``, ``<t:ToRecipients>`` ...). That keeps the server generic: what a client writes
with CreateItem/UpdateItem is stored as sent (after canonicalising booleans and date-times), and a
response is assembled by copying fragments in schema order. This module converts between those
fragments and the plain values the seeding helpers take and ``snapshot()`` gives back.

Exports: ``t(name, ...)``, ``m(name, ...)``, ``field_element(name, value)``, ``plain(elem)``,
``ews_datetime(dt)``, ``parse_datetime(text)``, ``canonical(kind, elem)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from lxml import etree

from .schema import NS_M, NS_T, field_kind

NSMAP = {"m": NS_M, "t": NS_T}

MAILBOX_FIELDS = frozenset(
    {"From", "Sender", "Organizer", "ReceivedBy", "ReceivedRepresenting", "Owner"}
)
MAILBOX_LIST_FIELDS = frozenset(
    {"ToRecipients", "CcRecipients", "BccRecipients", "ReplyTo", "Resources"}
)
ATTENDEE_FIELDS = frozenset({"RequiredAttendees", "OptionalAttendees"})
STRING_LIST_FIELDS = frozenset({"Categories", "Companies", "Contacts", "Children"})
INDEXED_FIELDS = frozenset({"EmailAddresses", "PhoneNumbers", "ImAddresses", "PhysicalAddresses"})


def t(name: str, text: str | None = None, **attrs: str) -> etree._Element:
    """A new element in the types namespace."""
    elem = etree.Element(f"{{{NS_T}}}{name}", attrs, nsmap=NSMAP)
    if text is not None:
        elem.text = text
    return elem


def m(name: str, text: str | None = None, **attrs: str) -> etree._Element:
    """A new element in the messages namespace."""
    elem = etree.Element(f"{{{NS_M}}}{name}", attrs, nsmap=NSMAP)
    if text is not None:
        elem.text = text
    return elem


def sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append a new ``t:`` child to ``parent``."""
    child = etree.SubElement(parent, f"{{{NS_T}}}{name}", attrs)
    if text is not None:
        child.text = text
    return child


def ews_datetime(value: dt.datetime) -> str:
    """Exchange's canonical form: UTC with a ``Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str) -> dt.datetime:
    """An xs:dateTime as sent by a client (``Z``, an offset, or naive meaning UTC)."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return ews_datetime(value)
    if isinstance(value, dt.date):
        return ews_datetime(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC))
    if isinstance(value, (int, Decimal, float)):
        return str(value)
    return str(value)


def _mailbox(parent: etree._Element, who: Any, tag: str = "Mailbox") -> etree._Element:
    """``who`` is an address, ``(name, address)`` or a mapping with name/email."""
    if isinstance(who, Mapping):
        name, address = who.get("name"), who["email"]
    elif isinstance(who, tuple):
        name, address = who
    else:
        name, address = None, str(who)
    box = sub(parent, tag)
    if name:
        sub(box, "Name", name)
    sub(box, "EmailAddress", address)
    sub(box, "RoutingType", "SMTP")
    sub(box, "MailboxType", "Mailbox")
    return box


def field_element(name: str, value: Any) -> etree._Element:
    """The ``t:<name>`` fragment for a plain Python value."""
    elem = t(name)
    if name in MAILBOX_FIELDS:
        _mailbox(elem, value)
    elif name in MAILBOX_LIST_FIELDS:
        for who in value:
            _mailbox(elem, who)
    elif name in ATTENDEE_FIELDS:
        for entry in value:
            who, response = (
                entry
                if isinstance(entry, tuple)
                and len(entry) == 2
                and isinstance(entry[1], str)
                and "@" not in entry[1]
                else (entry, "Unknown")
            )
            attendee = sub(elem, "Attendee")
            _mailbox(attendee, who)
            sub(attendee, "ResponseType", response)
    elif name in STRING_LIST_FIELDS:
        for text in value:
            sub(elem, "String", text)
    elif name == "EmailAddresses":
        entries = (
            value.items()
            if isinstance(value, Mapping)
            else ((f"EmailAddress{i}", address) for i, address in enumerate(value, start=1))
        )
        for key, address in entries:
            sub(elem, "Entry", address, Key=key)
    elif name == "InternetMessageHeaders":
        pairs: Iterable[tuple[str, str]] = value.items() if isinstance(value, Mapping) else value
        for header, text in pairs:
            sub(elem, "InternetMessageHeader", text, HeaderName=header)
    elif name in ("Body", "TextBody", "UniqueBody"):
        elem.set("BodyType", "Text")
        elem.text = str(value)
    elif name == "ConversationId":
        elem.set("Id", str(value))
    else:
        elem.text = _scalar(value)
    return elem


def _mailbox_plain(box: etree._Element) -> str:
    return box.findtext(f"{{{NS_T}}}EmailAddress") or box.findtext(f"{{{NS_T}}}Name") or ""


def plain(elem: etree._Element) -> Any:
    """The plain value of a field fragment, as ``snapshot()`` reports it."""
    name = etree.QName(elem).localname
    if name in MAILBOX_FIELDS:
        box = elem.find(f"{{{NS_T}}}Mailbox")
        return _mailbox_plain(box) if box is not None else None
    if name in MAILBOX_LIST_FIELDS:
        return [_mailbox_plain(box) for box in elem]
    if name in ATTENDEE_FIELDS:
        return [
            (_mailbox_plain(a.find(f"{{{NS_T}}}Mailbox")), a.findtext(f"{{{NS_T}}}ResponseType"))
            for a in elem
        ]
    if name in STRING_LIST_FIELDS:
        return [child.text or "" for child in elem]
    if name in INDEXED_FIELDS:
        return {child.get("Key"): (child.text or "") for child in elem}
    if name == "InternetMessageHeaders":
        return [(child.get("HeaderName"), child.text or "") for child in elem]
    if name == "ConversationId":
        return elem.get("Id")
    if len(elem):
        return etree.tostring(elem, encoding="unicode")
    return elem.text or ""


def canonical(kind: str, elem: etree._Element) -> etree._Element:
    """``elem`` with Exchange's canonical booleans (true/false) and UTC date-times."""
    name = etree.QName(elem).localname
    what = field_kind(kind, name)
    if what == "boolean" and elem.text is not None:
        elem.text = "true" if elem.text.strip() in ("1", "true") else "false"
    elif what == "dateTime" and elem.text:
        elem.text = ews_datetime(parse_datetime(elem.text))
    return elem
