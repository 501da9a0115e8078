"""Folders through EWS: the folder contract, FindFolder over pages, and what a quiet sync
costs (one FindFolder and one SyncFolderItems per folder). exchangelib unpatched, against the
EWS test server over loopback."""

from __future__ import annotations

import pytest

from outlook_networking.connectors.ews import EwsSource
from outlook_networking.store import Store
from servers.ews import EWSServer

from ..folders_contract import READ, FolderContract, FolderWorld, mail, sync, tree
from .conftest import NOW, AccountFactory


@pytest.fixture
def folder_world(ews_server: EWSServer, make_account: AccountFactory) -> FolderWorld:
    box = ews_server.mailbox

    def source(**options: object) -> EwsSource:
        return EwsSource(make_account(), "ews:work", folders=("mail",), now=lambda: NOW,
                         **options)  # type: ignore[arg-type]  # fmt: skip

    def add_folder(name: str, parent: str, rss: bool = False) -> str:
        kind = "IPF.Note.OutlookHomepage" if rss else "IPF.Note"
        return box.add_folder(name, parent=parent, folder_class=kind)

    def add_message(folder: str, subject: str, message_id: str) -> str:
        return box.add_message(folder, subject=subject, sender="ann@partner.example",
                               to=["me@example.com"], sent=NOW, message_id=message_id)  # fmt: skip

    return FolderWorld(
        source=source,
        add_folder=add_folder,
        add_message=add_message,
        move=lambda item, folder: box.move(item, folder).id,  # a new id on every move
        copy=box.copy,
        delete=box.delete,
        move_folder=box.move_folder,
        delete_folder=box.delete_folder,
        # EWS has no distinguished id for the Archive folder: it is a folder like the user's.
        archive=box.add_folder("Archive", parent="msgfolderroot"),
    )


class TestEwsFolders(FolderContract):
    pass


def test_hidden_folders_and_what_is_below_them_are_not_read(
    ews_server: EWSServer, folder_world: FolderWorld
) -> None:
    # EWS has no isHidden; the folder's PidTagAttributeHidden is asked for by tag, as Graph
    # leaves hidden folders out of its listings.
    box = ews_server.mailbox
    tree(folder_world)
    hidden = box.add_folder("Sync state", parent="msgfolderroot", hidden=True)
    mail(folder_world, hidden, "hidden")
    mail(folder_world, box.add_folder("Below", parent=hidden), "below hidden")
    mail(folder_world, box.add_folder("Shown", parent="msgfolderroot", hidden=False), "shown")
    got = sorted(i.subject for b in folder_world.source().read({}) for i in b.interactions)
    assert got == sorted([*READ, "shown"])


def test_the_folder_tree_is_listed_over_pages(
    ews_server: EWSServer, folder_world: FolderWorld
) -> None:
    tree(folder_world)
    list(folder_world.source(folder_page=4).read({}))
    assert ews_server.operations().count("FindFolder") > 2  # IndexedPageFolderView pages


def test_a_quiet_sync_costs_one_find_folder_and_one_sync_per_folder(
    ews_server: EWSServer, folder_world: FolderWorld, store: Store
) -> None:
    tree(folder_world)
    sync(store, folder_world.source())
    assert "msgfolderroot" in store.cursors("ews:work")["folders"]  # well-known ids, kept

    ews_server.reset_log()
    quiet = folder_world.source()
    batches = list(quiet.read(store.cursors("ews:work")))
    assert all(not b.interactions and not b.deleted for b in batches)
    assert ews_server.operations() == ["FindFolder"] + ["SyncFolderItems"] * len(READ)
    assert isinstance(quiet, EwsSource) and quiet.requests == 1 + len(READ)
