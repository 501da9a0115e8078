"""The command line in a terminal window of 80 columns: tables choose their columns, say what they
left out and how many rows there are, never cut an address, and long output goes through $PAGER
on a terminal only."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from cli_runs import NOW, Home, ansi_free


def _pager(home: Home) -> tuple[Path, Path]:
    """A pager that keeps what it was given (and what LESS said)."""
    seen = home.root / "paged.txt"
    script = home.root / "pager.sh"
    script.write_text(f'#!/bin/sh\necho "LESS=$LESS" > "{seen}"\ncat >> "{seen}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, seen


def test_contacts_fit_80_columns_and_say_what_they_left_out(home: Home, demo_db: Path) -> None:
    rows = json.loads(home.run("--db", str(demo_db), "--now", NOW, "contacts", "--json").out)
    contacts = rows["contacts"]
    shown = home.run_tty(
        "--db", str(demo_db), "--now", NOW, "contacts", "--limit", "12", env={"PAGER": "cat"}
    )
    assert shown.code == 0
    lines = ansi_free(shown.out).splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines), max(lines, key=len)
    header = next(line for line in lines if line.startswith("Tier"))
    assert f"12 of {len(contacts)} contacts shown, strongest first; --limit 0 shows all." in lines
    note = " ".join(lines)
    left = note[note.index("Not shown at 80 columns: ") + 25 : note.index(" (widen the window")]
    columns = ["Tier", "Score", "Name", "Address", "Last two-way", "Sent", "Recv", "Meet", "Why"]
    missing = left.split(", ")
    assert "Address" in missing and "Why" not in missing and "Name" not in missing
    assert [c for c in columns if c in header] == [c for c in columns if c not in missing]
    body = "\n".join(lines)
    for row in contacts[:12]:
        assert row["name"] in body
        assert row["reasons"][0] in body  # whole, on one line: the column has the room
    assert "…" not in body
    wide = home.run_tty("--db", str(demo_db), "--now", NOW, "contacts", "--limit", "12",
                        columns=200, env={"PAGER": "cat"})  # fmt: skip
    wide_text = ansi_free(wide.out)
    assert "Not shown" not in wide_text
    for row in contacts[:12]:
        assert row["address"] in wide_text  # whole, never "mei.wag…"


def test_followups_at_80_columns_are_blocks_with_every_reason_whole(
    home: Home, demo_db: Path
) -> None:
    items = json.loads(
        home.run("--db", str(demo_db), "--now", NOW, "followups", "--json", "--limit", "4").out
    )["followups"]
    shown = home.run_tty(
        "--db", str(demo_db), "--now", NOW, "followups", "--limit", "4", env={"PAGER": "cat"}
    )
    text = ansi_free(shown.out)
    assert all(len(line.rstrip()) <= 80 for line in text.splitlines())
    flat = " ".join(text.split())
    for item in items:
        assert " ".join(item["reason"].split()) in flat
        assert item["short_key"] in text


def test_long_output_is_paged_on_a_terminal_only(home: Home, demo_db: Path) -> None:
    pager, seen = _pager(home)
    env = {"PAGER": str(pager)}
    on_terminal = home.run_tty("--db", str(demo_db), "--now", NOW, "review", env=env)
    assert on_terminal.code == 0
    paged = seen.read_text()
    assert paged.startswith("LESS=FRX\n")  # colours and quit-if-one-screen, as git sets them
    assert "Annual review 2026" in paged and "Clean-up" in paged
    assert "Annual review 2026" not in ansi_free(on_terminal.out)  # the pager showed it
    seen.unlink()
    piped = home.run("--db", str(demo_db), "--now", NOW, "review", env=env)
    assert piped.code == 0 and "Annual review 2026" in piped.out
    assert not seen.exists()  # piped: printed whole, no pager
    short = home.run_tty("--db", str(demo_db), "--now", NOW, "contacts", "--limit", "3", env=env)
    assert not seen.exists() and "3 of " in ansi_free(short.out)  # fits the screen: no pager
    mine = home.run_tty("--db", str(demo_db), "--now", NOW, "review", env={**env, "LESS": "-R"})
    assert mine.code == 0 and seen.read_text().startswith("LESS=-R\n")  # the user's LESS wins


def test_the_review_lists_everyone_of_every_tier(home: Home, demo_db: Path) -> None:
    doc = json.loads(home.run("--db", str(demo_db), "--now", NOW, "review", "--json").out)
    text = home.run("--db", str(demo_db), "--now", NOW, "review").out
    for tier, people in doc["tiers"].items():
        assert f"\n{tier} ({len(people)})\n" in text
        for entry in people:
            assert f"<{entry['address']}>" in text, entry  # the C list of 100 too, not 50
    assert len(doc["tiers"]["C"]) > 50


def _blocks(text: str) -> list[list[str]]:
    """The paragraphs of ``text``: runs of non-blank lines."""
    return [block.splitlines() for block in text.split("\n\n") if block.strip()]


def test_text_wraps_under_its_indent_at_80_columns(home: Home, demo_db: Path) -> None:
    """What is not a table wraps with a hanging indent: an entry of the review, a reason of the
    contact card, a line of the write-back preview never continues at the left margin, and
    no line carries the blanks a table pads it with."""
    base = ("--db", str(demo_db), "--now", NOW)
    narrow = {"COLUMNS": "80"}
    doc = json.loads(home.run(*base, "review", "--json").out)
    review = home.run(*base, "review", env=narrow).out
    lines = review.splitlines()
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines), max(lines, key=len)
    for block in _blocks(review)[1:]:  # each list: its title, then entries indented by two
        assert all(line.startswith("  ") for line in block[1:]), block
    flat = " ".join(review.split())
    for people in doc["tiers"].values():
        for entry in people:
            assert f"<{entry['address']}> · score" in flat  # whole, never broken inside
    owed = json.loads(home.run(*base, "followups", "--json", "--kind", "owed_reply").out)
    address = owed["followups"][0]["contact"]
    card = home.run(*base, "contact", address, env=narrow).out
    assert all(len(line) <= 80 for line in card.splitlines())
    reasons = next(b for b in _blocks(card) if b[0].startswith("Open follow-ups"))
    assert all(line.startswith("    ") for line in reasons[2:]), reasons
    preview = home.run(*base, "apply", "--dry-run", env=narrow).out.splitlines()
    unbroken = [line for line in preview if len(line) > 80 and " " in line.strip()]
    assert unbroken == []  # only a word longer than a line (the config's path) may be
    first = preview.index(next(p for p in preview if p.startswith("  ")))
    steps = preview[first : preview.index(next(p for p in preview if p.startswith("(PREVIEW")))]
    assert len(steps) > 50 and all(line.startswith("  ") for line in steps)
    table = home.run(*base, "contacts", "--limit", "5", env=narrow).out
    assert all(line == line.rstrip() for line in table.splitlines())
