"""The file source as a whole: format detection, Maildir/.eml/gzip, errors, cursors, store."""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outlook_networking.errors import InputError
from outlook_networking.model import Interaction, Kind
from outlook_networking.ports import Batch, Source
from outlook_networking.problems import problem
from outlook_networking.sources import FileSource
from outlook_networking.store import Store

DATA = Path(__file__).parent / "data"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _message(n: int, *, sender: str = "Alice <alice@example.com>", extra: str = "") -> bytes:
    return (
        f"From: {sender}\r\n"
        "To: Bob <bob@example.org>\r\n"
        f"Subject: note {n}\r\n"
        f"Date: Mon, 3 Mar 2025 10:{n:02d}:00 +0100\r\n"
        f"Message-ID: <m{n}@example.com>\r\n"
        f"{extra}"
        "\r\n"
        f"Body {n}\r\nFrom the body, not a separator\r\n"
    ).encode()


def _mbox(messages: Sequence[bytes]) -> bytes:
    out = b""
    for index, message in enumerate(messages):
        out += f"From alice@example.com Mon Mar  3 10:{index:02d}:00 2025\n".encode()
        out += message.replace(b"\r\n", b"\n") + b"\n"
    return out


def _read(paths: Sequence[Path], cursors: dict[str, str] | None = None) -> list[Batch]:
    return list(FileSource(paths, now=NOW).read(cursors or {}))


def _interactions(batches: Sequence[Batch]) -> list[Interaction]:
    return [i for b in batches for i in b.interactions]


def test_is_a_source() -> None:
    source = FileSource([])
    assert isinstance(source, Source)
    assert source.name == "file"


def test_mbox_headers_only_with_problems_counted(tmp_path: Path) -> None:
    mangled = _message(2).replace(b"Mon, 3 Mar 2025 10:02:00 +0100", b"yesterday-ish")
    nobody = _message(3).replace(b"From: Alice <alice@example.com>", b"From: undisclosed")
    path = tmp_path / "inbox.mbox"
    path.write_bytes(_mbox([_message(1), mangled, nobody, _message(4)]))
    batches = _read([path])
    assert [b.folder for b in batches] == [str(path.resolve())]
    items = _interactions(batches)
    assert [i.item_id for i in items] == ["msg:m1@example.com", "msg:m4@example.com"]
    assert items[0].at == datetime(2025, 3, 3, 9, 1, tzinfo=UTC)
    assert items[0].subject == "note 1"
    problems = batches[-1].problems
    assert [(p.where, p.reason) for p in problems] == [
        ("inbox.mbox #2", problem("unreadable_date", value="yesterday-ish")),
        ("inbox.mbox #3", problem("no_sender")),
    ]
    assert batches[-1].cursor and batches[-1].complete


def test_chunks_and_cursor_only_on_the_last_batch(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    path.write_bytes(_mbox([_message(n) for n in range(1, 26)]))
    batches = list(FileSource([path], chunk=10).read({}))
    assert [len(b.interactions) for b in batches] == [10, 10, 5]
    assert [b.cursor is not None for b in batches] == [False, False, True]


def test_gzip_mbox(tmp_path: Path) -> None:
    path = tmp_path / "archive.mbox.gz"
    path.write_bytes(gzip.compress(_mbox([_message(1), _message(2)])))
    assert [i.item_id for i in _interactions(_read([path]))] == [
        "msg:m1@example.com",
        "msg:m2@example.com",
    ]


def test_maildir_with_sent_subfolder(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (root / sub).mkdir(parents=True)
    (root / "new" / "1.host").write_bytes(_message(1))
    (root / "cur" / "2.host:2,S").write_bytes(_message(2, extra="Received: from x by y\r\n"))
    sent = _message(3, sender="Bob <bob@example.org>")
    (root / ".Sent" / "cur" / "3.host:2,S").write_bytes(sent)
    batches = _read([root])
    assert [b.folder for b in batches] == [str(root.resolve())]
    items = {i.item_id: i for i in _interactions(batches)}
    assert items["msg:m1@example.com"].folder == "inbox"
    assert items["msg:m2@example.com"].delivered
    assert not items["msg:m1@example.com"].delivered
    assert items["msg:m3@example.com"].folder == "sent"


def test_eml_folder_and_single_eml(tmp_path: Path) -> None:
    folder = tmp_path / "Sent Items"
    folder.mkdir()
    (folder / "a.eml").write_bytes(_message(1))
    (folder / "b.eml").write_bytes(
        b"From alice@example.com Mon Mar  3 10:00:00 2025\n" + _message(2)
    )
    (folder / "notes.txt").write_text("not mail")
    single = tmp_path / "one.eml"
    single.write_bytes(_message(3))
    batches = _read([folder, single])
    items = _interactions(batches)
    assert sorted((i.item_id, i.folder) for i in items) == [
        ("msg:m1@example.com", "sent"),
        ("msg:m2@example.com", "sent"),
        ("msg:m3@example.com", ""),
    ]


def test_same_message_in_mbox_and_maildir_is_one_item(tmp_path: Path, store: Store) -> None:
    mbox = tmp_path / "a.mbox"
    mbox.write_bytes(_mbox([_message(1)]))
    root = tmp_path / "md"
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    (root / "cur" / "1:2,S").write_bytes(_message(1))
    source = FileSource([mbox, root], now=NOW)
    for batch in source.read({}):
        store.apply_batch(source.name, batch)
    assert store.counts()["emails"] == 1


def test_message_without_message_id_gets_a_content_hash(tmp_path: Path) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(_message(1).replace(b"Message-ID: <m1@example.com>\r\n", b""))
    (item,) = _interactions(_read([path]))
    assert item.item_id.startswith("sha:") and len(item.item_id) == 44
    assert _interactions(_read([path]))[0].item_id == item.item_id


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.mbox", None, "no_such_file"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" * 10, "binary_file"),
        ("notes.txt", b"just some words\nand more\n", "unknown_format"),
        ("empty.dat", b"", "empty_file"),
    ],
)
def test_unreadable_inputs_raise_before_anything_is_yielded(
    tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    good = tmp_path / "good.mbox"
    good.write_bytes(_mbox([_message(1)]))
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    reader = FileSource([good, bad], now=NOW).read({})
    with pytest.raises(InputError) as caught:
        next(reader)  # nothing of good.mbox came out first
    assert caught.value.path == str(bad)
    assert caught.value.reason == problem(reason)


def test_unreadable_file_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.mbox"
    path.write_bytes(_mbox([_message(1)]))
    real_open = os.open

    def refuse(file: str | os.PathLike[str], *args: int, **kwargs: int) -> int:
        if os.fspath(file).endswith("locked.mbox"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    # Permissions cannot be relied on (tests may run as root), so the OS refusal is simulated;
    # tests/hostile runs the real thing in a subprocess that obeys file modes.
    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(InputError) as caught:
        _read([path])
    assert caught.value.reason == problem("permission_denied")


def test_empty_known_formats_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "nothing.mbox"
    path.write_bytes(b"")
    batches = _read([path])
    assert len(batches) == 1 and batches[0].interactions == () and batches[0].cursor


def test_calendar_and_cards_through_the_source(outlook_fixtures: Path) -> None:
    batches = _read([outlook_fixtures])
    folders = {Path(b.folder).name for b in batches}
    assert "SOURCES.tsv" not in folders
    assert len(folders) == 8
    items = _interactions(batches)
    assert {i.kind for i in items} == {Kind.MEETING}
    cards = [c for b in batches for c in b.cards]
    assert sorted(c.full_name for c in cards) == [
        "Mr. John Richter James Doe Sr.",
        "Mr. Michael Angstadt Jr.",
        "Rudi Wimmel",
    ]
    problems = [p for b in batches for p in b.problems]
    assert len(problems) == 2  # the empty DTSTART and the event without one


def test_unchanged_files_are_skipped_changed_ones_reread(tmp_path: Path, store: Store) -> None:
    mbox = tmp_path / "inbox.mbox"
    mbox.write_bytes(_mbox([_message(1), _message(2)]))
    ics = tmp_path / "cal.ics"
    shutil.copy(DATA / "windows-zones.ics", ics)
    source = FileSource([mbox, ics], now=NOW)
    for batch in source.read(store.cursors(source.name)):
        store.apply_batch(source.name, batch)
    digest = store.digest()
    assert list(source.read(store.cursors(source.name))) == []
    # Re-reading everything without cursors writes nothing new.
    for batch in source.read({}):
        store.apply_batch(source.name, batch)
    assert store.digest() == digest
    mbox.write_bytes(_mbox([_message(1), _message(2), _message(3)]))
    again = list(source.read(store.cursors(source.name)))
    assert [Path(b.folder).name for b in again] == ["inbox.mbox"]
    assert len(_interactions(again)) == 3


def test_a_file_read_again_keeps_the_history_of_what_it_no_longer_holds(
    tmp_path: Path, store: Store
) -> None:
    mbox = tmp_path / "inbox.mbox"
    mbox.write_bytes(_mbox([_message(1), _message(2)]))
    source = FileSource([mbox], now=NOW)
    for batch in source.read({}):
        store.apply_batch(source.name, batch)
    mbox.write_bytes(_mbox([_message(2), _message(3)]))  # 1 deleted in the mail client
    for batch in source.read(store.cursors(source.name)):
        store.apply_batch(source.name, batch)
    assert sorted(i.message_id for i in store.interactions(located=True)) == [
        "m2@example.com",
        "m3@example.com",
    ]
    assert len(list(store.interactions())) == 3  # it happened all the same


def test_gzipped_calendar_and_cards(tmp_path: Path, outlook_fixtures: Path) -> None:
    ics = tmp_path / "calendar.ics.gz"
    ics.write_bytes(gzip.compress((DATA / "windows-zones.ics").read_bytes()))
    vcf = tmp_path / "contacts.vcf.gz"
    vcf.write_bytes(gzip.compress((DATA / "mixed.vcf").read_bytes()))
    batches = _read([ics, vcf])
    assert len(_interactions(batches)) == 5
    assert len([c for b in batches for c in b.cards]) == 3
