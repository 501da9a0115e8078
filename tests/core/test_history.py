"""Histories: the documented counts, replies and latencies, rhythm, trend, open loops."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from outlook_networking.core.history import MonthCounts, percentile
from outlook_networking.model import Flag, Interaction, Mailbox

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
    assert history.monthly == {"2026-11": MonthCounts(sent=3, received=3, meetings=1)}


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


def test_trend_compares_the_last_90_days_with_the_270_before() -> None:
    def windows(*days_ago: float) -> tuple[int, int]:
        items = [mail(ME, ANN, ago(days=d)) for d in (10, 20, 30, *days_ago)]
        history = run(items).find(ANN).history  # type: ignore[union-attr]
        return history.recent_interactions - 3, history.prior_interactions

    assert windows(89.9, 90.1) == (1, 1)  # either side of 90 days
    assert windows(359.9, 360.1) == (0, 1)  # 90 + 270 days back the window ends


def test_two_way_days_at_most_two_days_apart_are_one_episode() -> None:
    def exchange(days_ago: int) -> list[Interaction]:
        asked = mail(ME, ANN, ago(days=days_ago, hours=2))
        return [asked, reply_to(asked, ago(days=days_ago, hours=1))]

    # Days 40 and 38 are one exchange; 28 and 25 (three days apart) are two.
    items = [m for day in (40, 38, 28, 25) for m in exchange(day)]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.gap_samples == 2  # three episodes


@given(
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=60).map(sorted),
    st.integers(min_value=1, max_value=1000),
)
@example(list(range(7)), 143)  # 14.3 % of 7 is 1.001: the 2nd value, not the 1st
def test_percentile_is_the_nearest_rank(values: list[int], thousandths: int) -> None:
    # Nearest rank: the smallest value with at least that share of the values at or below it,
    # i.e. the ceil(p * n)-th (at least the first), computed exactly.
    rank = max(1, math.ceil(Fraction(thousandths, 1000) * len(values)))
    assert percentile(values, thousandths / 1000) == values[rank - 1]


def test_latency_median_and_the_share_of_threads_started() -> None:
    items = [mail(ME, ANN, ago(days=90))]  # one thread the owner started
    for n, hours in enumerate((1, 2, 3, 4, 9)):  # Ann starts five, each answered
        question = mail(ANN, ME, ago(days=80 - 10 * n), subject=f"Q{n}")
        items += [question, reply_to(question, question.at + (ago() - ago(hours=hours)))]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.my_latency_median_s == 3 * 3600  # the middle of five
    assert (history.started_by_me, history.started_by_them) == (1, 5)
    assert history.started_share == 1 / 6


def test_an_even_number_of_latencies_has_the_mean_of_the_middle_two_as_median() -> None:
    items = []
    for n, hours in enumerate((1, 2, 4, 9)):
        asked = mail(ME, ANN, ago(days=80 - 10 * n), subject=f"Q{n}")
        items += [asked, reply_to(asked, asked.at + (ago() - ago(hours=hours)))]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.their_latency_median_s == 3 * 3600  # (2 h + 4 h) / 2


def test_mail_each_way_within_the_window_is_two_way_without_pairing() -> None:
    # Default two_way_window_days: 14. Different subjects, no headers: nothing pairs them.
    items = [
        mail(ME, ANN, ago(days=60), subject="Offer"),
        mail(ANN, ME, ago(days=50), subject="Our plans"),  # ten days later: two-way, both
        mail(ME, ANN, ago(days=30), subject="News"),  # twenty days on: one-way
    ]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.replies_sent == history.replies_received == 0
    assert [t.two_way for t in history.touches] == [True, True, False]


def test_a_meeting_ends_the_unanswered_run() -> None:
    approaches = [mail(ME, ANN, ago(days=d), subject=f"Ping {d}") for d in (30, 20)]
    history = run(approaches).find(ANN).history  # type: ignore[union-attr]
    assert history.unanswered_run == 2
    met = [*approaches, meeting(ME, [ANN], ago(days=10))]
    history = run(met).find(ANN).history  # type: ignore[union-attr]
    assert history.unanswered_run == 0 and history.last_unanswered is None


def test_an_approach_has_at_most_ten_recipients_bcc_included() -> None:
    # direct_max_recipients: 10 by default; more is an announcement, not a request.
    others = [f"p{i}@x.example" for i in range(8)]
    ten = mail(ME, [ANN, *others], ago(days=20), cc=["q@x.example"])
    eleven = replace(ten, bcc=(Mailbox("r@x.example"),))
    assert run([ten]).find(ANN).history.unanswered_run == 1  # type: ignore[union-attr]
    assert run([eleven]).find(ANN).history.unanswered_run == 0  # type: ignore[union-attr]


def test_mail_to_the_owner_and_others_is_received() -> None:
    items = [
        mail(ANN, [ME, "bob@b.example"], ago(days=9)),  # the owner one of two in To
        mail(ANN, "bob@b.example", ago(days=8), cc=["carl@c.example", ME]),  # one of two in Cc
    ]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.received == 2
    assert [m.at for m in history.owed] == [ago(days=9)]  # owed needs the owner in To


def test_owed_counts_direct_mail_of_up_to_ten_recipients_from_sixty_days_back() -> None:
    # direct_max_recipients 10 and owed_lookback_days 60 by default, both bounds included.
    nine = [f"p{i}@x.example" for i in range(9)]
    ten = mail(ANN, [ME, *nine[:8]], ago(days=60), cc=[nine[8]])
    eleven = replace(mail(ANN, [ME, *nine], ago(days=50)), bcc=(Mailbox("r@x.example"),))
    older = mail(ANN, ME, ago(days=60, hours=1))
    history = run([older, ten, eleven]).find(ANN).history  # type: ignore[union-attr]
    assert history.owed == (ten,)


BOB = "bob@b.example"


def _answer(
    parent: Interaction, sender: str, to: list[str], at: datetime, cc: list[str] | None = None
) -> Interaction:
    """A reply to ``parent`` (its headers name it) from ``sender`` to whoever ``to`` says."""
    subject, mid = "Re: " + parent.subject, parent.message_id
    return mail(sender, to, at, subject=subject, cc=cc, in_reply_to=mid, references=(mid,))


def test_the_owners_follow_up_to_their_own_mail_is_another_approach() -> None:
    # docs: an approach "does not answer someone else's message (... or the owner's own
    # follow-up)": chasing one's own unanswered mail is the run growing, not an answer.
    first = mail(ME, ANN, ago(days=40), subject="Plans")
    chase = _answer(first, ME, [ANN], ago(days=30))
    history = run([first, chase]).find(ANN).history  # type: ignore[union-attr]
    assert history.unanswered_run == 2
    assert history.unanswered_first is first and history.last_unanswered is chase


def test_answering_someone_elses_mail_is_no_approach_to_the_people_on_it() -> None:
    asked = mail(BOB, ME, ago(days=20), cc=[ANN], subject="Offer")
    answered = _answer(asked, ME, [BOB, ANN], ago(days=19))
    history = run([asked, answered]).find(ANN).history  # type: ignore[union-attr]
    assert history.sent == 1
    assert history.unanswered_run == 0 and history.last_unanswered is None


def test_a_reply_to_their_mail_sent_to_someone_else_still_answers_it() -> None:
    # owed: mail "the owner has neither answered nor followed with any mail to their sender";
    # the owner answering Ann's request by writing to Bob (say, the introduction she asked for)
    # has answered it.
    request = mail(ANN, ME, ago(days=5), subject="Intro to Bob?")
    assert run([request]).find(ANN).history.owed == (request,)  # type: ignore[union-attr]
    to_bob = _answer(request, ME, [BOB], ago(days=4))
    history = run([request, to_bob]).find(ANN).history  # type: ignore[union-attr]
    assert history.owed == ()


def test_the_owners_late_answer_makes_that_exchange_two_way_through_pairing() -> None:
    # The owner's side of test_one_way_mail_is_not_two_way: an answer 20 days later, beyond
    # the 14-day window, pairs with the mail it answers and both count as two-way.
    items = [mail(ANN, ME, ago(days=d), subject=f"Note {d}") for d in (90, 60, 30)]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert not any(t.two_way for t in history.touches)
    answer = reply_to(items[2], ago(days=10))
    history = run([*items, answer]).find(ANN).history  # type: ignore[union-attr]
    assert history.replies_sent == 1
    assert [t.two_way for t in history.touches] == [False, False, True, True]
    assert history.last_two_way == ago(days=10)


def test_their_reply_to_someone_else_is_no_reply_to_the_owner() -> None:
    # replies_received: "the person's messages that answer an owner message"; Ann answering
    # Bob with the owner in Cc answers Bob, and with nothing from the owner it is one-way.
    earlier = mail(ME, ANN, ago(days=100), subject="Hello")  # Ann a contact, long before
    asked = mail(BOB, ANN, ago(days=20), cc=[ME], subject="Offer")
    answered = _answer(asked, ANN, [BOB], ago(days=19), cc=[ME])
    history = run([earlier, asked, answered]).find(ANN).history  # type: ignore[union-attr]
    assert history.received == 1
    assert history.replies_received == 0 and history.their_latency_median_s is None
    assert [t.two_way for t in history.touches] == [False, False]


def test_owed_counts_cc_recipients_toward_the_ten() -> None:
    # direct_max_recipients counts everyone the mail went to, Cc as well as To.
    cc_ten = [f"p{i}@x.example" for i in range(10)]
    to_me_cc_ten = mail(ANN, ME, ago(days=3), cc=cc_ten)
    history = run([to_me_cc_ten]).find(ANN).history  # type: ignore[union-attr]
    assert history.received == 1 and history.owed == ()


def test_a_chain_of_two_way_days_each_within_two_days_is_one_episode() -> None:
    # "days with two-way contact no more than two days apart form one episode": a chain of
    # exchanges two days apart is one episode, however long, measured from its last day.
    def exchange(days_ago: int) -> list[Interaction]:
        asked = mail(ME, ANN, ago(days=days_ago, hours=2), subject=f"Day {days_ago}")
        return [asked, reply_to(asked, ago(days=days_ago, hours=1))]

    items = [m for day in (60, 40, 38, 36, 34, 20) for m in exchange(day)]
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.gap_samples == 2  # 60 → 34 (the chain's last day), 34 → 20
    assert history.usual_gap_days == 20  # the median of 26 and 14


def test_latencies_and_reciprocity_do_not_depend_on_the_order_mail_came_in() -> None:
    items = []
    for n, (theirs, mine) in enumerate([(9, 6), (1, 2), (5, 4)]):  # hours to answer
        asked = mail(ME, ANN, ago(days=30 - 5 * n), subject=f"Q{n}")
        question = mail(ANN, ME, ago(days=28 - 5 * n), subject=f"Their Q{n}")
        items += [asked, reply_to(asked, asked.at + timedelta(hours=theirs))]
        items += [question, reply_to(question, question.at + timedelta(hours=mine))]
    items += [mail(ME, ANN, ago(days=3, hours=h), subject=f"News {h}") for h in (1, 2, 3, 4)]
    items.sort(key=lambda m: m.at)
    history = run(items).find(ANN).history  # type: ignore[union-attr]
    assert history.their_latency_median_s == 5 * 3600
    assert history.their_latency_p90_s == 9 * 3600
    assert history.my_latency_median_s == 4 * 3600
    assert (history.sent, history.received) == (10, 6)
    assert history.reciprocity == 0.6  # min(sent, received) / max(sent, received)


def test_trend_bounds_are_inclusive_as_documented() -> None:
    # docs/scoring.md: `rising` (×1.5 or more), `falling` (×0.5 or less), per day of each window.
    def trend(recent: int, prior: int) -> str:
        items = [mail(ME, ANN, ago(days=10 + n)) for n in range(recent)]
        items += [mail(ME, ANN, ago(days=100 + 10 * n)) for n in range(prior)]
        items.sort(key=lambda m: m.at)
        return run(items).find(ANN).history.trend  # type: ignore[union-attr]

    assert trend(1, 2) == "rising"  # (1/90) / (2/270) = 1.5
    assert trend(1, 6) == "falling"  # (1/90) / (6/270) = 0.5
    assert trend(1, 3) == "steady"
