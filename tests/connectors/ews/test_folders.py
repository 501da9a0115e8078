"""Every mail folder of an EWS mailbox is read (Archive, the user's folders at any depth) and
the folders without correspondence are not; moves, copies and folders that come and go between
syncs leave the counts as they were; a quiet sync costs one FindFolder and one SyncFolderItems
per folder. exchangelib unpatched, against the EWS test server over loopback."""

from __future__ import annotations

from outlook_networking.connectors.ews import EwsSource
from outlook_networking.store import Store
from servers.ews import EWSServer

from .conftest import NOW, AccountFactory

ME = "me@example.com"


def _mail(server: EWSServer, folder: str, subject: str) -> str:
    return server.mailbox.add_message(
        folder, subject=subject, sender="ann@partner.example", to=[ME], sent=NOW,
        message_id=f"<{subject.replace(' ', '-')}@partner.example>",
    )  # fmt: skip


def _source(make_account: AccountFactory, **kwargs: object) -> EwsSource:
    kwargs.setdefault("folders", ("mail",))
    return EwsSource(make_account(), "ews:work", now=lambda: NOW, **kwargs)  # type: ignore[arg-type]


def _sync(store: Store, source: EwsSource) -> None:
    for batch in source.read(store.cursors(source.name)):
        store.apply_batch(source.name, batch)


def _subjects(store: Store) -> list[str]:
    return sorted(i.subject for i in store.interactions())


def _tree(server: EWSServer) -> dict[str, str]:
    """A mailbox as people keep theirs: an Archive, their own folders at several depths, and
    the folders whose mail is no correspondence, some with subfolders of their own."""
    box = server.mailbox
    archive = box.add_folder("Archive", parent="msgfolderroot")
    clients = box.add_folder("Clients", parent="msgfolderroot")
    acme = box.add_folder("Acme", parent=clients)
    old = box.add_folder("2024", parent=acme)
    filed = box.add_folder("Receipts", parent="inbox")
    binned = box.add_folder("Old project", parent="deleteditems")
    rss = box.add_folder("RSS", parent="msgfolderroot", folder_class="IPF.Note.OutlookHomepage")
    for folder, subject in [
        ("inbox", "in the inbox"), ("sentitems", "sent"), (archive, "archived"),
        (clients, "filed at the top"), (acme, "filed one down"), (old, "filed two down"),
        (filed, "filed below the inbox"),
        ("junkemail", "junk"), ("drafts", "draft"), ("outbox", "outbox"),
        ("deleteditems", "deleted"), (binned, "deleted with its folder"),
        ("conversationhistory", "chat"), ("conflicts", "sync conflict"), (rss, "feed"),
    ]:  # fmt: skip
        _mail(server, folder, subject)
    return {"archive": archive, "clients": clients, "acme": acme, "old": old, "filed": filed}


READ = [
    "archived", "filed at the top", "filed below the inbox", "filed one down", "filed two down",
    "in the inbox", "sent",
]  # fmt: skip


def test_every_mail_folder_is_read_and_no_other(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    ids = _tree(ews_server)
    batches = list(_source(make_account, folder_page=4).read({}))  # FindFolder over pages
    assert ews_server.operations().count("FindFolder") > 2
    got = {i.subject: (b.folder, i.folder) for b in batches for i in b.interactions}
    assert sorted(got) == READ
    assert got["in the inbox"] == ("inbox", "inbox")
    assert got["sent"] == ("sent", "sent")
    assert got["filed below the inbox"] == (f"inbox/{ids['filed']}", "inbox")
    assert got["archived"] == (f"folder/{ids['archive']}", "")  # who sent it says the message
    assert got["filed two down"] == (f"folder/{ids['old']}", "")


def test_folders_config_includes_and_excludes_by_path(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    _tree(ews_server)
    source = _source(make_account, include=["deleted items"], exclude=["Clients/Acme"])
    subjects = sorted(i.subject for b in source.read({}) for i in b.interactions)
    expected = set(READ) - {"filed one down", "filed two down"}
    assert subjects == sorted(expected | {"deleted", "deleted with its folder"})


def test_archiving_filing_moving_and_copying_leave_the_counts(
    ews_server: EWSServer, make_account: AccountFactory, store: Store
) -> None:
    ids = _tree(ews_server)
    box = ews_server.mailbox
    moving = _mail(ews_server, "inbox", "moved around")
    copied = _mail(ews_server, "inbox", "copied")
    from_junk = _mail(ews_server, "junkemail", "not junk after all")
    _sync(store, _source(make_account))
    before = _subjects(store)
    assert before == sorted([*READ, "copied", "moved around"])

    moving = box.move(moving, ids["archive"]).id  # Outlook's Archive button
    box.copy(copied, ids["clients"])
    _sync(store, _source(make_account))
    assert _subjects(store) == before
    box.move(moving, ids["old"])  # filed away from the archive, under a new id again
    box.move(from_junk, "inbox")  # from a folder not read into one that is
    _sync(store, _source(make_account))
    assert _subjects(store) == sorted([*before, "not junk after all"])


def test_a_new_folder_is_read_and_a_deleted_one_keeps_its_history(
    ews_server: EWSServer, make_account: AccountFactory, store: Store
) -> None:
    ids = _tree(ews_server)
    box = ews_server.mailbox
    _sync(store, _source(make_account))
    cursors = store.cursors("ews:work")
    assert f"folder/{ids['acme']}" in cursors

    project = box.add_folder("Project X", parent=ids["archive"])
    _mail(ews_server, project, "in a new folder")
    box.move_folder(ids["acme"], "deleteditems")  # deleted in Outlook: moved to Deleted Items
    batches = list(_source(make_account).read(store.cursors("ews:work")))
    for batch in batches:
        store.apply_batch("ews:work", batch)
    new = [b for b in batches if b.folder == f"folder/{project}"]
    assert new[0].reset and [i.subject for i in new[0].interactions] == ["in a new folder"]
    after = store.cursors("ews:work")
    assert f"folder/{ids['acme']}" not in after and f"folder/{ids['old']}" not in after
    assert "filed two down" in _subjects(store)  # the folder went, what happened did not

    box.delete_folder(ids["clients"])  # gone for good, and its id with it
    _sync(store, _source(make_account))
    assert f"folder/{ids['clients']}" not in store.cursors("ews:work")
    assert "filed at the top" in _subjects(store)


def test_a_quiet_sync_costs_one_find_folder_and_one_sync_per_folder(
    ews_server: EWSServer, make_account: AccountFactory, store: Store
) -> None:
    _tree(ews_server)
    source = _source(make_account)
    _sync(store, source)
    assert "msgfolderroot" in store.cursors("ews:work")["folders"]  # well-known ids, kept

    ews_server.reset_log()
    quiet = _source(make_account)
    batches = list(quiet.read(store.cursors("ews:work")))
    assert all(not b.interactions and not b.deleted for b in batches)
    assert ews_server.operations() == ["FindFolder"] + ["SyncFolderItems"] * len(READ)
    assert quiet.requests == 1 + len(READ)


def test_a_folder_deleted_while_the_sync_runs_is_let_go(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    ids = _tree(ews_server)
    seen: list[str] = []
    dropped: list[str] = []
    for batch in _source(make_account).read({}):
        if batch.folder == f"folder/{ids['archive']}":  # listed first, before Inbox/Receipts
            ews_server.mailbox.delete_folder(ids["filed"])
        if batch.cursor == "":
            dropped.append(batch.folder)
        seen.extend(i.subject for i in batch.interactions)
    assert dropped == [f"inbox/{ids['filed']}"]
    assert sorted(seen) == sorted(set(READ) - {"filed below the inbox"})
