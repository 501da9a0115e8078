"""Item 12: ``report --html`` and ``export --ics/--vcf`` write only regular files, as asked.

Decided (cli/outputs.py, docs/security.md): a symbolic link the user owns is written through, one
another user owns is refused; FIFOs, devices (/dev/full, /dev/null, /dev/stdout) and folders are
refused; a missing folder is never created (except the one --vcf names); a regular file is
replaced atomically with its permissions kept; a write that fails is exit 1 and leaves nothing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from .hosts import make_store, run_cli

PREFIX = "outlook-networking: "


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("store"), people=300)


def _report(store: Path, target: Path | str) -> tuple[int, list[str]]:
    result = run_cli("report", "--html", str(target), "--db", str(store), timeout=60)
    return result.code, result.lines


def _ics(store: Path, target: Path | str) -> tuple[int, list[str]]:
    result = run_cli("export", "--ics", str(target), "--db", str(store), timeout=60)
    return result.code, result.lines


WRITERS: list[Callable[[Path, Path | str], tuple[int, list[str]]]] = [_report, _ics]


@pytest.mark.parametrize("write", WRITERS, ids=["report", "export-ics"])
def test_what_is_not_a_regular_file_is_refused_untouched(
    store: Path, tmp_path: Path, write: Callable[[Path, Path | str], tuple[int, list[str]]]
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    dangling = tmp_path / "dangling.html"
    dangling.symlink_to(tmp_path / "nowhere")
    cases = {
        fifo: "it is a FIFO, not a regular file",  # reading or writing it would hang
        Path("/dev/full"): "it is a device, not a regular file",
        Path("/dev/null"): "it is a device, not a regular file",
        Path("/dev/stdout"): "it is a FIFO, not a regular file",  # our stdout is a pipe
        folder: "it is a folder",
        dangling: "it is a symbolic link to nothing",
        tmp_path / "missing" / "out": f"the folder {tmp_path / 'missing'} does not exist",
    }
    for target, reason in cases.items():
        assert write(store, target) == (2, [f"{PREFIX}cannot write {target}: {reason}"])
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and dangling.is_symlink()
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)
    assert not (tmp_path / "missing").exists() and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.html", "fifo", "folder"]


def test_a_regular_file_is_replaced_whole_and_keeps_its_permissions(
    store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "network.html"
    target.write_text("old page", encoding="utf-8")
    target.chmod(0o644)
    before = tmp_path / "before.html"
    os.link(target, before)  # still names the old file if the new one is renamed into place
    assert _report(store, target)[0] == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert before.read_text(encoding="utf-8") == "old page"  # never rewritten in place
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    fresh = tmp_path / "fresh.html"
    assert _report(store, fresh)[0] == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600  # the network is private by default


def test_a_link_of_ones_own_is_written_through(store: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.ics"
    real.write_text("", encoding="utf-8")
    link = tmp_path / "link.ics"
    link.symlink_to(real)
    assert _ics(store, link)[0] == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a link another user owns")
def test_a_link_another_user_planted_is_refused(store: Path, tmp_path: Path) -> None:
    victim = tmp_path / "precious.txt"
    victim.write_text("do not overwrite", encoding="utf-8")
    planted = tmp_path / "report.html"
    planted.symlink_to(victim)
    os.lchown(planted, 65534, 65534)  # as if nobody had put it in a shared folder
    assert _report(store, planted) == (
        2, [f"{PREFIX}cannot write {planted}: it is a symbolic link another user owns"]
    )
    assert victim.read_text(encoding="utf-8") == "do not overwrite"


def test_a_failed_write_is_exit_1_and_leaves_the_old_file(store: Path, tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    everyone = cards / "all.vcf"
    everyone.write_text("old cards", encoding="utf-8")
    # 64 KiB: room for SQLite's 32 KiB shared-memory file and each small card, not for all.vcf
    # with 300 cards in it (about 90 KiB).
    result = run_cli("export", "--vcf", str(cards), "--db", str(store), file_size=64 * 1024)
    assert (result.code, result.lines) == (1, [f"{PREFIX}cannot write {everyone}: File too large"])
    assert everyone.read_text(encoding="utf-8") == "old cards"
    assert not [p for p in cards.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_export_vcf_creates_only_the_folder_it_names(store: Path, tmp_path: Path) -> None:
    nested = tmp_path / "missing" / "cards"
    result = run_cli("export", "--vcf", str(nested), "--db", str(store))
    assert (result.code, result.lines) == (
        2, [f"{PREFIX}cannot write vCards into {nested}: the folder {nested.parent} does not exist"]
    )
    assert not nested.parent.exists()
    cards = tmp_path / "cards"
    assert run_cli("export", "--vcf", str(cards), "--db", str(store)).code == 0
    assert stat.S_IMODE(cards.stat().st_mode) == 0o700
    assert len(list(cards.glob("*.vcf"))) == 301  # one per contact and all.vcf
