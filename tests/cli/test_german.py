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

import argparse
import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from cli_runs import NOW, Home

from i18n.pseudo import PseudoWording, unmarked
from outlook_networking.cli import build_parser, main
from outlook_networking.config import load_config
from outlook_networking.i18n import Wording
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


# --- help, usage errors and the commands that print little (issue 20's command line) -----------


def _command_paths() -> list[tuple[str, ...]]:
    """Every command and subcommand, as typed after the program's name (the program itself
    first)."""
    paths: list[tuple[str, ...]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        paths.append(path)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return paths


def _help(path: tuple[str, ...], words: Wording, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*path, "--help"], words=words)
    assert exited.value.code == 0, path
    return capsys.readouterr().out


# What help shows that is typed, not read: the example command lines, short options (-h),
# choices ({A,B,C,D}), metavars (N, ADDR1) and the names of the commands in a list.
_EXAMPLE = re.compile(r"^\s+outlook-networking .*$", re.MULTILINE)
_TYPED = re.compile(r"(?<![\w-])-[a-zA-Z]\b|\{[\w,-]+\}|\b[A-Z][A-Z\d]*\b")


def test_every_commands_help_and_usage_errors_go_through_the_catalogs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    words = PseudoWording()
    paths = _command_paths()
    assert len(paths) > 25  # every command and subcommand, not a few
    names = sorted({name for path in paths for name in path}, key=len, reverse=True)
    for path in paths:
        text = _EXAMPLE.sub("", _help(path, words, capsys))
        assert "⟦usage: ⟧" in text and "⟦options⟧" in text, path
        left = _TYPED.sub("", _strip(text, [*names, "SECONDS"]))
        assert not re.search(r"[^\W\d_]", left), (path, left[:300])
    errors = {  # a missing argument, a bad value, a type check, a missing value
        ("intro",): "",
        ("contacts", "--limit", "x"): "",
        ("--now", "2026-13", "contacts"): "",
        ("contacts", "--limit"): "",
        ("followups", "snooze", "3f9a2c1", "--until", "soon"): "",
        ("forget", "not an address@"): "",
    }
    for argv in errors:
        try:
            code = main(list(argv), words=words)
        except SystemExit as exited:  # argparse's usage errors
            code = exited.code
        assert code == 2, argv
        errors[argv] = capsys.readouterr().err
    for argv, text in errors.items():
        assert "⟦" in text, argv
        typed = [*names, "2026-13", "x", "soon", "3f9a2c1", "not an address@"]
        left = _TYPED.sub("", _strip(text, typed))
        assert not re.search(r"[^\W\d_]", left), (argv, left[:300])


def test_agent_status_config_forget_completion_and_addin_lines_go_through_the_catalogs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    words = PseudoWording()
    db = tmp_path / "demo.sqlite3"
    assert main(["--now", NOW, "demo", "--db", str(db), "--limit", "0"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "--now", NOW, "contacts", "--json"]) == 0
    contact = json.loads(capsys.readouterr().out)["contacts"][-1]["address"]
    config = tmp_path / "work.toml"
    runs = {
        "status": ["--db", str(db), "status"],
        "config init": ["--config", str(config), "config", "init", "--address",
                        "me@example.com", "--connector", "graph"],
        "config init again": ["--config", str(config), "config", "init"],
        "forget": ["--db", str(db), "--now", NOW, "forget", contact, "--yes"],
        "forget --undo": ["--db", str(db), "--now", NOW, "forget", "--undo", contact],
        "addin cert": ["--db", str(db), "addin", "cert"],
        "addin cert again": ["--db", str(db), "addin", "cert"],
        "addin manifest": ["--db", str(db), "addin", "manifest", "--port", "48400"],
    }  # fmt: skip
    printed: dict[str, str] = {}
    for name, argv in runs.items():
        main(argv, words=words)
        out, err = capsys.readouterr()
        printed[name] = out + err
    data = [str(db), str(db.parent), str(config), contact, "me@example.com"]
    for name, text in printed.items():
        assert "⟦" in text, name
        left = [line for line in _strip(text, data).splitlines() if re.search(r"[^\W\d_]", line)]
        assert not left, (name, left[:5])
    written = config.read_text(encoding="utf-8")  # its comments are worded, and it loads
    assert load_config(config).accounts[0].address == "me@example.com"
    for line in written.splitlines():
        if "  # " in line:
            comment: str | None = line.split("  # ", 1)[1]
        elif line.startswith("#") and "=" not in line and not line.startswith("# ["):
            comment = line[1:]
        else:
            comment = None
        assert comment is None or comment.lstrip().startswith("⟦"), line
    for shell in ("bash", "zsh", "fish"):
        assert main(["completion", shell], words=words) == 0
        script = capsys.readouterr().out
        comments = [line for line in script.splitlines()
                    if line.startswith("# ") and not line.startswith("#compdef")]  # fmt: skip
        assert len(comments) >= 2, shell
        said = unmarked("\n".join(line[2:] for line in comments))  # how to load it
        assert not re.search(r"[^\W\d_]", said), (shell, said)
        if shell != "bash":  # zsh and fish show each command's help, worded too
            assert "⟦the ranked network" in script, shell


def test_german_help_piped_and_at_80_columns_fits_and_is_german(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # what argparse falls back to when piped
    english = _english_sentences()
    german = Wording("de")
    for path in _command_paths():
        text = _help(path, german, capsys)
        assert "Aufruf: outlook-networking" in text and "Optionen:" in text, path
        for line in _EXAMPLE.sub("", text).splitlines():
            assert len(line) <= 80, (path, line)
        leaked = [piece for piece in english if piece in text]
        assert not leaked, (path, leaked)
    # as a user runs it: the console script, piped, its language from the configuration
    home = _german_home(tmp_path)
    piped = home.run("followups", "snooze", "--help")
    assert piped.code == 0, piped.err
    assert "Stellt jeden KEY bis DATE zurück" in piped.out
    assert "diese Hilfe zeigen und beenden" in piped.out
    assert max(len(line) for line in _EXAMPLE.sub("", piped.out).splitlines()) <= 80
    missing = home.run("intro")
    assert missing.code == 2
    assert "intro: Fehler: folgende Argumente sind erforderlich: TARGET" in missing.err
    assert missing.err.startswith("Aufruf: outlook-networking intro")
