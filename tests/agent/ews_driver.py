"""Run the agent (or undo) in a child process against the EWS test server, for kill tests.

``python ews_driver.py agent|loop|undo DB CONFIG NOW`` (``loop``: every
``AGENT_TEST_INTERVAL`` seconds until SIGTERM). The child is what a SIGKILL hits: the real
``run_agent`` with its lock, status and journal, over real EWS connections (exchangelib over
HTTP to the server in the parent test process). With ``--cli`` semantics left to the CLI once
``connectors.factory`` exists, this driver builds the connection itself so the page size can be
small (more kill points during sync) and the server build pinned.

Environment: ``OUTLOOK_NETWORKING_ACCESS_TOKEN`` (the server's token), ``AGENT_TEST_PAGE``
(SyncFolderItems page size), ``AGENT_TEST_SHIM=1`` (the temporary pipeline shim of conftest).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

SERVER_BUILD = (15, 1, 2507, 6)


@dataclass
class _Connection:
    source: Any
    sink: Any


def ews_connection(account: Any, *, token: str, page: int = 512, max_wait_s: float = 20,
                   pause_s: float = 0.5) -> _Connection:
    """An EWS source and sink for ``account`` on the test server (build pinned, no probing)."""
    from outlook_networking.connectors.ews import Edge, EwsSink, EwsSource, open_account

    exchange = open_account(account, token=lambda: token, build=SERVER_BUILD,
                            max_wait_s=max_wait_s)
    name = f"ews:{account.name}"
    edge = Edge(name, credentials=exchange.protocol.credentials, protocol=exchange.protocol,
                pause_s=pause_s)
    return _Connection(EwsSource(exchange, name, edge=edge, page_size=page, get_batch=page),
                       EwsSink(exchange, name, edge=edge))


def _connect(account: Any) -> _Connection:
    return ews_connection(account, token=os.environ["OUTLOOK_NETWORKING_ACCESS_TOKEN"],
                          page=int(os.environ.get("AGENT_TEST_PAGE", "512")))


def _shim() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from agent.conftest import _desired_state_fixed
    from outlook_networking import pipeline
    from outlook_networking.agent import cycle

    pipeline.desired_state = _desired_state_fixed  # type: ignore[assignment]
    cycle.desired_state = _desired_state_fixed  # type: ignore[attr-defined]


def run(argv: list[str]) -> int:
    """``agent|loop|undo DB CONFIG NOW``: the exit code."""
    command, db, config, now = argv[:4]
    if os.environ.get("AGENT_TEST_SHIM") == "1":
        _shim()
    from outlook_networking.agent import run_agent
    from outlook_networking.cli.context import Context
    from outlook_networking.pipeline import scheme_for
    from outlook_networking.writeback import undo

    args = argparse.Namespace(db=db, config=config, now=datetime.fromisoformat(now), debug=False)
    ctx = Context(args)
    try:
        if command == "agent":
            return run_agent(ctx, once=True, connect=_connect)
        if command == "loop":
            interval = float(os.environ.get("AGENT_TEST_INTERVAL", "300"))
            return run_agent(ctx, interval=interval, connect=_connect)
        account = ctx.config.account()
        report = undo(ctx.store, _connect(account).sink, scheme_for(ctx.config))
        return 0 if report.complete else 1
    finally:
        ctx.close()


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
