"""Tiers: shares of the active network, D for one-way or silent, pins, reasons and next steps."""

from __future__ import annotations

import re

from outlook_networking.core.settings import Settings
from outlook_networking.core.tiers import explain

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
    assert net.find("cold@x.example").tier.reasons[0] == "only one-way traffic"  # type: ignore[union-attr]
    assert net.find("old@x.example").tier.reasons[0] == (  # type: ignore[union-attr]
        "no two-way contact in the last 365 days"
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
    assert low.tier.reasons[0] == "pinned to A in the configuration"
    assert low.tier.next_step == ""


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
    line = explain(view.tier)
    assert re.match(
        r"^A: 94 days since last two-way contact, you started 80 % of threads, "
        r"reciprocity 0\.5 \(4 sent, 2 received\), 1 meeting, role: mentor, score \d+, "
        r"rank 1 of 1$",
        line,
    ), line


def test_next_step_names_the_smallest_move_up() -> None:
    items = network_of(20)
    net = run(items)
    b_last = net.tier("B")[-1]
    c_top = net.tier("C")[0]
    assert "would move them to B" in c_top.next_step
    assert "would move them to A" in b_last.next_step
    assert net.tier("A")[0].next_step == ""
    cold = run([*items, mail(ME, "cold@x.example", ago(days=3))]).find("cold@x.example")
    assert cold is not None and cold.next_step == "one two-way exchange would move them to C"
    # A close call: one exchange is enough.
    top_c = c_top.score
    assert top_c <= b_last.score
    weakest = net.tier("C")[-1]
    assert re.match(
        r"^\d+ two-way exchanges \(or \d+ meetings\) would move them to B$", weakest.next_step
    ), weakest.next_step
