"""``brief``, ``note`` and ``contact --birthday`` on the demo mailbox, as a user runs them.

The demo plants the brief's day (the day of ``--now``): two meetings still to come, a client
owed a reply organising the first with the mentor (a birthday two days on), a stranger and a
room. What the brief must list is read here from the demo's own calendar file with icalendar
and recurring_ical_events, not from the product.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from outlook_networking.cli import main
from outlook_networking.demo import DemoTruth, generate

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, DemoTruth]:
    directory = tmp_path_factory.mktemp("brief")
    truth = generate(directory / "files", now=NOW, seed=7)
    db, config = directory / "network.sqlite3", directory / "config.toml"
    config.write_text('[brief]\ntime_zone = "Europe/Berlin"\n', encoding="utf-8")
    files = [str(p) for p in sorted((directory / "files").iterdir())]
    assert main(["--db", str(db), "ingest", *files, "--me", truth.owner]) == 0
    return db, config, truth


def run(demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str],
        *args: str) -> tuple[int, str, str]:  # fmt: skip
    db, config, _ = demo
    capsys.readouterr()
    code = main(["--db", str(db), "--config", str(config), "--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return code, out, err


def expected_meetings(files: Path, owner: str) -> list[tuple[str, str, list[str]]]:
    """(start, subject, people) of the calendar's meetings on DAY in Berlin: organizer first,
    then the attendees, without the owner and without rooms (CUTYPE=ROOM)."""
    calendar = icalendar.Calendar.from_ical((files / "calendar.ics").read_bytes())
    start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=BERLIN)
    found = []
    for event in recurring_ical_events.of(calendar).between(start, start + timedelta(days=1)):
        if event.get("status") == "CANCELLED" or "organizer" not in event:
            continue
        people = [str(event["organizer"]).removeprefix("mailto:")]
        attendees = event.get("attendee", [])
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            if attendee.params.get("CUTYPE") not in ("ROOM", "RESOURCE"):
                people.append(str(attendee).removeprefix("mailto:"))
        people = [p for p in dict.fromkeys(people) if p != owner]
        begins = event.decoded("dtstart").astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        found.append((begins, str(event["summary"]), people))
    return sorted(found)


def test_brief_json_lists_the_days_meetings_with_a_card_per_person(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _, truth = demo
    code, out, err = run(demo, capsys, "brief", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["date"], doc["time_zone"], doc["as_of"]) == (
        "2026-11-27", "Europe/Berlin", "2026-11-27T12:00:00Z"
    )  # fmt: skip
    files = db.parent / "files"
    expected = expected_meetings(files, truth.owner)
    got = [(m["start"], m["subject"], [p["address"] for p in m["people"]]) for m in doc["meetings"]]
    assert got == expected
    assert [(s, p) for _, s, p in got] == [(s, list(p)) for s, p in truth.today_meetings]
    first, second = doc["meetings"]
    client, mentor, stranger = first["people"]
    assert first["organizer"] == client["address"] and second["organizer"] is None
    assert [p["organizer"] for p in first["people"]] == [True, False, False]
    assert [p["organizer"] for p in second["people"]] == [False, False]
    assert (client["known"], client["external"]) == (True, True)
    assert "owed_reply" in {f["kind"] for f in client["followups"]}
    assert (mentor["known"], mentor["external"], mentor["tier"]) == (True, False, "A")
    assert [(k["kind"], k["next"], k["in_days"]) for k in mentor["key_dates"]] == [
        ("birthday", "2026-11-29", 2)
    ]
    assert f"birthday:{mentor['address']}:2026-11-29" in {f["key"] for f in mentor["followups"]}
    assert stranger == {"address": truth.today_stranger, "known": False, "external": True,
                        "notes": [], "organizer": False}  # fmt: skip
    awaiting = second["people"][0]
    assert "awaiting_answer" in {f["kind"] for f in awaiting["followups"]}
    assert truth.today_room not in out
    # The follow-ups falling due that day, and only those.
    code, out, _ = run(demo, capsys, "followups", "--json")
    start = datetime(2026, 11, 27, tzinfo=BERLIN)
    due_today = [
        f["key"] for f in json.loads(out)["followups"]
        if start <= datetime.fromisoformat(f["due"]) < start + timedelta(days=1)
    ]  # fmt: skip
    assert [f["key"] for f in doc["followups"]] == due_today
    assert doc["overdue"] > 0
    # Reproducible: the same --now, the same document.
    assert json.loads(run(demo, capsys, "brief", "--json")[1]) == doc


def test_another_day_and_a_day_without_meetings(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(demo, capsys, "brief", "--json", "--date", "2026-11-28")  # a Saturday
    assert code == 0
    assert json.loads(out)["meetings"] == []
    code, out, _ = run(demo, capsys, "brief", "--date", "2026-11-28")
    assert code == 0 and "No meetings." in out


def test_brief_for_people_reads_in_the_days_zone(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    truth = demo[2]
    code, out, _ = run(demo, capsys, "brief")
    assert code == 0
    assert "Brief for Friday, 27 November 2026 (Europe/Berlin)" in out  # Babel, en_GB
    assert "14:00–14:45  Angebot Q1: Abstimmung" in out
    assert "16:00–16:30  Kurze Abstimmung Vertrag" in out
    assert f"{truth.today_stranger} (external, not in your network)" in out
    assert "organizer, external)" in out
    assert truth.today_room not in out


@pytest.mark.parametrize("day", ["tomorrow", "2026-02-30", "27.11.2026"])
def test_a_bad_day_is_one_line_and_exit_2(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str], day: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        run(demo, capsys, "brief", "--date", day)
    assert stopped.value.code == 2
    assert "not a day (YYYY-MM-DD)" in capsys.readouterr().err


def test_notes_are_kept_listed_shown_and_deleted(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    truth = demo[2]
    client = truth.today_meetings[0][1][0]
    code, _, err = run(demo, capsys, "note", client.upper(), "Wants", "[bold]the", "offer[/bold]")
    assert code == 0 and "Kept note" in err
    code, out, _ = run(demo, capsys, "note", client, "--list", "--json")
    (note,) = json.loads(out)["notes"]
    assert note["text"] == "Wants [bold]the offer[/bold]"  # kept as typed, markup never read
    code, out, _ = run(demo, capsys, "note", client, "--list")
    assert f"[{note['id']}]" in out and "Wants [bold]the offer[/bold]" in out
    code, out, _ = run(demo, capsys, "contact", client)
    assert "Your notes:" in out and "Wants [bold]the offer[/bold]" in out
    code, out, _ = run(demo, capsys, "brief", "--json")
    assert json.loads(out)["meetings"][0]["people"][0]["notes"] == [note]
    code, _, err = run(demo, capsys, "note", truth.mentor[0], "--delete", str(note["id"]))
    assert code == 2 and f"no note {note['id']} about {truth.mentor[0]}" in err
    code, _, err = run(demo, capsys, "note", client, "--delete", str(note["id"]))
    assert code == 0 and f"Removed note {note['id']}" in err
    code, out, _ = run(demo, capsys, "note", client)
    assert f"No notes about {client}." in out


def test_a_note_s_text_may_follow_the_options(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    db, config, _ = demo
    capsys.readouterr()
    address = "late.words@example.org"
    code = main(["note", address, "--db", str(db), "--config", str(config), "Met", "at", "Expo"])
    assert code == 0, capsys.readouterr().err
    code, out, _ = run(demo, capsys, "note", address, "--list", "--json")
    (note,) = json.loads(out)["notes"]
    assert note["text"] == "Met at Expo"
    with pytest.raises(SystemExit) as refused:  # an unknown option still is refused
        run(demo, capsys, "note", address, "--jsno", "x")
    assert refused.value.code == 2
    assert "unrecognized arguments: --jsno x" in capsys.readouterr().err
    run(demo, capsys, "note", address, "--delete", str(note["id"]))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["someone@example.org", "beep\x07"], "a note cannot hold control characters"),
        (["someone@example.org", "x" * 2001], "a note is at most 2000 characters"),
        (["not-an-address", "hello"], "not an e-mail address: not-an-address"),
        (["someone@example.org", "x", "--delete", "1"], "usage: note ADDR --delete ID (no text)"),
    ],
)
def test_bad_notes_are_one_line_and_exit_2(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str],
    args: list[str], message: str,
) -> None:  # fmt: skip
    code, _, err = run(demo, capsys, "note", *args)
    assert code == 2
    assert err.strip() == f"outlook-networking: {message}"


def test_a_birthday_entered_by_hand_wins_and_can_be_taken_back(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    truth = demo[2]
    colleague = truth.close[0]  # the address book says 14 June 1985
    code, out, _ = run(demo, capsys, "contact", colleague, "--json")
    assert [(k["kind"], k["date"]) for k in json.loads(out)["key_dates"]] == [
        ("birthday", "1985-06-14"), ("anniversary", "2011-09-09")
    ]  # fmt: skip
    code, out, err = run(demo, capsys, "contact", colleague, "--birthday", "11-28", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["key_dates"][0] == {"kind": "birthday", "date": "--11-28", "next": "2026-11-28",
                                   "in_days": 1, "years": None}  # fmt: skip
    assert f"birthday:{colleague}:2026-11-28" in {f["key"] for f in doc["followups"]}
    code, out, _ = run(demo, capsys, "followups", "--json")
    assert f"birthday:{colleague}:2026-11-28" in {f["key"] for f in json.loads(out)["followups"]}
    code, out, _ = run(demo, capsys, "contact", colleague, "--birthday", "none", "--json")
    assert json.loads(out)["key_dates"][0]["date"] == "1985-06-14"
    code, _, err = run(demo, capsys, "contact", colleague, "--birthday", "02-30")
    assert code == 2 and "--birthday: not a day: '02-30' (MM-DD or YYYY-MM-DD)" in err
    code, _, err = run(demo, capsys, "contact", "nobody@nowhere.example", "--birthday", "01-01")
    assert code == 2 and "is not a contact" in err


def test_the_brief_fits_a_terminal_of_80_columns(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A line too long for the terminal goes on indented under its own start: a follow-up or a
    note stays readable as one, and a note's own line breaks are kept the same way."""
    from outlook_networking.cli.output import console

    truth = demo[2]
    awaiting = truth.today_meetings[1][1][0]  # no other test writes notes about them
    long_note = "Wants the revised offer before Christmas; " * 4 + "[red]ask[/red]"
    assert run(demo, capsys, "note", awaiting, long_note)[0] == 0
    assert run(demo, capsys, "note", awaiting, "first line\nsecond line")[0] == 0
    monkeypatch.setattr(console, "width", 80)
    code, out, _ = run(demo, capsys, "brief")
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not [line for line in lines if line != line.rstrip()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("    note ") and "Wants" in ln)
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("      "):
            break
        block.append(line)
    assert len(block) >= 3  # wrapped, every continuation six columns in
    assert " ".join(part.strip() for part in block).endswith(long_note.strip())
    second = lines.index("      second line")
    assert lines[second - 1].startswith("    note ") and lines[second - 1].endswith("first line")
    owed = next(line for line in lines if line.startswith("    Owed reply: "))
    assert len(owed) <= 80
    # Piped into another program (the default 160 columns), each follow-up is one line.
    monkeypatch.undo()
    code, out, _ = run(demo, capsys, "brief")
    assert any(line.startswith("    Owed reply: ") and line.endswith("(your target: 2 days)")
               for line in out.splitlines())  # fmt: skip
    assert "[red]ask[/red]" in out  # markup in a note is text, never read


def test_forget_takes_the_notes_and_dates_about_someone_with_it(
    demo: tuple[Path, Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    """Last in this module: it removes a person from the shared store."""
    colleague = demo[2].close[1]  # no other test here uses them
    assert run(demo, capsys, "note", colleague, "Two kids, Hamburg")[0] == 0
    assert run(demo, capsys, "contact", colleague, "--birthday", "04-15")[0] == 0
    code, out, _ = run(demo, capsys, "contact", colleague, "--json")
    doc = json.loads(out)
    assert [n["text"] for n in doc["notes"]] == ["Two kids, Hamburg"]
    assert doc["key_dates"][0]["date"] == "--04-15"
    code, _, err = run(demo, capsys, "forget", colleague, "--yes")
    assert code == 0, err
    assert "2 corrections, notes, journal and review entries removed" in err
    code, out, _ = run(demo, capsys, "note", colleague, "--list", "--json")
    assert json.loads(out)["notes"] == []
    code, _, err = run(demo, capsys, "contact", colleague)
    assert code == 2 and "is not a contact" in err
