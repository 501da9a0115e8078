"""The same numbers everywhere a person reads them: one rounding of the score (JSON keeps its
decimal), local time for people and UTC with a Z for scripts, and labels that say which "last"."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cli_runs import NOW, Home

UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _half_up(score: float) -> int:
    return math.floor(score + 0.5)


def test_the_score_reads_the_same_in_every_output(home: Home, demo_db: Path) -> None:
    base = ("--db", str(demo_db), "--now", NOW)
    rows = json.loads(home.run(*base, "contacts", "--json").out)["contacts"]
    table = home.run(*base, "contacts", env={"COLUMNS": "220"}).out
    for row in rows[:40]:
        line = next(line for line in table.splitlines() if f" {row['address']} " in line)
        assert line.split()[1] == str(_half_up(row["score"])), (line, row["score"])
        ranked = [r for r in row["reasons"] if r.startswith("score ")]
        assert ranked and ranked[0].startswith(f"score {_half_up(row['score'])}")
    halves = [r for r in rows if round(r["score"] * 10) % 10 == 5 and int(r["score"]) % 2 == 0]
    assert halves  # 36.5 must read 37: not 36 (Python's round half to even), not 36.5
    for row in halves[:3]:
        card = home.run(*base, "contact", row["address"]).out
        assert f"score {_half_up(row['score'])}" in card
        assert f"score {row['score']}" not in card and f"score {int(row['score'])}," not in card
    review = home.run(*base, "review").out
    top = rows[0]
    assert f"<{top['address']}> · score {_half_up(top['score'])} ·" in review


def test_people_read_local_time_scripts_read_utc(home: Home, demo_db: Path) -> None:
    base = ("--db", str(demo_db), "--now", NOW)
    rows = json.loads(home.run(*base, "contacts", "--json").out)["contacts"]
    person = next(r for r in rows if r["next_meeting"])
    doc = json.loads(home.run(*base, "contact", person["address"], "--json").out)
    for key in ("as_of", "first_contact", "last_contact", "last_two_way", "next_meeting"):
        assert UTC_Z.match(doc[key]), key
    for zone in ("America/New_York", "Asia/Tokyo"):
        shown = home.run(*base, "contact", person["address"], env={"TZ": zone}).out

        def local(iso: str, form: str, zone: str = zone) -> str:
            moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
            return moment.strftime(form)

        assert f"Last contact of any kind: {local(doc['last_contact'], '%d %b %Y, %H:%M')}" in shown
        assert f"Next meeting: {local(doc['next_meeting'], '%d %b %Y, %H:%M')}" in shown
        assert f"Last two-way contact: {local(doc['last_two_way'], '%d %b %Y')}" in shown
        assert "T" not in re.sub(r"[A-Za-z]{2,}", "", shown.split("\n\n")[1])  # no ISO stamps


def test_last_says_which_last(home: Home, demo_db: Path) -> None:
    base = ("--db", str(demo_db), "--now", NOW)
    rows = json.loads(home.run(*base, "contacts", "--json").out)["contacts"]
    table = home.run(*base, "contacts", env={"COLUMNS": "220"}).out
    assert "Last two-way" in table.splitlines()[1]
    for row in rows[:40]:
        line = next(line for line in table.splitlines() if f" {row['address']} " in line)
        days = row["days_since_two_way"]
        said = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
        assert said in line
        first = row["reasons"][0]
        if "since last two-way contact" in first:  # the column and the reason agree
            assert first.startswith(f"{days} day")


def test_follow_up_reasons_read_dates_as_people_do(home: Home, demo_db: Path) -> None:
    base = ("--db", str(demo_db), "--now", NOW)
    items = json.loads(home.run(*base, "followups", "--json").out)["followups"]
    assert "unreciprocated" in {i["kind"] for i in items}  # the one reason that names a day
    shown = home.run(*base, "followups", "--limit", "0").out
    assert re.findall(r"\d{4}-\d\d-\d\d", shown) == []  # "since 20 Apr 2026", not "2026-04-20"
