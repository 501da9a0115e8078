"""`intro TARGET` and `contact ADDR` for a stranger, through the real console script: at an
80-column terminal, piped, as JSON; and the introduction the owner asks for ending up in the
ledger with a "thank the introducer" follow-up."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from core.builders import ME, ago, mail, reply_to
from outlook_networking.model import Interaction
from outlook_networking.ports import Batch
from outlook_networking.store import Store

SCRIPT = Path(sys.executable).with_name("outlook-networking")
NOW = "2026-11-27T12:00:00Z"
LATER = "2026-12-20T12:00:00Z"
ANN = "annemarie.vandenberg-schoenfeld@acme-consulting.example"  # long: lines must wrap
BOB = "bob@initech.example"
TESS = "tess.targetperson@globex.example"
GIL = "gil@globex.example"
CARL = "carl@hooli.example"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _named(sender: str, other: str, days: float) -> Interaction:
    """``sender`` to the owner with ``other`` in Cc, in a running thread."""
    return mail(sender, ME, ago(days=days), cc=[other], subject="Re: Budget")


def _knows(person: str, exchanges: int, days: float) -> list[Interaction]:
    out: list[Interaction] = []
    for n in range(exchanges):
        ask = mail(ME, person, ago(days=days + n), subject=f"Question {n}")
        out += [ask, reply_to(ask, ago(days=days + n, hours=-1))]
    return out


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "network.sqlite3"
    items = [
        *_knows(ANN, 5, 3),
        *_knows(BOB, 1, 150),
        _named(ANN, TESS, 6),
        _named(BOB, TESS, 40),
        # Gil is reached only through Carl, whom the owner does not know.
        mail(CARL, BOB, ago(days=20), cc=[ME], subject="Summit"),
        mail(GIL, CARL, ago(days=19), cc=[ME], subject="Speakers"),
    ]
    with Store.open(path) as store:
        store.apply_batch("test", Batch("inbox", tuple(items)))
        store.set_owner([ME], "given")
    (tmp_path / "empty.toml").touch()
    return path


def cli(
    db: Path, *args: str, now: str = NOW, columns: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns:
        env["COLUMNS"] = columns
    config = db.with_name("empty.toml")
    return subprocess.run(
        [str(SCRIPT), "--db", str(db), "--config", str(config), "--now", now, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def at_terminal(db: Path, *args: str, columns: int = 80) -> tuple[int, str]:
    """Run the console script on a pseudo-terminal ``columns`` wide; its exit code and screen."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["TERM"] = "xterm-256color"
    config = db.with_name("empty.toml")
    proc = subprocess.Popen(
        [str(SCRIPT), "--db", str(db), "--config", str(config), "--now", NOW, *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    code = proc.wait(timeout=120)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    # What the terminal shows: a carriage return starts the line again (the bar that follows
    # an analysis is redrawn so, and the answer overwrites it).
    return code, "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def flat(text: str) -> str:
    return " ".join(text.split())


def test_intro_at_an_80_column_terminal(db: Path) -> None:
    code, screen = at_terminal(db, "intro", "globex.example")
    assert code == 0, screen
    lines = screen.rstrip("\n").split("\n")
    assert max(len(line) for line in lines) <= 80, lines
    text = flat(screen)
    assert "Who can introduce you to globex.example (2 people there)" in text
    # Ann (the owner's closest) first, then Bob, then the two-step path through Carl.
    ann = text.index("1. path score 12 Annemarie Vandenberg-Schoenfeld")
    bob = text.index(f"2. path score 1 Bob <{BOB}> (B, score 5) → Tess Targetperson")
    carl = text.index(f"3. path score 1, two steps: weaker Bob <{BOB}> (B, score 5) → Carl")
    assert ann < bob < carl
    assert f"Carl <{CARL}> (not in your network) Carl wrote to Bob once;" in text
    assert (
        "→ Tess Targetperson <tess.targetperson@globex.example> named together on 1 message;"
        " Annemarie wrote to Tess once; last seen together 6 days ago" in text
    )


def test_intro_piped_is_plain_text_one_path_per_block(db: Path) -> None:
    done = cli(db, "intro", "globex.example")
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout and done.stderr == ""
    lines = done.stdout.splitlines()
    titles = [n for n, line in enumerate(lines) if re.match(r"\s*\d+\. path score", line)]
    assert len(titles) == 3
    # Each person of a path on a line of their own, the reasons indented under them.
    assert lines[titles[0] + 1] == f"    Annemarie Vandenberg-Schoenfeld <{ANN}> (A, score 53)"
    assert lines[titles[0] + 2] == f"    → Tess Targetperson <{TESS}>"
    assert lines[titles[0] + 3].startswith("      named together on 1 message;")
    assert all(line == line.rstrip() for line in lines)
    narrow = cli(db, "intro", "globex.example", columns="80")
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    assert flat(narrow.stdout) == flat(done.stdout)


def test_intro_json_and_limit(db: Path) -> None:
    done = cli(db, "intro", TESS, "--json", "--limit", "1")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["schema"] == "outlook-networking/intro/1" and doc["as_of"] == NOW
    assert doc["kind"] == "address"
    assert [t["address"] for t in doc["targets"]] == [TESS]
    (path,) = doc["paths"]
    assert path["rank"] == 1 and path["steps"] == 1 and path["weaker"] is False
    assert path["via"][0]["address"] == ANN and path["via"][0]["tier"] in "ABCD"
    assert path["target"] == {
        "address": TESS,
        "name": "Tess Targetperson",
        "organisation": "globex.example",
        "tier": None,
        "score": None,
    }
    (hop,) = path["hops"]
    assert hop["from"] == ANN and hop["to"] == TESS and hop["last_seen"] == "2026-11-21T12:00:00Z"
    assert {"code": "together", "count": 1} in hop["reasons"]
    assert {"code": "days_since", "count": 6} in hop["reasons"]
    everything = json.loads(cli(db, "intro", "globex.example", "--json", "--limit", "0").stdout)
    assert [p["steps"] for p in everything["paths"]] == [1, 1, 2]


def test_intro_help_has_an_example() -> None:
    done = subprocess.run(
        [str(SCRIPT), "intro", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "examples:" in done.stdout and "outlook-networking intro globex.example" in done.stdout
    assert "--limit N" in done.stdout


def test_intro_nobody_and_bad_input(db: Path) -> None:
    nobody = cli(db, "intro", "Nobody Atall")
    assert nobody.returncode == 0
    assert "Nobody in your mail or meetings matches 'Nobody Atall'." in nobody.stdout
    for args in (["not-an@"], ["  "], [TESS, "--limit", "-1"]):
        bad = cli(db, "intro", *args)
        assert bad.returncode == 2, args
        assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_contact_of_a_stranger_says_through_whom(db: Path) -> None:
    done = cli(db, "contact", TESS)
    assert done.returncode == 0, done.stderr
    text = flat(done.stdout)
    assert "Tess Targetperson is not in your network yet." in text
    assert "You may know them through (path score 12): Annemarie Vandenberg-Schoenfeld" in text
    doc = json.loads(cli(db, "contact", TESS, "--json").stdout)
    assert doc["known"] is False and doc["is_owner"] is False
    assert doc["intro"]["via"][0]["address"] == ANN
    stranger = cli(db, "contact", "nobody@nowhere.example")
    assert stranger.returncode == 2 and "is not a contact" in stranger.stderr


def test_the_introduction_asked_for_becomes_a_ledger_item_to_thank_for(db: Path) -> None:
    assert cli(db, "intro", TESS).returncode == 0  # proposes Ann, and remembers it
    with Store.open(db) as store:
        # Ann does it: she writes to the owner and Tess (the owner had seen Tess before).
        intro = mail(ANN, [ME, TESS], ago(days=-10), subject="You two should talk")
        store.apply_batch("test", Batch("inbox", (intro,)))
    ledger = json.loads(cli(db, "ledger", "--json", now=LATER).stdout)
    (item,) = [i for i in ledger["items"] if i["kind"] == "introduction_received"]
    assert item["contact"] == ANN and item["others"] == [TESS] and item["proposed"] is True
    followups = json.loads(cli(db, "followups", "--json", now=LATER).stdout)["followups"]
    thanks = [f for f in followups if f["kind"] == "thank_or_return"]
    assert [f["contact"] for f in thanks] == [ANN]
