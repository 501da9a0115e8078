"""Each follow-up kind appears when its condition holds and resolves itself when it goes away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outlook_networking.core.followups import FollowUp
from outlook_networking.core.phrase import phrase
from outlook_networking.core.settings import Settings
from outlook_networking.i18n import Wording
from outlook_networking.model import Flag, Interaction

from .analysis import run
from .builders import ME, NOW, ago, mail, meeting, reply_to

ANN = "ann@acme.com"
EN = Wording("en")


def kinds(items: list[Interaction], **kwargs: object) -> dict[str, list[FollowUp]]:
    found: dict[str, list[FollowUp]] = {}
    for followup in run(items, **kwargs).followups:  # type: ignore[arg-type]
        found.setdefault(followup.kind, []).append(followup)
    found.pop("annual_review", None)  # due around now in every test; it has its own
    return found


def test_owed_reply_appears_after_48_hours_and_resolves_with_a_reply() -> None:
    question = mail(ANN, ME, ago(days=3), subject="Can you help?")
    fresh = mail("bob@b.example", ME, ago(hours=5), subject="Quick one")
    noise = [
        mail("news@shop.example", ME, ago(days=3), flags=frozenset({Flag.BULK})),
        mail("cy@c.example", "team@c.example", ago(days=3), cc=[ME]),  # owner only in Cc
        mail("di@d.example", [ME] + [f"x{i}@d.example" for i in range(12)], ago(days=3)),
    ]
    (owed,) = kinds([question, fresh, *noise])["owed_reply"]
    assert owed.key == f"owed:test:{question.item_id}" and owed.contact == ANN
    assert owed.due == question.at + timedelta(hours=48)
    assert owed.reason == phrase(
        "owed_reply",
        name="Ann",
        subject="Can you help?",
        ago=timedelta(days=3),
        target=timedelta(hours=48),
    )
    assert owed.subject == phrase("task_owed_reply", name="Ann", subject="Can you help?")
    # Still owed (same key) a day later.
    later = run([question, fresh], now=NOW + timedelta(days=1)).followups
    assert owed.key in {f.key for f in later}
    # Answered: by a reply, or by any later mail to her.
    assert "owed_reply" not in kinds([question, reply_to(question, ago(days=1))])
    assert "owed_reply" not in kinds([question, mail(ME, ANN, ago(days=2), subject="Other")])


def test_a_contacts_cc_only_fyi_is_owed_nothing() -> None:
    """Owed needs the owner in To: an FYI that copies the owner is no question to them, even from
    someone they correspond with (a stranger's Cc is excluded for other reasons already)."""
    asked = mail(ME, ANN, ago(days=30), subject="Budget")
    answered = reply_to(asked, ago(days=29))
    history = [asked, answered, reply_to(answered, ago(days=28), sender=ME)]
    fyi = mail(ANN, "team@acme.com", ago(days=3), subject="FYI: minutes", cc=[ME])
    direct = mail(ANN, ME, ago(days=3), subject="FYI: minutes")
    assert run([*history, fyi]).find(ANN) is not None  # she is a contact
    assert "owed_reply" not in kinds([*history, fyi])
    (owed,) = kinds([*history, direct])["owed_reply"]
    assert owed.contact == ANN


def test_an_owed_reply_says_how_long_ago_in_hours_then_days() -> None:
    soon = Settings(reply_within_h=24)

    def reason(hours: float) -> str:
        question = mail(ANN, ME, ago(hours=hours), subject="Can you help?")
        (owed,) = kinds([question], settings=soon)["owed_reply"]
        return EN.phrase(owed.reason)

    assert "wrote “Can you help?” 30 hours ago" in reason(30)
    assert "2 days ago" in reason(48)  # from two days on, in days
    assert "3 days ago" in reason(80)
    # Owed from the moment the target has passed: exactly 48 h by default.
    assert "owed_reply" in kinds([mail(ANN, ME, ago(hours=48))])


def rhythm(weeks: int, silent_days: float) -> list[Interaction]:
    """A weekly exchange with Ann for ``weeks`` weeks, ending ``silent_days`` before now."""
    items: list[Interaction] = []
    for week in range(weeks):
        at = ago(days=silent_days + 7 * week + 1)
        asked = mail(ME, ANN, at, subject=f"week {week}")
        items += [asked, reply_to(asked, at + timedelta(hours=3))]
    return items


def test_keep_in_touch_is_due_the_moment_the_cadence_has_passed() -> None:
    # Ann is A (the only contact): cadence 30 days. Her last answer came 3 h after the mail.
    exactly = rhythm(10, 29 + 3 / 24)
    assert max(i.at for i in exactly) == NOW - timedelta(days=30)
    (touch,) = kinds(exactly)["keep_in_touch"]
    assert touch.due == NOW
    assert "keep_in_touch" not in kinds(rhythm(10, 29 + 2 / 24))  # an hour short of it

def test_keep_in_touch_after_the_tier_cadence_and_reset_by_two_way_contact() -> None:
    items = rhythm(10, 40)  # Ann is A (the only contact): cadence 30 days
    (touch,) = kinds(items)["keep_in_touch"]
    last = max(i.at for i in items)
    assert touch.key == f"touch:{ANN}:{last.date().isoformat()}"
    assert touch.due == last + timedelta(days=30)
    assert touch.reason == phrase("keep_in_touch", tier="A", days=40, cadence=30)
    assert "keep_in_touch" not in kinds(rhythm(10, 20))
    met = [*items, meeting(ANN, [ME], ago(days=2))]
    assert "keep_in_touch" not in kinds(met)
    # A meeting already planned makes the reminder moot.
    planned = [*items, meeting(ME, [ANN], ago(days=-10))]
    assert "keep_in_touch" not in kinds(planned)
    view = run(planned).find(ANN)
    assert view is not None and view.next_meeting == ago(days=-10)
    assert view.history.meetings == 0  # it has not happened yet


def test_cooling_against_the_contacts_own_rhythm() -> None:
    items = rhythm(30, 45)
    (cooling,) = kinds(items)["cooling"]
    assert cooling.key.startswith(f"cooling:{ANN}:")
    assert cooling.reason.code == "cooling" and cooling.reason["usual"] == 7
    assert "cooling" not in kinds(rhythm(30, 20))  # 20 days: below the 30-day minimum
    revived = [*items, mail(ANN, ME, ago(days=1)), mail(ME, ANN, ago(days=0.5))]
    assert "cooling" not in kinds(revived)
    # A short burst is no rhythm: no cooling however long the silence. Six weekly exchanges
    # (five gaps) are the fewest that make one.
    assert "cooling" not in kinds(rhythm(4, 100))
    assert "cooling" not in kinds(rhythm(5, 100))
    assert "cooling" in kinds(rhythm(6, 100))


def test_cooling_is_due_past_the_threshold_and_waits_out_the_long_gaps() -> None:
    items = rhythm(30, 45)
    view = run(items).find(ANN)
    assert view is not None and view.history.last_two_way is not None
    last = view.history.last_two_way
    # Weekly: 3 x 7 days, p90 7 days, at least 30 days: the threshold is 30 days, strictly past.
    (cooling,) = kinds(items)["cooling"]
    assert cooling.due == last + timedelta(days=30)
    assert "cooling" not in kinds(items, now=last + timedelta(days=30))
    assert "cooling" in kinds(items, now=last + timedelta(days=30, minutes=1))
    # Someone who has gone quiet for two months twice before is not cooling after 45 days.
    offsets, at = [], 45.0
    for gap in (7, 7, 60, 7, 7, 60, 7, 7, 7, 7):
        offsets.append(at)
        at += gap
    offsets.append(at)
    patchy: list[Interaction] = []
    for days in offsets:
        asked = mail(ME, ANN, ago(days=days), subject=f"at {days}")
        patchy += [asked, reply_to(asked, ago(days=days) + timedelta(hours=3))]
    assert "cooling" not in kinds(patchy)


def test_cooling_scales_with_the_usual_gap_and_stops_after_the_active_year() -> None:
    fortnightly: list[Interaction] = []
    for n in range(10):
        asked = mail(ME, ANN, ago(days=36 + 14 * n), subject=f"fortnight {n}")
        fortnightly += [asked, reply_to(asked, ago(days=36 + 14 * n) + timedelta(hours=3))]
    # Usual gap 14 days: cooling needs 3 x 14 = 42 days of silence, not the 30-day minimum.
    assert "cooling" not in kinds(fortnightly)
    assert "cooling" in kinds(fortnightly, now=NOW + timedelta(days=8))
    items = rhythm(30, 45)
    view = run(items).find(ANN)
    assert view is not None and view.history.last_two_way is not None
    year = view.history.last_two_way + timedelta(days=365)
    assert "cooling" in kinds(items, now=year)  # the last day of the active year
    assert "cooling" not in kinds(items, now=year + timedelta(minutes=1))


def test_awaiting_answer_after_their_own_p90_latency() -> None:
    items = rhythm(6, 10)  # Ann answers within 3 hours
    ask = mail(ME, ANN, ago(days=2), subject="Budget?")
    (waiting,) = kinds([*items, ask])["awaiting_answer"]
    assert waiting.key == f"await:test:{ask.item_id}"
    assert waiting.due == ask.at + timedelta(days=1)  # 3 h, but at least a day
    assert waiting.reason == phrase(
        "awaiting_answer", subject="Budget?", ago=timedelta(days=2), name="Ann",
        wait=timedelta(days=1),
    )
    assert "awaiting_answer" in kinds([*items, ask], now=waiting.due)  # due from that moment
    # Two known replies are not yet a rhythm: the default week applies.
    two = [*rhythm(2, 10), mail(ME, ANN, ago(days=2))]
    assert "awaiting_answer" not in kinds(two)
    (weekly,) = kinds([*rhythm(2, 10), mail(ME, ANN, ago(days=8))])["awaiting_answer"]
    assert EN.phrase(weekly.reason).endswith("no reply rhythm known for Ann; waited 7 days")
    # Three known replies are a rhythm; a wait of two days or more reads in days.
    assert "awaiting_answer" in kinds([*rhythm(3, 10), mail(ME, ANN, ago(days=2))])
    month = Settings(awaiting_default_days=30)
    (patient,) = kinds([mail(ME, ANN, ago(days=31))], settings=month)["awaiting_answer"]
    assert patient.reason["wait"] == timedelta(days=30)
    assert EN.phrase(patient.reason).endswith("waited 30 days")
    (two_days,) = kinds([mail(ME, ANN, ago(days=3))], settings=Settings(awaiting_default_days=2))[
        "awaiting_answer"
    ]
    assert EN.phrase(two_days.reason).endswith("waited 2 days")
    # On the 60th day it is still a nudge; after that, history.
    assert "awaiting_answer" in kinds([mail(ME, ANN, ago(days=60))])
    assert "awaiting_answer" not in kinds([*items, mail(ME, ANN, ago(hours=20))])
    assert "awaiting_answer" not in kinds([*items, ask, reply_to(ask, ago(days=1))])
    # Without a known rhythm the default is a week.
    (unknown,) = kinds([mail(ME, ANN, ago(days=8))])["awaiting_answer"]
    assert unknown.due == ago(days=1)
    # After two months it is history.
    assert "awaiting_answer" not in kinds([mail(ME, ANN, ago(days=61))])


def test_unreciprocated_after_three_approaches_and_30_days() -> None:
    approaches = [mail(ME, ANN, ago(days=d), subject=f"Idea {d}") for d in (90, 60, 40)]
    found = kinds(approaches)
    (unrec,) = found["unreciprocated"]
    assert unrec.key == f"unreciprocated:{ANN}:test:{approaches[0].item_id}"
    assert unrec.due == approaches[2].at  # the third approach, 60 days after the first
    assert "unreciprocated" in kinds(approaches, now=unrec.due)  # due from that moment
    assert unrec.reason == phrase(
        "unreciprocated", name="Ann", count=3, since=approaches[0].at.date()
    )
    assert "awaiting_answer" not in found  # replaced, not doubled
    assert "unreciprocated" not in kinds(approaches[:2])
    recent = [mail(ME, ANN, ago(days=d)) for d in (20, 10, 5)]
    assert "unreciprocated" not in kinds(recent)  # no 30 days yet
    answered = [*approaches, mail(ANN, ME, ago(days=10))]
    assert "unreciprocated" not in kinds(answered)


def test_annual_review_in_early_december_until_this_years_review_exists() -> None:
    december = datetime(2026, 12, 3, 12, tzinfo=UTC)
    items = rhythm(3, 2)
    reviews = [f for f in run(items, now=december).followups if f.kind == "annual_review"]
    assert [(f.key, f.due) for f in reviews] == [
        ("review:2026", datetime(2026, 12, 1, 9, tzinfo=UTC))
    ]
    # From a week before the review day, not a minute earlier.
    week_before = datetime(2026, 11, 24, 9, tzinfo=UTC)
    for now, shown in ((week_before, True), (week_before - timedelta(minutes=1), False)):
        listed = [f for f in run(items, now=now).followups if f.kind == "annual_review"]
        assert bool(listed) is shown, now
    # Every follow-up most pressing first (issue 17), within a kind the longest due first: a
    # reply owed since 2 Dec before the review (due 1 Dec).
    question = mail(ANN, ME, december - timedelta(days=3), subject="Can you help?")
    found = run([*items, question], now=december).followups
    pressing = ["owed_reply", "awaiting_answer", "thank_or_return", "unreciprocated",
                "annual_review", "cooling", "keep_in_touch"]  # fmt: skip
    order = [(pressing.index(f.kind), f.due) for f in found]
    assert order == sorted(order)
    keys = [f.key for f in found]
    assert keys.index(f"owed:test:{question.item_id}") < keys.index("review:2026")
    assert not [
        f
        for f in run(items, now=december, last_review={"year": 2026}).followups
        if f.kind == "annual_review"
    ]
    assert not [
        f
        for f in run(items, now=datetime(2026, 10, 1, tzinfo=UTC)).followups
        if f.kind == "annual_review"
    ]
    assert [
        f.key
        for f in run(items, now=december, last_review={"year": 2025}).followups
        if f.kind == "annual_review"
    ] == ["review:2026"]
