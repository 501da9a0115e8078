"""The request and reply types of the Graph test server, and Graph's error shape.

``Call`` is one mailbox-scoped request, already authenticated and admitted; handlers return a
``Reply`` or raise ``GraphError``, which the server renders as
``{"error": {"code", "message", "innerError"}}``. Also here: the small helpers every handler
uses (preferences, links, ``If-Match``, plain paging with ``$top``/``$skip``).

Exports: ``Call``, ``Reply``, ``GraphError``, ``error_body``, ``not_found``, ``bad_request``,
``gone``, ``preferences``, ``rest_ids``, ``applied``, ``link``, ``check_if_match``, ``string_list``,
``list_paged``, ``RequestRecord``, ``DEFAULT_DELTA_PAGE``, ``DEFAULT_TASK_PAGE``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from .mailbox import IdRegistry, Item, Mailbox, iso

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
    gateway_page_bytes: int | None = None  # a page above this answers 504 (deltas.py)


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


def not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def bad_request(message: str, code: str = "ErrorInvalidRequest") -> GraphError:
    return GraphError(400, code, message)


def gone() -> GraphError:
    return GraphError(
        410,
        "SyncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must be "
        "synchronized again.",
    )


# --------------------------------------------------------------------------- preferences


def preferences(call: Call) -> tuple[int | None, str | None]:
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


def rest_ids(call: Call) -> IdRegistry | None:
    """The mailbox's REST ids unless the request asked for immutable ids.

    ``Prefer: IdType="ImmutableId"`` applies only to the request it comes with (each part of a
    ``$batch`` carries its own); without it Graph shows regular ids, which change when an item
    moves (learn.microsoft.com/graph/outlook-immutable-id).
    """
    raw = call.headers.get("prefer", "")
    if re.search(r'idtype\s*=\s*"?immutableid"?', raw, re.IGNORECASE):
        return None
    return call.mailbox.ids


def applied(size: int | None, tz: str | None) -> dict[str, str]:
    parts = []
    if size is not None:
        parts.append(f"odata.maxpagesize={size}")
    if tz is not None:
        parts.append(f'outlook.timezone="{tz}"')
    return {"Preference-Applied": ", ".join(parts)} if parts else {}


def link(call: Call, path: str, params: list[tuple[str, str]]) -> str:
    query = urlencode(params, quote_via=quote, safe="$,")
    return f"{call.base}{call.prefix}{path}" + (f"?{query}" if query else "")


def check_if_match(call: Call, item: Item) -> None:
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


def string_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(
            f"Property '{name}' must be a collection of strings.", "ErrorInvalidProperty"
        )
    return list(value)


def list_paged(
    call: Call, items: list[dict[str, Any]], path: str, default_page: int, type_name: str
) -> Reply:
    try:
        top = int(call.query.get("$top", default_page))
        skip = int(call.query.get("$skip", 0))
    except ValueError:
        raise bad_request("$top and $skip must be integers.", "ErrorInvalidUrlQuery") from None
    top = max(1, min(top, 1000))
    chunk = items[skip : skip + top]
    body: dict[str, Any] = {
        "@odata.context": f"{call.base}/$metadata#Collection({type_name})",
        "value": chunk,
    }
    if skip + top < len(items):
        params = [(k, v) for k, v in call.query.items() if k not in ("$skip", "$top")]
        params += [("$top", str(top)), ("$skip", str(skip + top))]
        body["@odata.nextLink"] = link(call, path, params)
    return Reply(200, body)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (sub-requests of a ``$batch`` too)."""

    method: str
    path: str  # after /v1.0, unquoted, without query
    query: dict[str, str]
    status: int | str  # HTTP status, or "drop"
    mailbox: str | None
    in_batch: bool
    headers: dict[str, str]
