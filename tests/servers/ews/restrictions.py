"""FindItem restrictions and sort orders evaluated against stored items.

Supports what exchangelib's ``filter()`` produces for the fields a client queries: And, Or, Not,
Exists, the six comparisons and Contains/Excludes, on FieldURI and ExtendedFieldURI paths.
Values compare as date-times, numbers or case-insensitive strings, as Exchange does.

Exports: ``evaluate(restriction, item)``, ``sort_key(item, uri)``, ``parse_datetime_constant``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from .mailbox import StoredItem, extended_key
from .schema import NS_T
from .shapes import field_name
from .xmlfields import parse_datetime


def parse_datetime_constant(text: str) -> dt.datetime:
    return parse_datetime(text)


def _values(item: StoredItem, path: etree._Element) -> list[str]:
    local = etree.QName(path).localname
    if local == "ExtendedFieldURI":
        prop = item.extended.get(extended_key(path))
        if prop is None:
            return []
        single = prop.find(f"{{{NS_T}}}Value")
        if single is not None:
            return [single.text or ""]
        values = prop.find(f"{{{NS_T}}}Values")
        return [v.text or "" for v in values] if values is not None else []
    name = field_name(path.get("FieldURI", ""))
    elem = item.fields.get(name)
    if elem is None:
        return []
    if local == "IndexedFieldURI":
        return [e.text or "" for e in elem if e.get("Key") == path.get("FieldIndex")]
    if len(elem):
        return [e.text or "" for e in elem]
    return [elem.text or ""]


def _coerce(text: str) -> Any:
    try:
        return parse_datetime(text)
    except ValueError:
        pass
    try:
        return Decimal(text)
    except InvalidOperation:
        return text.casefold()


def _compare(op: str, left: str, right: str) -> bool:
    a, b = _coerce(left), _coerce(right)
    if type(a) is not type(b):
        a, b = left.casefold(), right.casefold()
    if op == "IsEqualTo":
        return bool(a == b)
    if op == "IsNotEqualTo":
        return bool(a != b)
    if op == "IsGreaterThan":
        return bool(a > b)
    if op == "IsGreaterThanOrEqualTo":
        return bool(a >= b)
    if op == "IsLessThan":
        return bool(a < b)
    if op == "IsLessThanOrEqualTo":
        return bool(a <= b)
    raise ValueError(f"unsupported comparison {op}")


def _contains(expr: etree._Element, value: str) -> bool:
    needle = expr.find(f"{{{NS_T}}}Constant").get("Value") or ""
    if expr.get("ContainmentComparison", "Exact") != "Exact":
        needle, value = needle.casefold(), value.casefold()
    mode = expr.get("ContainmentMode", "FullString")
    if mode == "FullString":
        return value == needle
    if mode == "Prefixed":
        return value.startswith(needle)
    if mode == "PrefixOnWords":
        return any(word.startswith(needle) for word in value.split())
    return needle in value  # Substring, ExactPhrase


def evaluate(expr: etree._Element, item: StoredItem) -> bool:
    """Whether ``item`` matches one restriction element (``t:And``, ``t:IsEqualTo`` ...)."""
    op = etree.QName(expr).localname
    if op == "And":
        return all(evaluate(child, item) for child in expr)
    if op == "Or":
        return any(evaluate(child, item) for child in expr)
    if op == "Not":
        return not evaluate(expr[0], item)
    values = _values(item, expr[0])
    if op == "Exists":
        return bool(values)
    if op == "Contains":
        return any(_contains(expr, v) for v in values)
    if op == "Excludes":
        # Excludes is a bitmask test on numbers; nobody queries it on text.
        mask = int(expr.find(f"{{{NS_T}}}Bitmask").get("Value") or "0", 0)
        return not any(int(v) & mask for v in values if v.lstrip("-").isdigit())
    holder = expr[1]
    constant = holder.find(f"{{{NS_T}}}Constant")
    if constant is None:
        raise ValueError("comparisons with another field are not supported")
    right = constant.get("Value") or ""
    if not values:
        return op == "IsNotEqualTo"
    return any(_compare(op, v, right) for v in values)


def sort_key(item: StoredItem, uri: etree._Element) -> tuple[int, Any]:
    """Missing values first, then date-times, numbers and strings, each in natural order."""
    values = _values(item, uri)
    if not values:
        return (0, "")
    value = _coerce(values[0])
    if isinstance(value, dt.datetime):
        return (1, value.isoformat())
    return (2, value) if isinstance(value, Decimal) else (3, value)
