"""Folders through Graph: the folder contract, hidden and search folders, and what a quiet
sync costs (one request per level of the folder tree, one delta per folder). httpx unpatched,
against the Graph test server over loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outlook_networking.connectors.graph import GraphClient, GraphSource
from outlook_networking.store import Store
from servers.graph import GraphServer

from ..folders_contract import READ, FolderContract, FolderWorld, mail, sync, tree

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def folder_world(server: GraphServer, client: GraphClient) -> FolderWorld:
    def source(**options: object) -> GraphSource:
        return GraphSource(client, name="graph:work", folders=("mail",), now=lambda: NOW,
                           **options)  # type: ignore[arg-type]  # fmt: skip

    def add_folder(name: str, parent: str, rss: bool = False) -> str:
        kind = "IPF.Note.OutlookHomepage" if rss else "IPF.Note"
        return server.add_folder(name, parent, folder_class=kind)

    def add_message(folder: str, subject: str, message_id: str) -> str:
        return server.add_message(folder, subject=subject, sender="ann@partner.example",
                                  to=[server.upn], internet_message_id=message_id,
                                  sent=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))  # fmt: skip

    return FolderWorld(
        source=source,
        add_folder=add_folder,
        add_message=add_message,
        # The client asks for immutable ids: a moved message leaves one folder's delta
        # (@removed) and turns up in the other's under the same id.
        move=server.move_message,
        copy=server.copy_message,
        delete=server.delete_message,
        move_folder=server.move_folder,
        delete_folder=server.delete_folder,
        archive=server.mailbox().folder_alias["archive"],
    )


class TestGraphFolders(FolderContract):
    pass


def test_hidden_and_search_folders_are_not_read(
    server: GraphServer, folder_world: FolderWorld
) -> None:
    tree(folder_world)
    mail(folder_world, server.add_folder("Hidden", hidden=True), "hidden")
    mail(folder_world, server.add_folder("Unread mail", search=True), "found by a search")
    got = sorted(i.subject for b in folder_world.source().read({}) for i in b.interactions)
    assert got == READ


def test_a_quiet_sync_costs_a_request_per_tree_level_and_one_delta_per_folder(
    server: GraphServer, folder_world: FolderWorld, store: Store
) -> None:
    tree(folder_world)
    sync(store, folder_world.source())
    assert "msgfolderroot" in store.cursors("graph:work")["folders"]  # well-known ids, kept

    server.reset_log()
    batches = list(folder_world.source().read(store.cursors("graph:work")))
    assert all(not b.interactions and not b.deleted for b in batches)
    # The top level (one GET), the children of Inbox and Clients (one $batch: those of Deleted
    # Items and Sync Issues are not asked for), of Acme (one $batch); 2024 has none.
    assert server.count(path="/mailFolders", in_batch=False, method="GET") == 1 + len(READ)
    assert server.count(path="/$batch", in_batch=False) == 2
    assert server.count(path="/childFolders", in_batch=True) == 2 + 1
    assert server.count(path="/messages/delta", in_batch=False) == len(READ)
    assert server.count(in_batch=False) == 1 + 2 + len(READ)
