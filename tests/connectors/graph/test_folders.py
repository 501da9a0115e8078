"""Every mail folder of a Graph mailbox is read (Archive, the user's folders at any depth) and
the folders without correspondence are not; moves (a new id each time, as Graph gives without
immutable ids), copies and folders that come and go between syncs leave the counts as they
were; a quiet sync costs one request per level of the folder tree and one delta per folder.
httpx unpatched, against the Graph test server over loopback."""

from __future__ import annotations

from datetime import UTC, datetime

from outlook_networking.connectors.graph import GraphClient, GraphSource
from outlook_networking.store import Store
from servers.graph import GraphServer

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _mail(server: GraphServer, folder: str, subject: str) -> str:
    return server.add_message(
        folder, subject=subject, sender="ann@partner.example", to=[server.upn], sent=T0,
        internet_message_id=f"<{subject.replace(' ', '-')}@partner.example>",
    )  # fmt: skip


def _source(client: GraphClient, **kwargs: object) -> GraphSource:
    kwargs.setdefault("folders", ("mail",))
    return GraphSource(client, name="graph:work", now=lambda: NOW, **kwargs)  # type: ignore[arg-type]


def _sync(store: Store, source: GraphSource) -> None:
    for batch in source.read(store.cursors(source.name)):
        store.apply_batch(source.name, batch)


def _subjects(store: Store) -> list[str]:
    return sorted(i.subject for i in store.interactions())


def _tree(server: GraphServer) -> dict[str, str]:
    """A mailbox as people keep theirs: the Archive, their own folders at several depths, and
    folders whose mail is no correspondence (well-known, hidden, search, RSS)."""
    clients = server.add_folder("Clients")
    acme = server.add_folder("Acme", clients)
    old = server.add_folder("2024", acme)
    filed = server.add_folder("Receipts", "inbox")
    binned = server.add_folder("Old project", "deleteditems")
    hidden = server.add_folder("Hidden", hidden=True)
    search = server.add_folder("Unread mail", search=True)
    rss = server.add_folder("RSS Feeds", folder_class="IPF.Note.OutlookHomepage")
    for folder, subject in [
        ("inbox", "in the inbox"), ("sentitems", "sent"), ("archive", "archived"),
        (clients, "filed at the top"), (acme, "filed one down"), (old, "filed two down"),
        (filed, "filed below the inbox"),
        ("junkemail", "junk"), ("drafts", "draft"), ("outbox", "outbox"),
        ("deleteditems", "deleted"), (binned, "deleted with its folder"),
        ("conversationhistory", "chat"), ("conflicts", "sync conflict"), (hidden, "hidden"),
        (search, "found by a search"), (rss, "feed"),
    ]:  # fmt: skip
        _mail(server, folder, subject)
    return {"clients": clients, "acme": acme, "old": old, "filed": filed}


READ = [
    "archived", "filed at the top", "filed below the inbox", "filed one down", "filed two down",
    "in the inbox", "sent",
]  # fmt: skip


def test_every_mail_folder_is_read_and_no_other(server: GraphServer, client: GraphClient) -> None:
    ids = _tree(server)
    batches = list(_source(client, folder_page=2).read({}))  # folder listings over pages
    got = {i.subject: (b.folder, i.folder) for b in batches for i in b.interactions}
    assert sorted(got) == READ
    assert got["in the inbox"] == ("inbox", "inbox")
    assert got["sent"] == ("sent", "sent")
    assert got["filed below the inbox"] == (f"inbox/{ids['filed']}", "inbox")
    archive = server.mailbox().folder_alias["archive"]
    assert got["archived"] == (f"folder/{archive}", "")  # who sent it says the message
    assert got["filed two down"] == (f"folder/{ids['old']}", "")


def test_folders_config_includes_and_excludes_by_path(
    server: GraphServer, client: GraphClient
) -> None:
    _tree(server)
    source = _source(client, include=["Deleted Items"], exclude=["clients/acme"])
    subjects = sorted(i.subject for b in source.read({}) for i in b.interactions)
    expected = set(READ) - {"filed one down", "filed two down"}
    assert subjects == sorted(expected | {"deleted", "deleted with its folder"})


def test_archiving_filing_moving_and_copying_leave_the_counts(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    ids = _tree(server)
    moving = _mail(server, "inbox", "moved around")
    copied = _mail(server, "inbox", "copied")
    from_junk = _mail(server, "junkemail", "not junk after all")
    # The client asks for immutable ids, so a moved message keeps its id: it leaves one folder's
    # delta (@removed) and turns up in the other's under the same id.
    _sync(store, _source(client))
    before = _subjects(store)
    assert before == sorted([*READ, "copied", "moved around"])

    server.move_message(moving, "archive")  # Outlook's Archive button
    server.copy_message(copied, ids["clients"])
    _sync(store, _source(client))
    assert _subjects(store) == before
    server.move_message(moving, ids["old"])  # filed away from the archive
    server.move_message(from_junk, "inbox")  # from a folder not read into one that is
    _sync(store, _source(client))
    assert _subjects(store) == sorted([*before, "not junk after all"])


def test_a_new_folder_is_read_and_a_deleted_one_keeps_its_history(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    ids = _tree(server)
    _sync(store, _source(client))
    assert f"folder/{ids['acme']}" in store.cursors("graph:work")

    project = server.add_folder("Project X", "archive")
    _mail(server, project, "in a new folder")
    server.move_folder(ids["acme"], "deleteditems")  # deleted in Outlook: moved to Deleted Items
    batches = list(_source(client).read(store.cursors("graph:work")))
    for batch in batches:
        store.apply_batch("graph:work", batch)
    new = [b for b in batches if b.folder == f"folder/{project}"]
    assert new[0].reset and [i.subject for i in new[-1].interactions] == ["in a new folder"]
    after = store.cursors("graph:work")
    assert f"folder/{ids['acme']}" not in after and f"folder/{ids['old']}" not in after
    assert "filed two down" in _subjects(store)  # the folder went, what happened did not

    server.delete_folder(ids["clients"])  # gone for good, and its id with it
    _sync(store, _source(client))
    assert f"folder/{ids['clients']}" not in store.cursors("graph:work")
    assert "filed at the top" in _subjects(store)


def test_a_quiet_sync_costs_a_request_per_tree_level_and_one_delta_per_folder(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    _tree(server)
    _sync(store, _source(client))
    assert "msgfolderroot" in store.cursors("graph:work")["folders"]  # well-known ids, kept

    server.reset_log()
    batches = list(_source(client).read(store.cursors("graph:work")))
    assert all(not b.interactions and not b.deleted for b in batches)
    # The top level (one GET), the children of Inbox and Clients (one $batch: those of Deleted
    # Items and Sync Issues are not asked for), of Acme (one $batch); 2024 has none.
    assert server.count(path="/mailFolders", in_batch=False, method="GET") == 1 + len(READ)
    assert server.count(path="/$batch", in_batch=False) == 2
    assert server.count(path="/childFolders", in_batch=True) == 2 + 1
    assert server.count(path="/messages/delta", in_batch=False) == len(READ)
    assert server.count(in_batch=False) == 1 + 2 + len(READ)


def test_a_folder_deleted_while_the_sync_runs_is_let_go(
    server: GraphServer, client: GraphClient
) -> None:
    ids = _tree(server)
    archive = server.mailbox().folder_alias["archive"]
    seen: list[str] = []
    dropped: list[str] = []
    for batch in _source(client).read({}):
        if batch.folder == f"folder/{archive}":  # listed first, before Inbox/Receipts
            server.delete_folder(ids["filed"])
        if batch.cursor == "":
            dropped.append(batch.folder)
        seen.extend(i.subject for i in batch.interactions)
    assert dropped == [f"inbox/{ids['filed']}"]
    assert sorted(seen) == sorted(set(READ) - {"filed below the inbox"})
