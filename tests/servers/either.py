"""Either test server, EWS or Graph, for a test told against both (the command-line stories)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from exchangelib import close_connections

from servers.ews import EWSServer
from servers.graph import GraphServer


@contextmanager
def exchange_server(kind: str, *, token: str, upn: str) -> Iterator[EWSServer | GraphServer]:
    """A fresh server of ``kind`` (``"ews"`` or ``"graph"``); an EWS server must have seen only
    requests valid under Microsoft's schema."""
    if kind == "ews":
        with EWSServer(token=token) as ews:
            yield ews
            errors = list(ews.schema_errors)
        close_connections()
        assert errors == [], errors
    else:
        with GraphServer(token=token, upn=upn) as graph:
            yield graph
