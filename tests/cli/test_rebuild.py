"""``rebuild``, and the bar a person sees while a command analyses the store: what they say is
checked against the store read with ``sqlite3`` and against the commands' own documents."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from cli_runs import NOW, Home, ansi_free


def _stored(db: Path) -> tuple[int, int]:
    """The interactions stored, and the generation the store is at (read without the product)."""
    with sqlite3.connect(db) as connection:
        (interactions,) = connection.execute("SELECT count(*) FROM interactions").fetchone()
        (generation,) = connection.execute("SELECT n FROM generation").fetchone()
    return interactions, generation


def _kept(db: Path) -> dict[str, object]:
    """What the kept answers say they are valid for (the row ``app.answers`` keeps first)."""
    with sqlite3.connect(db) as connection:
        (doc,) = connection.execute("SELECT doc FROM answers WHERE key = ''").fetchone()
    return dict(json.loads(doc))


def _documents(home: Home, db: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    contacts = home.run("--db", str(db), "--now", NOW, "contacts", "--json")
    followups = home.run("--db", str(db), "--now", NOW, "followups", "--json")
    assert contacts.code == followups.code == 0, contacts.err + followups.err
    return json.loads(contacts.out)["contacts"], json.loads(followups.out)["followups"]


def test_rebuild_says_what_it_analysed_and_keeps_the_answers(home: Home, demo_db: Path) -> None:
    done = home.run("--db", str(demo_db), "--now", NOW, "rebuild")
    assert done.code == 0, done.err
    assert done.out == ""  # what it says is a message, on stderr
    interactions, generation = _stored(demo_db)
    kept = _kept(demo_db)
    assert kept["generation"] == generation
    assert kept["as_of"] == "2026-11-27T12:00:00+00:00"
    contacts, followups = _documents(home, demo_db)
    said = re.fullmatch(
        r"Analysed ([\d,]+) interactions: ([\d,]+) contacts and ([\d,]+) open follow-ups "
        r"\([\d.]+ secs?\)\. The next commands answer from it\.",
        done.err.strip(),
    )
    assert said is not None, done.err
    numbers = [int(n.replace(",", "")) for n in said.groups()]
    assert numbers == [interactions, len(contacts), len(followups)]
    assert interactions > 7000 and len(contacts) > 100  # the demo's, not an empty store's


def test_rebuild_replaces_what_was_kept(home: Home, demo_db: Path) -> None:
    """Kept answers are served as they are; rebuild analyses afresh whatever is kept."""
    contacts, _ = _documents(home, demo_db)  # analyses and keeps
    first = contacts[0]
    with sqlite3.connect(demo_db) as connection:  # a kept row gone wrong (as a bug would)
        (key, doc) = connection.execute(
            "SELECT key, doc FROM answers WHERE key LIKE 'contacts:%' ORDER BY key LIMIT 1"
        ).fetchone()
        wrong = {**json.loads(doc), "score": -1}
        connection.execute("UPDATE answers SET doc = ? WHERE key = ?", (json.dumps(wrong), key))
    served, _ = _documents(home, demo_db)
    assert served[0]["score"] == -1  # served from what was kept, without analysing
    assert home.run("--db", str(demo_db), "--now", NOW, "rebuild").code == 0
    rebuilt, _ = _documents(home, demo_db)
    assert rebuilt[0] == first


def test_rebuild_in_german(home: Home, demo_db: Path) -> None:
    config = home.root / "de.toml"
    config.write_text('language = "de"\n', encoding="utf-8")
    done = home.run("--db", str(demo_db), "--config", str(config), "--now", NOW, "rebuild")
    assert done.code == 0, done.err
    interactions, _ = _stored(demo_db)
    shown = f"{interactions:,}".replace(",", ".")
    assert done.err.startswith(f"{shown} Interaktionen analysiert: "), done.err
    assert "offene Nachverfolgungen (" in done.err
    assert "Sek.). Die nächsten Befehle antworten daraus." in done.err


def test_a_bar_follows_the_analysis_on_a_terminal_only(home: Home, demo_db: Path) -> None:
    interactions, _ = _stored(demo_db)
    on_screen = home.run_tty("--db", str(demo_db), "--now", NOW, "rebuild")
    assert on_screen.code == 0, on_screen.out
    screen = ansi_free(on_screen.out)
    assert "Reading the interactions" in screen
    assert re.search(rf"\b{interactions:,}\b", screen.split("Analysed")[0])  # n of the total
    for step in ("Analysing the network", "Keeping the answers"):
        assert step in screen
    # The bar is gone before the answer: the terminal's last line is the message alone.
    assert screen.rstrip().splitlines()[-1].lstrip("\r").startswith("Analysed ")
    piped = home.run("--db", str(demo_db), "--now", NOW, "rebuild")
    assert piped.code == 0
    assert "Reading" not in piped.err and "━" not in piped.err


def test_a_reading_command_shows_the_bar_only_when_it_analyses(home: Home, demo_db: Path) -> None:
    """Answers kept: the table at once. Settings changed: the analysis they need, followed."""
    assert home.run("--db", str(demo_db), "--now", NOW, "rebuild").code == 0
    paging = {"PAGER": "cat"}  # the table whole, not a pager waiting for keys
    kept = ansi_free(home.run_tty("--db", str(demo_db), "--now", NOW, "contacts", env=paging).out)
    assert "Reading the interactions" not in kept and "Tier" in kept
    config = home.root / "weights.toml"
    config.write_text("[scoring]\ntwo_way_window_days = 9\n", encoding="utf-8")
    changed = home.run_tty(
        "--db", str(demo_db), "--config", str(config), "--now", NOW, "contacts", env=paging
    )
    screen = ansi_free(changed.out)
    assert changed.code == 0, screen
    assert "Reading the interactions" in screen and "Tier" in screen
    assert screen.index("Reading the interactions") < screen.index("Tier")


def test_a_replayed_rebuild_leaves_the_answers_kept_as_of_now(home: Home, demo_db: Path) -> None:
    assert home.run("--db", str(demo_db), "rebuild").code == 0  # as of the clock
    now = _kept(demo_db)["as_of"]
    replay = home.run("--db", str(demo_db), "--now", NOW, "rebuild")
    assert replay.code == 0, replay.err
    assert "The answers kept as of now stay: a replay (--now) keeps nothing." in replay.err
    assert _kept(demo_db)["as_of"] == now


def test_an_analysis_quicker_than_the_delay_shows_no_bar(home: Home, demo_db: Path) -> None:
    """A bar that flashes for a third of a second and is gone says nothing: it waits (one
    second by default; here a minute, which the demo's analysis never takes)."""
    waiting = {"OUTLOOK_NETWORKING_PROGRESS_DELAY": "60"}
    on_screen = home.run_tty("--db", str(demo_db), "--now", NOW, "rebuild", env=waiting)
    assert on_screen.code == 0, on_screen.out
    screen = ansi_free(on_screen.out)
    assert "Analysed " in screen and "Reading the interactions" not in screen
    assert "━" not in screen


def test_the_bar_shows_where_the_analysis_is_once_the_delay_is_over() -> None:
    """The timer (not waited for here: called as it would call) shows the step reached; the
    end of the analysis stops the bar, or the timer, whichever is running."""
    from outlook_networking.app.analysis import ANALYSE, DONE, READ
    from outlook_networking.cli.output import _AnalysisBar
    from outlook_networking.i18n import Wording

    bar = _AnalysisBar(Wording("en"), delay=60)
    bar(READ, 0, 10)
    bar(READ, 10, 10)
    bar(ANALYSE, 0, None)
    assert bar.shown is None and bar.timer is not None and bar.timer.is_alive()
    bar.due()
    assert bar.shown is not None and bar.step is not None and bar.step[0] == ANALYSE
    (task,) = bar.shown.tasks
    assert task.description == "Analysing the network" and task.total is None
    timer = bar.timer
    bar(DONE, 0, None)
    assert bar.shown is None and timer is not None
    timer.join(timeout=10)  # cancelled: it ends at once
    assert not timer.is_alive()

    quick = _AnalysisBar(Wording("en"), delay=60)
    quick(READ, 0, 10)
    quick(DONE, 0, None)
    quick.due()  # (a timer that fires as the analysis ends)
    assert quick.shown is None


def test_the_bar_counts_the_time_from_the_start_of_the_analysis() -> None:
    """The elapsed time is the analysis's, not the bar's: shown after the delay it already
    counts the delay, and a new step does not start it again from nought (a clock given,
    nothing waited for)."""
    from outlook_networking.app.analysis import ANALYSE, DONE, KEEP, READ
    from outlook_networking.cli.output import _AnalysisBar, _Since
    from outlook_networking.i18n import Wording

    now = [100.0]
    bar = _AnalysisBar(Wording("en"), delay=1, clock=lambda: now[0])
    bar(READ, 0, 10)
    now[0] = 101.5
    bar.due()
    assert bar.shown is not None
    (since,) = [c for c in bar.shown.columns if isinstance(c, _Since)]
    (task,) = bar.shown.tasks
    assert str(since.render(task)) == "0:00:01"
    now[0] = 175.0
    bar(ANALYSE, 0, None)
    bar(KEEP, 3, 10)
    (task,) = bar.shown.tasks
    assert task.description == "Keeping the answers"
    assert str(since.render(task)) == "0:01:15"
    bar(DONE, 0, None)
    now[0] = 500.0
    bar(READ, 0, 10)  # another analysis counts from its own start
    assert bar.began == 500.0
    bar(DONE, 0, None)
