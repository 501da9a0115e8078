"""Agent cycles against the Graph test server: a quiet cycle is one delta request per folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outlook_networking.agent import run_once
from outlook_networking.config import config_from_mapping
from outlook_networking.connectors.graph import FOLDERS
from outlook_networking.connectors.graph.connect import connect_graph
from outlook_networking.store import Store
from servers.graph import GraphServer

from .world import ME, NOW, build_world, load_graph

WORLD = build_world(seed=9, people=8, messages=90)


@pytest.fixture()
def server() -> Iterator[GraphServer]:
    with GraphServer(upn=ME, concurrency_retry_after=0) as srv:
        yield srv


def test_a_quiet_cycle_is_one_delta_request_per_folder_and_no_writes(
    server: GraphServer, tmp_path: Path
) -> None:
    load_graph(server, WORLD)
    config = config_from_mapping({"accounts": [{
        "name": "work", "address": ME, "connector": "graph", "auth": "token",
        "graph_url": server.url,
    }]})
    connection = connect_graph(config.account(), lambda: server.token)
    try:
        with Store.open(tmp_path / "graph.sqlite3") as store:
            first = run_once(store, config, {"work": connection}, now=NOW)
            assert first.result == "ok", first.errors
            assert first.actions_applied > 0
            second = run_once(store, config, {"work": connection}, now=NOW)
            assert second.result == "ok" and second.actions_applied == 0
            server.reset_log()
            quiet = run_once(store, config, {"work": connection}, now=NOW)
            assert quiet.result == "ok" and quiet.items_synced == 0
            assert quiet.accounts[0].apply == "unchanged"
            # Inbox, Sent Items and Archive (none with subfolders, so one listing finds them),
            # calendar and contacts.
            folders = len(FOLDERS) - 1 + 3
            deltas = server.count(path="/delta")
            writes = sum(server.count(method=m) for m in ("POST", "PATCH", "PUT", "DELETE"))
            assert deltas == folders and writes == 0
            assert server.count(path="/mailFolders", method="GET") == 3 + 1  # and the listing
            assert len(server.requests) == folders + 1, [r.path for r in server.requests]
    finally:
        connection.close()
