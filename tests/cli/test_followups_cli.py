"""`followups` as a person reads it, and `followups done` / `snooze` as the next analysis, the
tasks and the add-in respect them. Everything through the installed console script."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cli_runs import NOW, Home

from outlook_networking.addin.commands import CardService
from outlook_networking.app.pipeline import write_back
from outlook_networking.app.workspace import Workspace
from outlook_networking.config import AccountConfig, load_config
from outlook_networking.connectors.memory import MemoryMailbox, MemorySink
from outlook_networking.ports import CompleteTask, UpdateTask

# Most pressing first, as docs/json.md states it: someone waits for you, open loops, upkeep.
PRESSING = [
    "owed_reply", "awaiting_answer", "thank_or_return", "unreciprocated", "birthday",
    "annual_review", "cooling", "keep_in_touch",
]  # fmt: skip
LABELS = {
    "owed_reply": "Owed reply", "awaiting_answer": "Awaiting answer",
    "thank_or_return": "Thank or return", "unreciprocated": "Unreciprocated",
    "annual_review": "Annual review", "cooling": "Cooling", "keep_in_touch": "Keep in touch",
}  # fmt: skip
NOW_DT = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _json(home: Home, db: Path, *args: str) -> list[dict[str, Any]]:
    done = home.run("--db", str(db), "--now", NOW, "followups", *args, "--json")
    assert done.code == 0, done.err
    items: list[dict[str, Any]] = json.loads(done.out)["followups"]
    return items


def test_most_pressing_first_one_row_per_person_with_names_and_words(
    home: Home, demo_db: Path
) -> None:
    items = _json(home, demo_db)
    ranks = [(PRESSING.index(f["kind"]), f["due"]) for f in items if not f["snoozed"]]
    assert ranks == sorted(ranks)
    assert items[0]["kind"] == "owed_reply"  # not after dozens of keep-in-touch rows
    shown = home.run("--db", str(demo_db), "--now", NOW, "followups", env={"COLUMNS": "200"})
    assert shown.code == 0
    text = shown.out
    for code, label in LABELS.items():
        assert code not in text
        assert (label in text) == any(f["kind"] == code for f in items)
    rows = [line for line in text.splitlines()[3:] if line and not line.startswith(" ")]
    people = {f["contact"]: f["name"] for f in items if f["contact"]}
    named = [row for row in rows if any(row.startswith(n + " ") for n in people.values())]
    assert len(named) == len(people)  # each person once, however many follow-ups
    assert named[0].startswith(items[0]["name"])
    for item in items:
        assert item["short_key"] in text
    several = next(c for c in people if sum(f["contact"] == c for f in items) > 1)
    assert sum(row.startswith(people[several] + " ") for row in rows) == 1
    assert "@" not in "".join(rows[:5])  # names, not addresses ...
    addressed = home.run(
        "--db", str(demo_db), "--now", NOW, "followups", "--addresses", env={"COLUMNS": "200"}
    )
    assert items[0]["contact"] in addressed.out  # ... unless asked for


def test_kind_tier_and_limit_say_what_they_leave_out(home: Home, demo_db: Path) -> None:
    every = _json(home, demo_db)
    owed = _json(home, demo_db, "--kind", "owed-reply")
    assert owed and {f["kind"] for f in owed} == {"owed_reply"}
    assert [f["key"] for f in owed] == [f["key"] for f in every if f["kind"] == "owed_reply"]
    b = _json(home, demo_db, "--tier", "b")
    assert b and {f["tier"] for f in b} == {"B"}
    people = list(dict.fromkeys(f["contact"] for f in every))
    three = _json(home, demo_db, "--limit", "3")
    assert list(dict.fromkeys(f["contact"] for f in three)) == people[:3]
    shown = home.run("--db", str(demo_db), "--now", NOW, "followups", "--limit", "3")
    things = sum(f["contact"] in people[:3] for f in every)
    assert f"3 of {len(people)} people shown ({things} follow-ups); --limit 0 shows all." in (
        shown.out
    )
    wrong = home.run("--db", str(demo_db), "followups", "--kind", "owed")
    assert wrong.code == 2 and wrong.lines[-1].endswith("; did you mean owed_reply?")


def _tasks(db: Path, box: MemoryMailbox) -> list[Any]:
    """What `apply` does to a mailbox for the store as it is now: the plan, applied."""
    with Workspace(db, Path("/dev/null"), now=NOW_DT) as workspace:
        actions, _ = write_back(
            workspace.store,
            workspace.config,
            workspace.network,
            AccountConfig(name="memory", address="alex@example.com"),
            MemorySink(box),
        )
    return list(actions.actions)


def test_done_and_snoozed_reach_the_analysis_the_tasks_and_the_add_in(
    home: Home, demo_db: Path
) -> None:
    box = MemoryMailbox()
    first = _tasks(demo_db, box)
    before = _json(home, demo_db)
    assert sum(1 for t in box.tasks.values()) == len(before)
    owed, later = before[0], before[1]
    assert owed["kind"] == "owed_reply" and later["contact"] != owed["contact"]
    done = home.run("--db", str(demo_db), "--now", NOW, "followups", "done", owed["short_key"][:5])
    assert done.code == 0
    assert done.lines == [
        f"Done: Owed reply for {owed['name']} ({owed['short_key']}). It stays closed; the next "
        "`apply` completes its task."
    ]
    again = home.run("--db", str(demo_db), "--now", NOW, "followups", "done", owed["key"])
    assert again.code == 0
    assert again.lines == [f"{owed['short_key']} was already done: nothing changed."]
    snooze = home.run(
        "--db", str(demo_db), "--now", NOW, "followups", "snooze", later["short_key"],
        "--until", "2026-12-15",
    )  # fmt: skip
    assert snooze.code == 0 and snooze.lines[0].startswith("Snoozed until 15 Dec 2026, 00:00: ")
    after = _json(home, demo_db)
    assert owed["key"] not in {f["key"] for f in after}
    moved = next(f for f in after if f["key"] == later["key"])
    assert moved["snoozed"] is True and moved["due"] == "2026-12-15T00:00:00Z"
    assert after[-1]["key"] == later["key"]  # snoozed: after everything else
    # The tasks: the done one is completed, the snoozed one's due date moves.
    second = _tasks(demo_db, box)
    assert [a for a in second if isinstance(a, CompleteTask)] == [
        CompleteTask(
            owed["key"], next(t.item_id for t in box.tasks.values() if t.key == owed["key"])
        )
    ]
    (update,) = [a for a in second if isinstance(a, UpdateTask)]
    assert update.key == later["key"] and update.due == datetime(2026, 12, 15, tzinfo=UTC)
    assert first and _tasks(demo_db, box) == []  # and then nothing more to do
    # The add-in's card of each person.
    cards = CardService(demo_db, load_config(Path("/dev/null")), lambda: NOW_DT)
    owed_card = cards(owed["contact"])
    assert owed_card is not None
    assert owed["key"] not in {f["key"] for f in owed_card["followups"]}
    later_card = cards(later["contact"])
    assert later_card is not None
    (snoozed,) = [f for f in later_card["followups"] if f["key"] == later["key"]]
    assert snoozed["snoozed"] is True and snoozed["due"] == "2026-12-15T00:00:00Z"


def test_done_and_snooze_refuse_what_they_cannot_do(home: Home, demo_db: Path) -> None:
    base = ("--db", str(demo_db), "--now", NOW, "followups")
    unknown = home.run(*base, "done", "zzzzzzz")
    assert (unknown.code, unknown.lines) == (
        2,
        ["outlook-networking: no open follow-up 'zzzzzzz'; `outlook-networking followups` "
         "lists them"],
    )  # fmt: skip
    key = _json(home, demo_db)[0]["short_key"]
    past = home.run(*base, "snooze", key, "--until", "2026-11-01")
    assert past.code == 2 and "is not after now" in past.lines[-1]
    form = home.run(*base, "snooze", key, "--until", "next week")
    assert form.code == 2 and "write it like 2026-12-15" in form.lines[-1]
    assert _json(home, demo_db)[0]["short_key"] == key  # nothing changed
