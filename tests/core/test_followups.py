"""Each follow-up kind appears when its condition holds and resolves itself when it goes away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outlook_networking.core.followups import FollowUp
from outlook_networking.core.phrase import phrase
from outlook_networking.model import Flag, Interaction

from .analysis import run
from .builders import ME, NOW, ago, mail, meeting, reply_to

ANN = "ann@acme.com"


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


def rhythm(weeks: int, silent_days: float) -> list[Interaction]:
    """A weekly exchange with Ann for ``weeks`` weeks, ending ``silent_days`` before now."""
    items: list[Interaction] = []
    for week in range(weeks):
        at = ago(days=silent_days + 7 * week + 1)
        asked = mail(ME, ANN, at, subject=f"week {week}")
        items += [asked, reply_to(asked, at + timedelta(hours=3))]
    return items


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
    # A short burst is no rhythm: no cooling however long the silence.
    assert "cooling" not in kinds(rhythm(4, 100))


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
    keys = [f.key for f in run(items, now=december).followups if f.kind == "annual_review"]
    assert keys == ["review:2026"]
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
