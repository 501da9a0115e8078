"""Hostile calendars: recurrence bombs, a decompression bomb, absurd nesting, a huge file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from outlook_networking.store import Store

from .confined import run
from .conftest import CALENDAR_HEAD, CALENDAR_TAIL, ME, bomb, calendar, event


def test_recurrence_bombs_are_counted_not_expanded(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 4: FREQ=MINUTELY without end grew to 3 GB; FREQ=SECONDLY never ended.
    path = tmp_path / "bomb.ics"
    path.write_text(
        calendar(
            event("minutely", "20240101T100000Z", "RRULE:FREQ=MINUTELY\r\n"),
            event("secondly", "20240101T100000Z", "RRULE:FREQ=SECONDLY\r\n"),
            event("daily", "20250301T100000Z", "RRULE:FREQ=DAILY;COUNT=5\r\n"),
        )
    )
    done = run("--debug", "ingest", str(path), "--me", ME, workdir=workdir, cpu_s=30)
    assert done.code == 0 and done.within_limits(), done.stderr
    assert "Read 5 items" in done.stderr  # the honest series is read
    assert "2 part(s) could not be read" in done.stderr
    assert "VEVENT 'Meeting minutely': recurs too often to expand" in done.stderr
    assert "VEVENT 'Meeting secondly': recurs too often to expand" in done.stderr


def test_a_series_with_too_many_occurrences_is_capped(tmp_path: Path, workdir: Path) -> None:
    # Hourly for four weeks in the window: 648 occurrences, cheap to make, over a cap of 500.
    path = tmp_path / "hourly.ics"
    rule = "RRULE:FREQ=HOURLY;UNTIL=20231231T235959Z\r\n"
    path.write_text(calendar(event("hourly", "20231205T000000Z", rule)))
    config = "[files]\nmax_occurrences = 500\n"
    done = run("--debug", "ingest", str(path), "--me", ME, workdir=workdir, cpu_s=30, config=config)
    assert done.code == 0 and done.within_limits(), done.stderr
    assert "more than 500 occurrences in the window; the first 500 are read" in done.stderr
    with Store.open(workdir / "network.sqlite3") as store:
        starts = sorted(i.at for i in store.interactions())
    first = datetime(2023, 12, 5, tzinfo=UTC)
    assert starts == [first + timedelta(hours=h) for h in range(500)]


def test_a_calendar_decompression_bomb_is_one_line(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 5: bomb.ics.gz (1 MB -> 1 GB) ran for minutes. 1 GB of content here too.
    path = tmp_path / "bomb.ics.gz"
    line = b"X-FILL:" + b"A" * 1000 + b"\r\n"
    size = bomb(path, CALENDAR_HEAD.encode(), line * 1000, 1000, CALENDAR_TAIL.encode())
    assert size > 1_000_000_000 and path.stat().st_size < 10_000_000
    config = "[files]\nmax_calendar_mb = 20\n"
    done = run("ingest", str(path), "--me", ME, workdir=workdir, cpu_s=30, config=config)
    assert done.code == 1 and done.within_limits(), done.stderr
    assert done.error == (
        f"cannot read {path}: larger than 20 MB once decompressed; "
        "the limit is files.max_calendar_mb"
    )


def test_absurd_nesting_is_a_problem(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 7: 400 nested VEVENTs took 16.8 s, 2,000 never finished.
    opening = "BEGIN:VEVENT\r\nUID:n{}\r\nDTSTART:20250101T100000Z\r\n"
    nested = "".join(opening.format(i) for i in range(2000))
    path = tmp_path / "nested.ics"
    path.write_text(calendar(nested + "END:VEVENT\r\n" * 2000, event("fine")))
    done = run("--debug", "ingest", str(path), "--me", ME, workdir=workdir, cpu_s=20)
    assert done.code == 0 and done.within_limits(), done.stderr
    assert "Read 1 items" in done.stderr
    assert "nested.ics VEVENT n0: holds another VEVENT (not iCalendar); skipped" in done.stderr


def test_a_big_calendar_is_read_in_bounded_memory(tmp_path: Path, workdir: Path) -> None:
    # Issue 12 item 7: a 28 MB .ics with 100,000 events took 720 MB, the whole tree at once.
    # 20,000 events (6 MB): the old reader peaked at 162 MB, the streaming one under 40 MB.
    path = tmp_path / "big.ics"
    with path.open("w", encoding="utf-8") as out:
        out.write(CALENDAR_HEAD)
        for n in range(20_000):
            out.write(event(f"e{n}", f"202503{1 + n % 28:02d}T{8 + n % 10:02d}0000Z"))
        out.write(CALENDAR_TAIL)
    done = run("ingest", str(path), "--me", ME, workdir=workdir, memory_mb=128, cpu_s=60)
    assert done.code == 0 and done.within_limits(), done.stderr
    assert "Read 20,000 items" in done.stderr
