"""The command line in German, end to end (issue 20 part B).

1. Under the pseudo-locale (tests/i18n/pseudo.py) every word `demo`, `contacts`, `contact`,
   `followups` and `apply --dry-run` print comes back marked, so anything printed without the
   catalogs shows up as letters outside the marks; the data (names, addresses, organisations,
   paths, keys, commands and options a person types) is taken out first.
2. With ``language = "de"`` the same commands, run as a user runs them (the console script,
   piped and on an 80-column terminal), print German: no English sentence of the catalog shows
   up, and the English run still prints English.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from cli_runs import NOW, Home

from i18n.pseudo import PseudoWording, unmarked
from outlook_networking.cli import main
from outlook_networking.i18n.wording import DOMAIN

CATALOGS = Path(__file__).resolve().parents[2] / "src" / "outlook_networking" / "i18n" / "locale"

COMMANDS = (
    ("contacts",),
    ("followups", "--addresses"),
    ("followups", "--limit", "3"),
    ("apply", "--dry-run"),
)
# What a person types or the data shows, not wording: `commands`, --options, OPTION values in
# capitals, e-mail addresses, paths, hexadecimal keys, the tier letters, the shell's export line.
_DATA = re.compile(
    r"`[^`]*`|--[a-z][\w-]*|\b[A-Z]{2,}\b|[\w.+-]+@[\w.-]+|(?<!\w)/\S+|\b[0-9a-f]{7,}\b"
    r"|\b[A-D]\b|export \S+|\boutlook-networking\b|\[[\w:-]+\]"
)


def _strip(text: str, data: list[str]) -> str:
    text = unmarked(text)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "")
    return _DATA.sub("", text)


def _english_sentences() -> list[str]:
    """The literal pieces of every English message id (placeholders cut out) long enough to
    be a sentence's part, not a name: what must not appear in the German output."""
    # The .po is the repository's: an installed package ships only the compiled .mo.
    with (CATALOGS / "de" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as file:
        catalog = read_po(file)
    pieces: set[str] = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if not english or english in strings:  # the same in both languages ("Name")
                continue
            for piece in re.split(r"\{[^}]*\}|`[^`]*`|--\S+", english):
                piece = piece.strip(" .,;:()\n")
                if len(piece) >= 12 and len(piece.split()) >= 2:
                    pieces.add(piece)
    return sorted(pieces)


def test_every_word_the_command_line_prints_goes_through_the_catalogs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.sqlite3"
    words = PseudoWording()
    printed: dict[str, str] = {}
    assert main(["--now", NOW, "demo", "--db", str(db), "--limit", "0"], words=words) == 0
    out, err = capsys.readouterr()
    printed["demo"] = out + err
    assert main(["--db", str(db), "--now", NOW, "contacts", "--json"]) == 0
    contacts = json.loads(capsys.readouterr().out)["contacts"]
    data = [str(db), str(db.parent)]
    data += [c["name"] for c in contacts if c["name"]] + [c["address"] for c in contacts]
    for command in COMMANDS:
        code = main(["--db", str(db), "--now", NOW, *command], words=words)
        out, err = capsys.readouterr()
        assert code == 0, (command, err)
        printed[" ".join(command)] = out + err
    first = contacts[0]["address"]
    assert main(["--db", str(db), "--now", NOW, "contact", first, "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    data += [card.get("organisation") or "", *card["addresses"]]
    data += [key_date["date"] for key_date in card.get("key_dates", [])]
    assert main(["--db", str(db), "--now", NOW, "contact", first], words=words) == 0
    out, err = capsys.readouterr()
    printed["contact"] = out + err
    assert main(["--db", str(db), "--now", NOW, "brief", "--json"]) == 0
    brief = json.loads(capsys.readouterr().out)
    data += [brief["time_zone"], *(m["subject"] for m in brief["meetings"] if m["subject"])]
    data += [p.get("name") or "" for m in brief["meetings"] for p in m["people"]]
    assert (
        main(["--db", str(db), "--now", NOW, "note", first, "Prefers", "calls"], words=words) == 0
    )
    assert main(["--db", str(db), "--now", NOW, "brief"], words=words) == 0
    out, err = capsys.readouterr()
    printed["brief and note"] = out + err
    data.append("Prefers calls")
    assert brief["meetings"], "the demo's day has meetings to brief on"
    # an error line, in the chosen language too
    assert main(["--db", str(tmp_path / "none.sqlite3"), "contacts"], words=words) == 1
    printed["error"] = capsys.readouterr().err

    for command, text in printed.items():
        assert "⟦" in text, command  # something was worded at all
        left = [line for line in _strip(text, [d for d in data if d]).splitlines()
                if re.search(r"[^\W\d_]", line)]  # fmt: skip
        assert not left, (command, left[:5])


_NO_PAGER = {"PAGER": "cat"}  # the whole output, not the first screen in less


def _german_home(root: Path) -> Home:
    home = Home(root)
    config = root / "config" / "outlook-networking"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('language = "de"\n', encoding="utf-8")
    return home


def test_the_demo_in_german_piped_and_at_80_columns(tmp_path: Path) -> None:
    home = _german_home(tmp_path)
    db = tmp_path / "demo.sqlite3"
    runs = {"demo": home.run("--now", NOW, "demo", "--db", str(db), "--limit", "10")}
    for command in COMMANDS:
        runs[" ".join(command)] = home.run("--db", str(db), "--now", NOW, *command)
    runs["followups (80 columns)"] = home.run_tty(
        "--db", str(db), "--now", NOW, "followups", env=_NO_PAGER
    )
    runs["contacts (80 columns)"] = home.run_tty(
        "--db", str(db), "--now", NOW, "contacts", env=_NO_PAGER
    )
    english = _english_sentences()
    assert len(english) > 50  # the check has something to look for
    for command, done in runs.items():
        assert done.code == 0, (command, done.err)
        text = done.out + done.err
        leaked = [piece for piece in english if piece in text]
        assert not leaked, (command, leaked)
    typo = home.run("contcts")  # the usage error and its suggestion, too
    assert typo.code == 2
    assert "Fehler: unbekannter Befehl 'contcts'; meinten Sie contacts oder contact?" in typo.err
    assert "Ihr Netzwerk, Stand 27. Nov. 2026" in runs["demo"].out
    assert "Datenbank der Demo" in runs["demo"].out
    assert "Nachverfolgungen, Stand 27. Nov. 2026" in runs["followups --limit 3"].out
    assert (
        "Schritte geplant" in runs["apply --dry-run"].out
        or "VORSCHAU" in runs["apply --dry-run"].out
    )
    for command in ("contacts (80 columns)", "followups (80 columns)"):
        for line in re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", runs[command].out).splitlines():
            assert len(line) <= 80, (command, line)


def test_the_english_run_stays_english(tmp_path: Path) -> None:
    home = Home(tmp_path)
    db = tmp_path / "demo.sqlite3"
    demo = home.run("--now", NOW, "demo", "--db", str(db), "--limit", "10")
    assert demo.code == 0, demo.err
    assert "Your network as of 27 Nov 2026, 12:00" in demo.out
    assert "Mailbox owner:" in demo.err and "Postfach" not in demo.out + demo.err
    followups = home.run("--db", str(db), "--now", NOW, "followups", "--limit", "3")
    assert "Follow-ups as of 27 Nov 2026, 12:00, most pressing first" in followups.out
