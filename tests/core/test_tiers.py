"""Tiers: shares of the active network, D for one-way or silent, pins, reasons and next steps."""

from __future__ import annotations

from outlook_networking.core.phrase import phrase
from outlook_networking.core.settings import Settings

from .analysis import run
from .builders import ME, ago, mail, meeting, reply_to


def network_of(people: int):  # type: ignore[no-untyped-def]
    """Person i gets i + 1 weekly exchanges: strength rises with i."""
    items = []
    for i in range(people):
        who = f"p{i:02d}@org{i % 4}.example"
        for week in range(i + 1):
            asked = mail(ME, who, ago(days=7 * week + 2))
            items += [asked, reply_to(asked, ago(days=7 * week + 1))]
    return items


def test_tier_sizes_follow_the_shares_and_the_cap() -> None:
    items = network_of(40)
    items += [mail(ME, "cold@x.example", ago(days=3))]  # one-way: D
    old = mail(ME, "old@x.example", ago(days=500))
    items += [old, reply_to(old, ago(days=499))]  # two-way, but not this year: D
    net = run(items)
    tiers = [c.tier.tier for c in net.contacts]
    assert tiers.count("A") == 2  # ceil(5 % of 40)
    assert tiers.count("B") == 6  # ceil(15 % of 40)
    assert tiers.count("C") == 32
    assert net.find("p39@org3.example").tier.tier == "A"  # type: ignore[union-attr]
    assert net.find("cold@x.example").tier.reasons[0] == phrase("one_way_only")  # type: ignore[union-attr]
    assert net.find("old@x.example").tier.reasons[0] == (  # type: ignore[union-attr]
        phrase("no_two_way_within", days=365)
    )
    capped = run(items, settings=Settings(a_share=0.5, a_max=3))
    assert [c.tier.tier for c in capped.contacts].count("A") == 3


def test_pinned_tier_wins_and_says_so() -> None:
    items = network_of(10)
    net = run(items, settings=Settings(pinned={"p00@org0.example": "A", "p09@org1.example": "C"}))
    low = net.find("p00@org0.example")
    high = net.find("p09@org1.example")
    assert low is not None and high is not None
    assert (low.tier.tier, low.tier.pinned, high.tier.tier) == ("A", True, "C")
    assert low.tier.reasons[0] == phrase("pinned", tier="A")
    assert low.tier.next_step is None


def test_reasons_are_in_numbers() -> None:
    asked = mail(ME, "ann@acme.com", ago(days=100))
    items = [
        asked,
        reply_to(asked, ago(days=94)),
        mail(ME, "ann@acme.com", ago(days=150), subject="Other"),
        mail(ME, "ann@acme.com", ago(days=160), subject="Third"),
        mail(ME, "ann@acme.com", ago(days=170), subject="Fourth"),
        mail("ann@acme.com", ME, ago(days=180), subject="Theirs"),
        meeting(ME, ["ann@acme.com"], ago(days=200)),
    ]
    view = run(items, settings=Settings(roles={"ann@acme.com": "mentor"})).find("ann@acme.com")
    assert view is not None
    assert view.tier.tier == "A"
    score = round(view.score)
    assert view.tier.reasons == (
        phrase("days_since_two_way", days=94),
        phrase("started_share", percent=80),
        phrase("reciprocity", value=0.5, sent=4, received=2),
        phrase("meetings", count=1),
        phrase("role", role="mentor"),
        phrase("score_rank", score=score, rank=1, of=1),
    )


def test_next_step_names_the_smallest_move_up() -> None:
    items = network_of(20)
    net = run(items)
    b_last = net.tier("B")[-1]
    c_top = net.tier("C")[0]
    assert c_top.next_step is not None and c_top.next_step["tier"] == "B"
    assert b_last.next_step is not None and b_last.next_step["tier"] == "A"
    assert net.tier("A")[0].next_step is None
    cold = run([*items, mail(ME, "cold@x.example", ago(days=3))]).find("cold@x.example")
    assert cold is not None and cold.next_step == phrase("step_one_exchange", tier="C")
    # A close call: one exchange is enough.
    top_c = c_top.score
    assert top_c <= b_last.score
    weakest = net.tier("C")[-1].next_step
    assert weakest is not None and weakest.code == "step_exchanges_or_meetings", weakest
    assert weakest["tier"] == "B" and weakest["exchanges"] >= weakest["meetings"] >= 1  # type: ignore[operator]
