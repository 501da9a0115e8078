"""Folder trees: every folder with correspondence is read, Junk/Trash/Drafts/Outbox are not.

Real messages (the LKML sample) are filed into Maildir++, Dovecot ``LAYOUT=fs`` and Thunderbird
trees; which of them the file source reads is checked by Message-ID.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.config import config_from_mapping
from outlook_networking.errors import ConfigError
from outlook_networking.sources import FileSource
from outlook_networking.sources.mailfiles import DEFAULT_FOLDERS, FolderRules


@pytest.fixture(scope="module")
def messages(lkml_mbox: Path) -> list[bytes]:
    box = mailbox.mbox(lkml_mbox, create=False)
    try:
        return [box.get_bytes(key) for key in list(box.keys())[:20]]
    finally:
        box.close()


def _id(message: bytes) -> str:
    found = re.search(rb"^Message-I[dD]:\s*<([^>]+)>", message, re.MULTILINE)
    assert found is not None
    return found.group(1).decode()


def _maildir(path: Path, *found: bytes) -> None:
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    for n, message in enumerate(found):
        (path / "cur" / f"{n}.host:2,S").write_bytes(message)


def _mbox(path: Path, *found: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(b"From x@y Mon Nov 15 10:00:00 2010\n" + m + b"\n" for m in found))


def _read(
    paths: Sequence[Path], rules: FolderRules = DEFAULT_FOLDERS
) -> tuple[set[str], set[str]]:
    source = FileSource(paths, folders=rules)
    ids = {i.message_id for b in source.read({}) for i in b.interactions}
    return ids, {Path(p).name for p in source.skipped}


def test_maildir_plus_plus_and_dovecot_folders(messages: list[bytes], tmp_path: Path) -> None:
    m = messages
    root = tmp_path / "Maildir"
    _maildir(root, m[0])
    for name, message in {
        ".Sent": m[1], ".Junk": m[2], ".Trash": m[3], ".Drafts": m[4], ".Work.Clients": m[5],
        ".Sync Issues.Conflicts": m[6], ".Archive": m[7], ".INBOX.Spam": m[8],
    }.items():  # fmt: skip
        _maildir(root / name, message)
    # Dovecot's LAYOUT=fs: folders are plain subdirectories, nested.
    _maildir(root / "Projects", m[9])
    _maildir(root / "Projects" / "Old", m[10])
    _maildir(root / "Deleted Messages", m[11])
    ids, skipped = _read([root])
    assert ids == {_id(x) for x in (m[0], m[1], m[5], m[7], m[9], m[10])}
    assert skipped == {".Junk", ".Trash", ".Drafts", ".Sync Issues.Conflicts", ".INBOX.Spam",
                       "Deleted Messages"}  # fmt: skip


def test_nested_maildir_folders_are_read_once_whatever_links_point_back(
    messages: list[bytes], tmp_path: Path
) -> None:
    """A link inside a nested folder back to the Maildir (or to a sibling) would read the same
    messages again at every level; each folder is read once, and the walk ends."""
    m = messages
    root = tmp_path / "Maildir"
    _maildir(root, m[0])
    _maildir(root / "Projects", m[1])
    (root / "Projects" / "Loop").symlink_to(root)
    (root / "Again").symlink_to(root / "Projects")
    source = FileSource([root])
    found = [i.message_id for b in source.read({}) for i in b.interactions]
    assert sorted(found) == sorted(_id(x) for x in (m[0], m[1]))


def test_thunderbird_folders(messages: list[bytes], tmp_path: Path) -> None:
    m = messages
    local = tmp_path / "Local Folders"
    for name, message in {
        "Inbox": m[12], "Sent": m[13], "Junk": m[14], "Trash": m[15], "Unsent Messages": m[16],
        "Templates": m[17], "Archives.sbd/2010": m[18], "Trash.sbd/Old": m[19],
    }.items():  # fmt: skip
        _mbox(local / name, message)
    (local / "Junk.msf").write_text("// <!-- <mdb:mork:z v=\"1.4\"/> -->\n")  # an index file
    ids, skipped = _read([local])
    assert ids == {_id(x) for x in (m[12], m[13], m[18])}
    assert skipped == {"Junk", "Trash", "Unsent Messages", "Templates", "Trash.sbd"}


def test_include_and_exclude(messages: list[bytes], tmp_path: Path) -> None:
    m = messages
    root = tmp_path / "Maildir"
    _maildir(root, m[0])
    _maildir(root / ".Junk", m[1])
    _maildir(root / ".Trash", m[2])
    _maildir(root / ".Work.Clients", m[3])
    _maildir(root / ".Work.Private", m[4])
    rules = FolderRules(include=("junk", "Trash"), exclude=("work/priv*", "TRASH"))
    ids, skipped = _read([root], rules)
    assert ids == {_id(x) for x in (m[0], m[1], m[3])}  # exclude wins over include
    assert skipped == {".Trash", ".Work.Private"}


def test_a_folder_named_on_the_command_line_is_read(messages: list[bytes], tmp_path: Path) -> None:
    junk = tmp_path / "Maildir" / ".Junk"
    _maildir(junk, messages[0])
    assert _read([junk])[0] == {_id(messages[0])}


def test_the_rules_come_from_the_config_and_the_summary_counts_skipped_folders(
    messages: list[bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "Maildir"
    _maildir(root, messages[0])
    _maildir(root / ".Junk", messages[1])
    _maildir(root / ".Trash", messages[2])
    _maildir(root / ".Outbox", messages[3])
    config = tmp_path / "config.toml"
    config.write_text('[folders]\ninclude = ["Outbox"]\n')
    db = str(tmp_path / "network.sqlite3")
    assert main(["--db", db, "--config", str(config), "ingest", str(root)]) == 0
    err = capsys.readouterr().err
    assert "Read 2 items" in err
    assert "Left out on purpose: folders without correspondence 2." in err
    config.write_text('[folders]\ninclude = "Outbox"\n')
    assert main(["--db", db, "--config", str(config), "ingest", str(root)]) == 2
    assert "folders.include: must be a list" in capsys.readouterr().err
    with pytest.raises(ConfigError, match=r"folders\.only"):
        config_from_mapping({"folders": {"only": ["Inbox"]}})
