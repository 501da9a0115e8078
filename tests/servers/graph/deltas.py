"""Delta queries for the Graph test server: pages, next and delta links, removals.

``serve_delta`` serves one page of any collection's delta round (messages, events, contacts)
from the collection's change log and the state carried in the token (see ``delta.py``).

Exports: ``DeltaKind``, ``serve_delta``, ``resync_location``.
"""

from __future__ import annotations

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
    Reply,
    applied,
    bad_request,
    gone,
    link,
    preferences,
)
from .resources import SelectError, parse_graph_datetime, parse_select, render


@dataclass(frozen=True)
class DeltaKind:
    path: str  # link path after the prefix
    props: tuple[str, ...] | None  # None: $select not supported
    type_name: str
    hidden: frozenset[str] = frozenset()


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
        )
    if state.upto is None:
        state = replace(state, upto=coll.high_water())
    assert state.upto is not None
    size, tz = preferences(call)
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
            if state.window:
                params += [("startDateTime", state.window[0]), ("endDateTime", state.window[1])]
        except delta.TokenError:
            pass
    else:
        params = [(k, v) for k, v in call.query.items()]
    return link(call, call.rest, params)
