"""Time invested per week: meeting durations and estimated mail time against the target."""

from __future__ import annotations

from datetime import date

from outlook_networking.core.settings import Settings
from outlook_networking.model import Flag

from .analysis import run
from .builders import ME, ago, mail, meeting


def test_hours_per_week_against_the_target() -> None:
    items = []
    for week in range(1, 5):  # the four complete weeks before this one
        items.append(meeting(ME, ["ann@acme.com"], ago(days=7 * week), duration_s=5400))
        items.append(meeting(ME, ["ann@acme.com"], ago(days=7 * week + 1), cancelled=True))
        items += [mail(ME, "ann@acme.com", ago(days=7 * week)) for _ in range(6)]
        items += [mail("ann@acme.com", ME, ago(days=7 * week)) for _ in range(10)]
        items.append(mail("news@x.example", ME, ago(days=7 * week), flags=frozenset({Flag.BULK})))
    settings = Settings(
        weekly_target_hours=2.0, minutes_per_mail_written=5, minutes_per_mail_read=3
    )
    time = run(items, settings=settings).time
    assert len(time.weeks) == 12
    assert time.weeks[-1].week == date(2026, 11, 23)  # this week's Monday
    previous = time.weeks[-2]
    assert previous.meeting_hours == 1.5
    assert previous.mail_hours == 1.0  # 6 × 5 min + 10 × 3 min
    assert time.average_hours == 2.5
    assert time.meets_target


def test_a_tally_of_the_weeks_shown_equals_one_of_all_time() -> None:
    """The analysis tallies only from the first week it shows: what it leaves out (older mail
    and meetings, to the second before that Monday) changes nothing it shows."""
    from datetime import UTC, datetime, timedelta

    from outlook_networking.core.network import analyse
    from outlook_networking.core.timeinvested import TimeTally

    from .builders import NOW

    items = []
    for days in (0, 3, 40, 76, 77, 78, 84, 90, 400, 3000):
        items.append(meeting(ME, ["ann@acme.com"], ago(days=days), duration_s=3600 + days))
        items.append(mail(ME, "ann@acme.com", ago(days=days)))
        items.append(mail("ann@acme.com", ME, ago(days=days, hours=1)))
    tally = TimeTally.shown_as_of(NOW)
    assert tally.since == datetime(2026, 9, 7, tzinfo=UTC)  # 11 weeks before this Monday
    edge = tally.since
    for at in (edge, edge - timedelta(seconds=1)):
        items.append(mail(ME, "bob@acme.com", at))
        items.append(meeting(ME, ["bob@acme.com"], at, duration_s=1800))
    network = analyse(items, [], owner=frozenset({ME}), settings=Settings(), now=NOW)
    everything = TimeTally()
    for item in sorted(items, key=lambda i: i.at):
        everything.add(item, network.identities.person_of, network.owner)
        tally.add(item, network.identities.person_of, network.owner)
    assert network.time == everything.result(Settings(), NOW) == tally.result(Settings(), NOW)
    assert network.time.weeks[0].week == edge.date() and network.time.weeks[0].hours > 0
    assert len(everything.written) > len(tally.written)  # (what it left out, it did not need)
