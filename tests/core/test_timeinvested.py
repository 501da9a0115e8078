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
