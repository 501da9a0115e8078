"""Hostile mail files: a compressed mbox bomb, huge References headers, impossible dates."""

from __future__ import annotations

from pathlib import Path

from outlook_networking.store import Store

from .confined import run
from .conftest import ME, bomb, gzip_member, message


def test_a_mail_decompression_bomb_stops_at_the_limit(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 5 for mail: the default limit is 2 GB; 5 MB here, of a 1 GB bomb.
    body = b"".join(message(n).encode() for n in range(4000))  # 0.8 MB, 4,000 messages
    path = tmp_path / "bomb.mbox.gz"
    size = bomb(path, b"", body, 1300)
    assert size > 1_000_000_000
    config = "[files]\nmax_mail_mb = 5\n"
    done = run("--debug", "ingest", str(path), "--me", ME, workdir=workdir, cpu_s=60, config=config)
    assert done.code == 0 and done.within_limits(), done.stderr
    assert "larger than 5 MB once decompressed; the rest is not read" in done.stderr
    read = int(done.stderr.split("Read ", 1)[1].split(" items", 1)[0].replace(",", ""))
    assert 0 < read <= 5_000_000 // len(message(0))  # what fits in 5 MB, not more


def test_huge_references_headers_are_capped(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 7: 200 messages with 2 MB References took 1.27 GB to ingest and as much
    # for every later command. Built as gzip members so the 400 MB of headers cost no disk.
    references = " ".join(f"<r{i}.{'x' * 24}@example.com>" for i in range(50_000))
    refs_member = gzip_member(f"References: {references}\n".encode())
    path = tmp_path / "refs.mbox.gz"
    with path.open("wb") as out:
        for n in range(200):
            head, tail = message(n).split("\n\n", 1)
            out.write(gzip_member(f"{head}\n".encode()) + refs_member)
            out.write(gzip_member(f"\n{tail}".encode()))
    done = run("ingest", str(path), "--me", ME, workdir=workdir, memory_mb=384, cpu_s=120)
    assert done.code == 0 and done.within_limits(), done.stderr
    assert "Read 200 items" in done.stderr
    with Store.open(workdir / "network.sqlite3") as store:
        items = list(store.interactions())
    ids = references.strip("<>").split("> <")
    # The thread's first message and the latest 99: what threading looks for.
    assert {i.references for i in items} == {(ids[0], *ids[-99:])}
    done = run("contacts", "--json", workdir=workdir, memory_mb=256, cpu_s=60)
    assert done.code == 0 and done.within_limits(), done.stderr


def test_dates_a_mail_client_rejects_are_problems(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 11: these were stored as 2001, four days off, and 2000.
    bad = {
        1: "Mon, 1 Jan 0001 00:00:00 +0000",
        2: "Mon, 1 Jan 2024 10:00:00 +9999",
        3: "Mon, 1 Jan -5 10:00:00 +0000",
    }
    good = "Mon, 1 Jan 2024 10:00:00 +0100"
    path = tmp_path / "dates.mbox"
    path.write_text("".join(message(n, date=d) for n, d in bad.items()) + message(4, date=good))
    done = run("--debug", "ingest", str(path), "--me", ME, workdir=workdir, cpu_s=30)
    assert done.code == 0 and done.within_limits(), done.stderr
    assert "Read 1 items" in done.stderr and "3 part(s) could not be read" in done.stderr
    for n, date in bad.items():
        assert f"dates.mbox #{n}: unreadable Date header \"{date}\"" in done.stderr
    with Store.open(workdir / "network.sqlite3") as store:
        [item] = store.interactions()
    assert item.at.isoformat() == "2024-01-01T09:00:00+00:00"
