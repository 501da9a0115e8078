"""Histories: the documented counts, replies and latencies, rhythm, trend, open loops."""

from __future__ import annotations

from outlook_networking.model import Flag

from .analysis import run
from .builders import ME, ago, mail, meeting, reply_to

ANN = "ann@acme.com"


def test_counts_follow_the_documented_definitions() -> None:
    items = [
        mail(ME, ANN, ago(days=10)),
        mail(ME, "bob@b.example", ago(days=9), cc=[ANN]),
        mail(ANN, ME, ago(days=8)),
        mail(ANN, "bob@b.example", ago(days=8), cc=[ME]),  # owner in Cc: received
        # Through a list: only what names the owner counts; bulk mail never does.
        mail(ANN, "l@x", ago(days=7), flags=frozenset({Flag.LIST}), list_id="<l.x>"),
        mail(ANN, ["l@x", ME], ago(days=7), flags=frozenset({Flag.LIST}), list_id="<l.x>"),
        mail(ANN, ME, ago(days=7), flags=frozenset({Flag.BULK})),
        mail(ME, "l@x", ago(days=7), cc=[ANN], flags=frozenset({Flag.LIST}), list_id="<l.x>"),
        meeting(ANN, [ME, "bob@b.example"], ago(days=6)),
        meeting(ME, [ANN], ago(days=5), cancelled=True),
        meeting(ANN, ["bob@b.example"], ago(days=4)),  # the owner is not in it
        mail(ANN, ME, ago(days=-1)),  # after now: ignored
    ]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert (history.sent, history.received, history.meetings) == (3, 3, 1)
    assert history.first_contact == ago(days=10)
    assert history.last_contact == ago(days=6)
    assert history.monthly["2026-11"].sent == 3


def test_replies_and_latency_each_way() -> None:
    items = []
    for day, (mine, theirs) in enumerate([(1, 3), (2, 5), (4, 7)]):
        asked = mail(ME, ANN, ago(days=30 - 5 * day))
        answered = reply_to(asked, asked.at + (ago(hours=0) - ago(hours=theirs)))
        items += [asked, answered]
        question = mail(ANN, ME, ago(days=28 - 5 * day), subject=f"Q{day}")
        items += [question, reply_to(question, question.at + (ago() - ago(hours=mine)))]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.replies_sent == 3 and history.replies_received == 3
    assert history.my_latency_median_s == 2 * 3600
    assert history.their_latency_median_s == 5 * 3600
    assert history.their_latency_p90_s == 7 * 3600
    assert history.started_by_me == 3 and history.started_by_them == 3
    assert history.reciprocity == 1.0


def test_unanswered_run_counts_approaches_since_their_last_message() -> None:
    items = [
        mail(ANN, ME, ago(days=50)),
        mail(ME, ANN, ago(days=40)),
        mail(ME, [ANN] + [f"p{i}@x.example" for i in range(12)], ago(days=35)),  # a broadcast
        mail(ME, "bob@b.example", ago(days=30), cc=[ANN]),  # Cc is no approach
        mail(ME, ANN, ago(days=20)),
    ]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.unanswered_run == 2
    assert history.unanswered_first is items[1]
    assert history.last_unanswered is items[4]


def test_usual_gap_counts_episodes_and_trend_compares_rates() -> None:
    items = []
    for week in range(40):  # weekly exchange answered the next day, for 40 weeks
        asked = mail(ME, ANN, ago(days=7 * week + 1))
        items += [asked, reply_to(asked, ago(days=7 * week))]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.usual_gap_days == 7
    assert history.trend == "steady"
    assert history.last_two_way == ago(days=0)

    fading = [m for m in items if m.at < ago(days=120)]
    assert run(fading).find(ANN).history.trend == "falling"  # type: ignore[union-attr]
    assert run(items[:4]).find(ANN).history.trend == "new"  # type: ignore[union-attr]


def test_one_way_mail_is_not_two_way() -> None:
    items = [mail(ME, ANN, ago(days=d)) for d in (90, 60, 30)]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.last_two_way is None
    assert not any(t.two_way for t in history.touches)
    # An answer 20 days later (no headers) still makes that exchange two-way via pairing.
    answer = reply_to(items[2], ago(days=10))
    history = run([*items, answer]).find(ANN).history  # type: ignore[union-attr]
    assert history.last_two_way == ago(days=10)
    assert [t.two_way for t in history.touches] == [False, False, True, True]
