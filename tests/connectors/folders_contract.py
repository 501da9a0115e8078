"""What EWS and Graph both promise about folders: every mail folder is read (the Archive, the
user's folders at any depth) and the folders without correspondence are not; filing, archiving,
moving and copying leave every count as it was; folders that appear, go or vanish mid-sync are
followed; ``[folders]`` include and exclude work on paths.

Subclass :class:`FolderContract` in a connector's test module and provide a ``folder_world``
fixture; the tests speak through :class:`FolderWorld` and the Source protocol only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from outlook_networking.ports import Source
from outlook_networking.store import Store

SENT = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)


@dataclass
class FolderWorld:
    """A connector's test server, as the folder contract drives it. Folders are named by their
    well-known name (``inbox``, ``deleteditems``, ...) or by the id ``add_folder`` returned."""

    source: Callable[..., Source]  # (**options: include, exclude, folder_page) -> every mail folder
    add_folder: Callable[..., str]  # (name, parent, rss=False) -> folder id
    add_message: Callable[[str, str, str], str]  # (folder, subject, Message-ID) -> item id
    move: Callable[[str, str], str]  # (item id, folder) -> the id it has now
    copy: Callable[[str, str], str]  # (item id, folder) -> the copy's id
    delete: Callable[[str], None]  # (item id) for good
    move_folder: Callable[[str, str], None]  # (folder, new parent)
    delete_folder: Callable[[str], None]  # for good, with what is below it
    archive: str  # the Archive folder's id (Outlook's Archive button moves mail there)


READ = [
    "archived", "filed at the top", "filed below the inbox", "filed one down", "filed two down",
    "in the inbox", "sent",
]  # fmt: skip


def mail(world: FolderWorld, folder: str, subject: str) -> str:
    return world.add_message(folder, subject, f"<{subject.replace(' ', '-')}@partner.example>")


def tree(world: FolderWorld) -> dict[str, str]:
    """A mailbox as people keep theirs: an Archive, their own folders at several depths, and
    the folders whose mail is no correspondence, some with subfolders of their own."""
    clients = world.add_folder("Clients", "msgfolderroot")
    acme = world.add_folder("Acme", clients)
    old = world.add_folder("2024", acme)
    filed = world.add_folder("Receipts", "inbox")
    binned = world.add_folder("Old project", "deleteditems")
    rss = world.add_folder("RSS Feeds", "msgfolderroot", rss=True)
    for folder, subject in [
        ("inbox", "in the inbox"), ("sentitems", "sent"), (world.archive, "archived"),
        (clients, "filed at the top"), (acme, "filed one down"), (old, "filed two down"),
        (filed, "filed below the inbox"),
        ("junkemail", "junk"), ("drafts", "draft"), ("outbox", "outbox"),
        ("deleteditems", "deleted"), (binned, "deleted with its folder"),
        ("conversationhistory", "chat"), ("conflicts", "sync conflict"), (rss, "feed"),
    ]:  # fmt: skip
        mail(world, folder, subject)
    return {"clients": clients, "acme": acme, "old": old, "filed": filed}


def sync(store: Store, source: Source) -> None:
    for batch in source.read(store.cursors(source.name)):
        store.apply_batch(source.name, batch)


def subjects(store: Store) -> list[str]:
    """What happened, each message once: the store's history, not only what is still there."""
    return sorted(i.subject for i in store.interactions())


class FolderContract:
    def test_every_mail_folder_is_read_and_no_other(self, folder_world: FolderWorld) -> None:
        w = folder_world
        ids = tree(w)
        batches = list(w.source(folder_page=3).read({}))  # the listing takes several pages
        got = {i.subject: (b.folder, i.folder) for b in batches for i in b.interactions}
        assert sorted(got) == READ
        assert got["in the inbox"] == ("inbox", "inbox")
        assert got["sent"] == ("sent", "sent")
        assert got["filed below the inbox"] == (f"inbox/{ids['filed']}", "inbox")
        assert got["archived"] == (f"folder/{w.archive}", "")  # the message says who sent it
        assert got["filed two down"] == (f"folder/{ids['old']}", "")

    def test_folders_config_includes_and_excludes_by_path(
        self, folder_world: FolderWorld
    ) -> None:
        tree(folder_world)
        source = folder_world.source(include=["deleted items"], exclude=["Clients/Acme"])
        got = sorted(i.subject for b in source.read({}) for i in b.interactions)
        expected = set(READ) - {"filed one down", "filed two down"}
        assert got == sorted(expected | {"deleted", "deleted with its folder"})

    def test_archiving_filing_moving_and_copying_leave_the_counts(
        self, folder_world: FolderWorld, store: Store
    ) -> None:
        w = folder_world
        ids = tree(w)
        moving = mail(w, "inbox", "moved around")
        copied = mail(w, "inbox", "copied")
        deleted = mail(w, "inbox", "deleted for good")
        from_junk = mail(w, "junkemail", "not junk after all")
        sync(store, w.source())
        before = subjects(store)
        assert before == sorted([*READ, "copied", "deleted for good", "moved around"])

        moving = w.move(moving, w.archive)  # Outlook's Archive button
        w.copy(copied, ids["clients"])
        w.delete(deleted)  # it happened all the same
        sync(store, w.source())
        assert subjects(store) == before
        w.move(moving, ids["old"])  # filed away from the archive
        w.move(from_junk, "inbox")  # from a folder not read into one that is
        sync(store, w.source())
        assert subjects(store) == sorted([*before, "not junk after all"])

    def test_a_new_folder_is_read_and_a_gone_one_keeps_its_history(
        self, folder_world: FolderWorld, store: Store
    ) -> None:
        w = folder_world
        ids = tree(w)
        sync(store, w.source())
        name = w.source().name
        assert f"folder/{ids['acme']}" in store.cursors(name)

        project = w.add_folder("Project X", w.archive)
        mail(w, project, "in a new folder")
        w.move_folder(ids["acme"], "deleteditems")  # deleted in Outlook: moved to Deleted Items
        batches = list(w.source().read(store.cursors(name)))
        for batch in batches:
            store.apply_batch(name, batch)
        new = [b for b in batches if b.folder == f"folder/{project}"]
        assert new[0].reset
        assert [i.subject for b in new for i in b.interactions] == ["in a new folder"]
        after = store.cursors(name)
        assert f"folder/{ids['acme']}" not in after and f"folder/{ids['old']}" not in after
        assert "filed two down" in subjects(store)  # the folder went, what happened did not
        held = [i.subject for i in store.interactions(located=True)]
        assert "filed two down" not in held and "filed one down" not in held

        w.delete_folder(ids["clients"])  # gone for good, and its id with it
        sync(store, w.source())
        assert f"folder/{ids['clients']}" not in store.cursors(name)
        assert "filed at the top" in subjects(store)

    def test_a_folder_deleted_while_the_sync_runs_is_let_go(
        self, folder_world: FolderWorld
    ) -> None:
        w = folder_world
        ids = tree(w)
        seen: list[str] = []
        dropped: list[str] = []
        for batch in w.source().read({}):
            if batch.folder == f"folder/{w.archive}":  # read first, before Inbox/Receipts
                w.delete_folder(ids["filed"])
            if batch.cursor == "":
                dropped.append(batch.folder)
            seen.extend(i.subject for i in batch.interactions)
        assert dropped == [f"inbox/{ids['filed']}"]
        assert sorted(seen) == sorted(set(READ) - {"filed below the inbox"})
