"""Hostile vCard files: a decompression bomb, a 40 MB photo, a million soft line breaks."""

from __future__ import annotations

import hashlib
from pathlib import Path

from outlook_networking.store import Store

from .confined import run
from .conftest import ME, bomb, card


def test_a_card_decompression_bomb_is_one_line(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 5: bomb.vcf.gz (1.5 MB -> 1.5 GB) peaked at 7.7 GB.
    path = tmp_path / "bomb.vcf.gz"
    size = bomb(path, b"", card("Bomb", "bomb@example.com") * 10_000, 2_200)
    assert size > 1_500_000_000 and path.stat().st_size < 10_000_000
    config = "[files]\nmax_cards_mb = 20\n"
    done = run("ingest", str(path), "--me", ME, workdir=workdir, cpu_s=30, config=config)
    assert done.code == 1 and done.within_limits(), done.stderr
    assert done.error == (
        f"cannot read {path}: larger than 20 MB once decompressed; the limit is files.max_cards_mb"
    )


def test_a_40_mb_photo_is_skipped_and_the_card_kept(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 6: a 40 MB PHOTO took 7.1 GB and the card was dropped with an empty reason.
    photo = b"PHOTO;ENCODING=b;TYPE=JPEG:" + b"/9j/" * 10_000_000 + b"\r\n"
    path = tmp_path / "photo.vcf"
    path.write_bytes(card("Photo Person", "photo@example.com", photo))
    done = run("ingest", str(path), "--me", ME, workdir=workdir, memory_mb=256, cpu_s=30)
    assert done.code == 0 and done.within_limits(), done.stderr
    assert "could not be read" not in done.stderr
    with Store.open(workdir / "network.sqlite3") as store:
        [stored] = store.cards()
    assert (stored.full_name, stored.addresses) == ("Photo Person", ("photo@example.com",))
    # A card without UID keeps its id: a hash of the card as written, photo included, up to
    # END:VCARD without the final line break, line ends as "\n".
    written = path.read_bytes().removesuffix(b"\n").replace(b"\r\n", b"\n")
    assert stored.item_id == "vcf:sha:" + hashlib.sha1(written).hexdigest()


def test_a_million_soft_line_breaks_are_read_in_linear_time(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 7: 1,000,000 quoted-printable soft line breaks took 77 s and 469 MB.
    note = b"NOTE;ENCODING=QUOTED-PRINTABLE:" + b"a=\r\n" * 1_000_000 + b"end\r\n"
    path = tmp_path / "soft.vcf"
    path.write_bytes(card("Soft Breaks", "soft@example.com", note, version="2.1"))
    # The quadratic join took 27 s of CPU and 180 MB here; the linear one 2 s and 30 MB.
    done = run("ingest", str(path), "--me", ME, workdir=workdir, memory_mb=128, cpu_s=10)
    assert done.code == 0 and done.within_limits(), done.stderr
    assert "Read 0 items and 1 contact cards" in done.stderr
    assert "could not be read" not in done.stderr  # the NOTE is never read: dropped unnoticed
