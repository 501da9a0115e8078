"""Delta tokens for the Graph test server.

A token carries everything needed to serve the next page, like Graph's opaque state tokens:
the mailbox and collection, the mailbox's token generation (bumping it makes every older token
stale: 410 ``SyncStateNotFound``), the cursor, the upper bound of the round (fixed when a round
starts so a round always ends), where the round began (an update reports the properties changed
since), whether the round is the initial one (no removals reported), how many items it served,
the ``$select``, the ``$expand``, the ``$filter`` and the calendar window. Tokens are signed so
a garbled one is detected, never misread.

Exports: ``DeltaState``, ``encode``, ``decode``, ``TokenError``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass

_KEY = b"graph-test-server"


class TokenError(ValueError):
    """The token is garbled, forged, or belongs to another collection."""


@dataclass(frozen=True)
class DeltaState:
    mailbox: str
    collection: str
    generation: int
    after: int
    upto: int | None  # None: the round starts with the next request
    initial: bool
    select: list[str] | None = None
    window: tuple[str, str] | None = None
    received_filter: tuple[str, str] | None = None
    start: int = 0  # where the round began: updates report what changed since then
    delivered: int = 0  # items served so far in an initial round (for the $filter cap)
    expand: list[str] | None = None  # extended properties asked for with $expand


def encode(state: DeltaState) -> str:
    payload = json.dumps(asdict(state), separators=(",", ":")).encode()
    mac = hmac.new(_KEY, payload, hashlib.sha256).digest()[:8]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def decode(token: str) -> DeltaState:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError as exc:
        raise TokenError("not base64") from exc
    mac, payload = raw[:8], raw[8:]
    if not hmac.compare_digest(mac, hmac.new(_KEY, payload, hashlib.sha256).digest()[:8]):
        raise TokenError("bad signature")
    try:
        data = json.loads(payload)
        window = tuple(data["window"]) if data.get("window") else None
        received = tuple(data["received_filter"]) if data.get("received_filter") else None
        return DeltaState(
            mailbox=data["mailbox"],
            collection=data["collection"],
            generation=int(data["generation"]),
            after=int(data["after"]),
            upto=None if data["upto"] is None else int(data["upto"]),
            initial=bool(data["initial"]),
            select=data.get("select"),
            window=window,
            received_filter=received,
            start=int(data.get("start", 0)),
            delivered=int(data.get("delivered", 0)),
            expand=data.get("expand"),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("bad payload") from exc
