"""`ingest` of Outlook's own files through the installed console script, as a user runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from outlook_networking.store import Store

SCRIPT = Path(sys.executable).with_name("outlook-networking")
NOW = "2021-01-01T00:00:00Z"


def _ingest(db: Path, *paths: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "--db", str(db), "--now", NOW, "ingest", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_fixture_folders(shared_dir: Path, tmp_path: Path) -> None:
    pst = shared_dir / "fixtures" / "outlook-pst"
    msg = shared_dir / "fixtures" / "outlook-msg"
    db = tmp_path / "network.sqlite3"
    first = _ingest(db, pst, msg)
    # The damaged .msg is named on one line; everything else is read, and the run says it failed.
    assert first.returncode == 1
    lines = first.stderr.splitlines()
    damaged = [line for line in lines if line.startswith("cannot read ")]
    assert damaged == [
        f"cannot read {msg / 'vikramarsid__msg_parser__complete.msg'}: "
        "empty file, not an Outlook .msg"
    ]
    assert "Traceback" not in first.stderr
    assert (
        "Left out on purpose: contact groups 2, drafts 9, posts 1, tasks 2." in first.stderr
    )
    assert "1 part(s) could not be read" in first.stderr  # the sender known only as /O=…
    with Store.open(db) as store:
        counts = store.counts()
        interactions = list(store.interactions())
    # 11 sent mails of support.pst and 16 .msg mails; 7 meetings' occurrences in the window.
    assert counts["emails"] == 27
    # contact name 1, Bertha A. Buell, the bogus contact (two files, one item), Sample Contact
    assert counts["cards"] == 4
    assert counts["meetings"] == sum(1 for i in interactions if i.kind.value == "meeting")
    assert not any(m.address.startswith("/") for i in interactions for m in i.participants())
    # Unchanged files are skipped: the folder of .msg files is read again once it changes.
    again = _ingest(db, pst, msg)
    assert again.returncode == 0
    assert "Read 0 items and 0 contact cards from 2 path(s); 0 new or changed." in again.stderr
    with Store.open(db) as store:
        assert store.counts() == counts


def test_a_damaged_pst_among_good_files(shared_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "archives"
    folder.mkdir()
    shutil.copy(shared_dir / "fixtures" / "outlook-pst" / "support.pst", folder / "2015.pst")
    good = (shared_dir / "fixtures" / "outlook-pst" / "dist-list.pst").read_bytes()
    (folder / "2016.pst").write_bytes(good[: len(good) // 3])
    db = tmp_path / "network.sqlite3"
    result = _ingest(db, folder)
    assert result.returncode == 1
    named = [line for line in result.stderr.splitlines() if line.startswith("cannot read ")]
    assert len(named) == 1 and str(folder / "2016.pst") in named[0]
    assert "damaged or truncated" in named[0]
    with Store.open(db) as store:
        assert store.counts()["emails"] == 11  # 2015.pst is read whole


def test_a_named_file_that_is_no_mail_still_stops_everything(
    shared_dir: Path, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(bytes(range(256)) * 40)
    db = tmp_path / "network.sqlite3"
    result = _ingest(db, shared_dir / "fixtures" / "outlook-pst" / "support.pst", photo)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"outlook-networking: cannot read {photo}: binary file, not mail, calendar or contacts"
    ]
    with Store.open(db) as store:
        assert store.counts()["emails"] == 0
