"""Delta queries for the Graph test server: pages, next and delta links, removals.

``serve_delta`` serves one page of any collection's delta round (messages, events, contacts)
from the collection's change log and the state carried in the token (see ``delta.py``). What
Graph documents, or its users report, and this server therefore does too:

- An update in a later round is reported by its ``id`` "with *at least* the properties that
  have been updated" (delta query overview, "Resource representation in the delta query
  response"); for messages that is all you get: a read toggle comes back as ``id``, ``isRead``
  and ``parentFolderId`` only (microsoftgraph/microsoft-graph-docs#7776), and a change to a
  property outside the ``$select`` is not reported at all (alcionai/corso#1866 for
  ``isRead``).
- "Applying ``$filter`` in a delta query returns only up to 5,000 messages" (Get incremental
  changes to messages in a folder): the initial round ends with a ``deltaLink`` after 5,000
  messages, as if it were complete.
- A page of messages "each with a full response payload may trigger the gateway timeout
  (HTTP 504)" (List messages): a page whose JSON exceeds the gateway budget answers 504.
- Extended properties come with a message when ``$expand=singleValueExtendedProperties(
  $filter=id eq '...')`` asks for them ("message: delta" lists ``$expand`` among its query
  parameters; microsoftgraph/msgraph-metadata#562), named back in Graph's own spelling (``Integer
  0x36``: lower-case hex without leading zeros, as the example in learn.microsoft.com/answers
  question 599013 shows for ``Binary 0x0E0A``), and left out when the item has none of them.
  The calendarView delta "does not support the $expand option" (event: delta), nor do contacts
  here. Like ``$select``, the ``$expand`` is kept in the token, not repeated by the client.
- Ids are shown as the request asks (``Prefer: IdType="ImmutableId"``); a removal shows the id
  the item had in that folder.

Exports: ``DeltaKind``, ``serve_delta``, ``resync_location``, ``property_name``, ``FILTER_CAP``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from . import delta
from .mailbox import Collection, Item, iso
from .protocol import (
    DEFAULT_DELTA_PAGE,
    Call,
    GraphError,
    Reply,
    applied,
    bad_request,
    gone,
    link,
    preferences,
    rest_ids,
)
from .resources import SelectError, parse_graph_datetime, parse_select, render

FILTER_CAP = 5000


@dataclass(frozen=True)
class DeltaKind:
    path: str  # link path after the prefix
    props: tuple[str, ...] | None  # None: $select not supported
    type_name: str
    hidden: frozenset[str] = frozenset()
    partial_updates: bool = False  # updates are reported by the properties they changed
    # Which properties an item is reported with regardless of $select (bare occurrences).
    shape: Callable[[Item], list[str] | None] | None = None
    extended: bool = False  # $expand of extended properties supported


def serve_delta(
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
            raise gone() from None
        if (
            state.mailbox != mb.upn
            or state.collection != coll.key
            or state.generation != mb.delta_generation
        ):
            raise gone()
    else:
        raw_select = call.query.get("$select")
        if kind.props is None and raw_select:
            raise bad_request(
                "$select is not supported on this delta function.", "ErrorInvalidUrlQuery"
            )
        try:
            select = parse_select(raw_select, kind.props or (), kind.type_name)
        except SelectError as exc:
            raise bad_request(str(exc), "RequestBroker--ParseUri") from None
        expand = _expanded(call.query.get("$expand"), kind)
        received = None
        raw_filter = call.query.get("$filter")
        if raw_filter:
            m = re.fullmatch(r"\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*", raw_filter, re.I)
            if m is None or kind.type_name != "microsoft.graph.message":
                raise bad_request(
                    f"Unsupported $filter on delta: {raw_filter}", "ErrorInvalidUrlQuery"
                )
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
            expand=expand,
        )
    if state.upto is None:
        state = replace(state, upto=coll.high_water(), start=state.after)
    assert state.upto is not None
    size, tz = preferences(call)
    page = min(size, call.max_page_size) if size else DEFAULT_DELTA_PAGE
    capped = state.initial and state.received_filter is not None
    if capped:
        page = min(page, FILTER_CAP - state.delivered)
    ids = rest_ids(call)
    values: list[dict[str, Any]] = []
    after = state.after
    exhausted = page <= 0
    odata_type = "#" + kind.type_name
    while len(values) < page and not exhausted:
        changes, after, exhausted = coll.changes(
            after, state.upto, page - len(values), include_removed=not state.initial
        )
        for ch in changes:
            if ch.item is not None and (keep is None or keep(ch.item, state)):
                keys = _reported(coll, kind, ch.item, state)
                if keys is None or keys:
                    shown_item = render(
                        ch.item,
                        state.select if keys is None else keys,
                        odata_type=odata_type,
                        hidden=kind.hidden,
                        time_zone=tz or "UTC",
                        rest_ids=ids,
                    )
                    if keys is None and state.expand:
                        _add_extended(shown_item, ch.item, state.expand)
                    values.append(shown_item)
            elif not state.initial:
                # Deleted, or no longer in scope (an event moved out of the window).
                shown = ch.item_id if ids is None else (ch.removed_as or ids.rest_id(ch.item_id))
                values.append(
                    {"@odata.type": odata_type, "id": shown, "@removed": {"reason": "deleted"}}
                )
    state = replace(state, delivered=state.delivered + len(values))
    if capped and state.delivered >= FILTER_CAP:
        exhausted = True  # the cap ends the round as if nothing were left
    if call.gateway_page_bytes is not None and len(json.dumps(values)) > call.gateway_page_bytes:
        raise GraphError(
            504, "UnknownError", "The gateway did not receive a response in time."
        )  # nothing advanced: the client may ask again, for a smaller page
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
        body["@odata.deltaLink"] = link(call, kind.path, params)
    else:
        params.append(("$skiptoken", delta.encode(replace(state, after=after))))
        body["@odata.nextLink"] = link(call, kind.path, params)
    return Reply(200, body, applied(page if size else None, tz))


def resync_location(call: Call) -> str:
    """Where a ``resyncRequired`` reply sends the client: the same delta, started afresh."""
    token = call.query.get("$skiptoken") or call.query.get("$deltatoken")
    params: list[tuple[str, str]] = []
    if token:
        try:
            state = delta.decode(token)
            if state.select:
                params.append(("$select", ",".join(state.select)))
            if state.expand:
                ids = " or ".join(f"id eq '{name}'" for name in state.expand)
                params.append(("$expand", f"singleValueExtendedProperties($filter={ids})"))
            if state.window:
                params += [("startDateTime", state.window[0]), ("endDateTime", state.window[1])]
        except delta.TokenError:
            pass
    else:
        params = [(k, v) for k, v in call.query.items()]
    return link(call, call.rest, params)


def _reported(
    coll: Collection, kind: DeltaKind, item: Item, state: delta.DeltaState
) -> list[str] | None:
    """The properties an item is reported with: ``None`` for its standard representation
    (within ``$select``), else the list (empty: not reported this round)."""
    if kind.shape is not None:
        shape = kind.shape(item)
        if shape is not None:
            return shape
    if not kind.partial_updates or state.initial:
        return None
    changed = coll.changed_since(item["id"], state.start)
    if changed is None:
        return None
    wanted = set(state.select) if state.select else set(kind.props or ())
    shown = sorted(changed & wanted)
    if not shown:
        return []
    if "parentFolderId" in wanted:
        shown.append("parentFolderId")
    return shown


_EXPAND = re.compile(r"\s*singleValueExtendedProperties\(\$filter=(.+)\)\s*", re.I)
_PROPERTY_ID = re.compile(r"id\s+eq\s+'([^']+)'", re.I)
_TAGGED = re.compile(r"(\w+)\s+0x([0-9a-f]{1,4})", re.I)


def property_name(kind: str, tag: int) -> str:
    """An extended property's id in Graph's own spelling: ``Integer 0x36``."""
    return f"{kind[:1].upper()}{kind[1:].lower()} 0x{tag:x}"


def _expanded(raw: str | None, kind: DeltaKind) -> list[str] | None:
    """The extended properties a delta's ``$expand`` asks for, by their Graph names."""
    if not raw:
        return None
    m = _EXPAND.fullmatch(raw)
    if not kind.extended or m is None:
        raise bad_request(f"Unsupported $expand on delta: {raw}", "ErrorInvalidUrlQuery")
    wanted = [_canonical(pid) for pid in _PROPERTY_ID.findall(m.group(1))]
    if not wanted:
        raise bad_request(f"Unsupported $filter in $expand: {m.group(1)}", "ErrorInvalidUrlQuery")
    return wanted


def _canonical(pid: str) -> str:
    """A property id in Graph's spelling: tagged ones as :func:`property_name`, named ones as
    given (Graph compares the ids case-insensitively; the comparisons below fold case)."""
    tagged = _TAGGED.fullmatch(pid.strip())
    return property_name(tagged[1], int(tagged[2], 16)) if tagged else pid.strip()


def _add_extended(shown: dict[str, Any], item: Item, wanted: list[str]) -> None:
    """The item's extended properties (``_ext``: seeded, or given by a POST, items.py) that
    were asked for, if it has any."""
    props = {_canonical(k).lower(): (_canonical(k), v) for k, v in item.get("_ext", {}).items()}
    found = [
        {"id": props[name.lower()][0], "value": props[name.lower()][1]}
        for name in wanted
        if name.lower() in props
    ]
    if found:
        shown["singleValueExtendedProperties"] = found
