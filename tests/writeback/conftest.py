"""The ``world`` fixture: each test of a mailbox's behaviour runs on the in-memory mailbox and on
both test servers through the real clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .worlds import EwsWorld, GraphWorld, MemoryWorld, World


@pytest.fixture(params=["memory", "ews", "graph"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    made: World = {"memory": MemoryWorld, "ews": EwsWorld, "graph": GraphWorld}[request.param]()
    try:
        yield made
    finally:
        made.close()
