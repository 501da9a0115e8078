"""Microsoft's EWS schema, loaded once per process, and what the test server learns from it.

The test server validates every request and every response against ``messages.xsd`` and
``types.xsd`` from ``<repo>/../shared/schemas/ews``. Building the schema takes about a second, so
it is built lazily once and cached at module level. The same schema also tells the server the
order of child elements in each item type (``MessageType`` ...) and which fields are booleans or
date-times, so responses come out in schema order and with Exchange's canonical values.

Exports: ``schema()``, ``validation_errors(elem)``, ``item_field_order(kind)``,
``field_kind(kind, name)``, ``NS_M``, ``NS_T``, ``NS_S``.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree

NS_S = "http://schemas.xmlsoap.org/soap/envelope/"
NS_M = "http://schemas.microsoft.com/exchange/services/2006/messages"
NS_T = "http://schemas.microsoft.com/exchange/services/2006/types"
NS_E = "http://schemas.microsoft.com/exchange/services/2006/errors"

SCHEMA_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "schemas" / "ews"

_lock = threading.Lock()
_schema: xmlschema.XMLSchema | None = None


def schema() -> xmlschema.XMLSchema:
    """The EWS schema, built on first use and shared by every server in the process."""
    global _schema
    if _schema is None:
        with _lock:
            if _schema is None:
                _schema = xmlschema.XMLSchema(str(SCHEMA_DIR / "messages.xsd"))
    return _schema


def validation_errors(elem: etree._Element) -> list[str]:
    """Every schema violation in ``elem`` (a global element of messages.xsd or types.xsd)."""
    sch = schema()
    if sch.maps.elements.get(elem.tag) is None:
        return [f"{elem.tag}: not a global element of the EWS schema"]
    return [
        f"{etree.QName(elem).localname}: {err.reason} at {err.path}"
        for err in sch.iter_errors(elem)
    ]


# Item element -> its schema type (t:Contact is a ContactItemType, not a persona's ContactType).
_ITEM_TYPES = {"Contact": "ContactItemType"}


def _type_of(kind: str) -> Any:
    return schema().maps.types[f"{{{NS_T}}}{_ITEM_TYPES.get(kind, kind + 'Type')}"]


@cache
def item_field_order(kind: str) -> dict[str, int]:
    """Position of each child element of ``t:<kind>`` (e.g. ``Message``) in schema order."""
    names = [e.local_name for e in _type_of(kind).content.iter_elements()]
    return {name: i for i, name in enumerate(names)}


@cache
def _field_kinds(kind: str) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for decl in _type_of(kind).content.iter_elements():
        xsd_type = decl.type
        if not xsd_type.is_simple():
            base = getattr(xsd_type, "base_type", None)
            # Simple content with attributes (e.g. Body) is not a plain scalar.
            if base is None or not xsd_type.has_simple_content():
                continue
            xsd_type = base
        primitive = getattr(xsd_type, "primitive_type", None)
        name = getattr(primitive, "local_name", None) or ""
        if name in ("boolean", "dateTime"):
            kinds[decl.local_name] = name
    return kinds


def field_kind(kind: str, name: str) -> str | None:
    """``"boolean"`` or ``"dateTime"`` if field ``name`` of ``t:<kind>`` is one, else None."""
    return _field_kinds(kind).get(name)
