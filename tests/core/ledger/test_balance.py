"""The balance per contact, the one-sided relationships, dismissals and the thank-or-return
follow-up."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from outlook_networking.core.ledger import (
    THANK_OR_RETURN,
    ItemKind,
    LedgerSettings,
    Side,
    build_ledger,
)
from outlook_networking.core.phrase import phrase

from .mailbox import ME, NOW, OWNER, ago, ledger_of, mail

ANNA = "anna@alpha.example"
BEN = "ben@beta.example"
XAVER = "xaver@friend.example"
NINA = "nina@new.example"


def _mailbox() -> list:  # type: ignore[type-arg]
    """The owner gives to Anna three times, Ben gives to the owner twice, Xaver introduced."""
    return [
        mail(ME, ANNA, ago(100), subject="Fwd: Report"),
        mail(ME, ANNA, ago(50), subject="WG: Studie"),
        mail(ME, [ANNA, BEN], ago(40), subject="Intro: Anna <> Ben"),
        mail(BEN, ME, ago(30), subject="Fwd: Tender"),
        mail(BEN, ME, ago(20), subject="Fwd: Job offer"),
        mail(XAVER, ME, ago(300), subject="Hi"),
        mail(XAVER, [ME, NINA], ago(10), subject="Introduction: Nina"),
        # Outside the window: counts for nothing.
        mail(ANNA, ME, ago(400), subject="Fwd: Old news"),
    ]


def test_balance_counts_given_and_received_with_the_items_behind_them() -> None:
    ledger = ledger_of(*_mailbox())
    anna = ledger.balance(ANNA)
    assert (anna.given_count, anna.received_count, anna.net) == (3, 0, 3)
    assert anna.by_kind(Side.GIVEN) == {ItemKind.FORWARD_SENT: 2, ItemKind.INTRODUCTION_MADE: 1}
    assert [i.at for i in anna.given] == [ago(100), ago(50), ago(40)]
    ben = ledger.balance(BEN)
    assert (ben.given_count, ben.received_count) == (1, 2)
    assert ledger.balance("stranger@x.example").given_count == 0


def test_the_window_is_configurable() -> None:
    ledger = ledger_of(*_mailbox(), settings=LedgerSettings(window_days=500))
    assert ledger.balance(ANNA).received_count == 1
    short = ledger_of(*_mailbox(), settings=LedgerSettings(window_days=45))
    assert short.balance(ANNA).given_count == 1


def test_one_sided_relationships_both_ways() -> None:
    ledger = ledger_of(*_mailbox())
    assert [b.contact for b in ledger.invests_without_return] == [ANNA]
    # Ben gets an introduction back, so he is balanced; Xaver gave once, below the minimum.
    assert ledger.gives_without_return == ()
    ones = ledger_of(*_mailbox(), settings=LedgerSettings(one_sided_min_items=1))
    assert [b.contact for b in ones.gives_without_return] == [XAVER]
    assert [b.contact for b in ledger.top_givers(2)] == [BEN, XAVER]


def test_an_introduction_received_asks_for_thanks_until_the_owner_gives_back() -> None:
    ledger = ledger_of(*_mailbox())
    (followup,) = ledger.followups
    assert followup.kind == THANK_OR_RETURN and followup.contact == XAVER
    assert followup.key == f"thank_or_return:{XAVER}"
    assert followup.due == ago(10) + LedgerSettings().thank_due_days * (NOW - ago(1))
    assert followup.reason["introduced"] == (NINA,) and followup.reason["introductions"] == 1
    returned = ledger_of(*_mailbox(), mail(ME, XAVER, ago(2), subject="Fwd: For you"))
    assert returned.followups == ()


def test_repeated_help_asks_for_thanks_from_the_third_item() -> None:
    helps = [mail(BEN, ME, ago(d), subject=f"Fwd: Lead {d}") for d in (30, 20)]
    assert ledger_of(*helps).followups == ()
    third = mail(BEN, ME, ago(5), subject="Fwd: Lead 5")
    (followup,) = ledger_of(*helps, third).followups
    assert followup.contact == BEN
    assert followup.item == f"{third.source}:{third.item_id}"
    assert followup.reason == phrase(
        "thank_or_return", name="Ben", introductions=0, forwards=3, answers=0, days=365,
        introduced=(),
    )
    assert followup.due == ago(5) + (NOW - ago(7))
    fewer = ledger_of(*helps, settings=LedgerSettings(thank_min_help=2))
    assert [f.contact for f in fewer.followups] == [BEN]


def test_dismissed_items_stay_out_across_resyncs() -> None:
    mailbox = _mailbox()
    first = ledger_of(*mailbox)
    wrong = next(i for i in first.items if i.kind is ItemKind.INTRODUCTION_MADE)
    # A re-sync: the same messages in another order, plus new mail.
    again = list(mailbox)
    random.Random(7).shuffle(again)
    again.append(mail(ANNA, ME, ago(1), subject="Thanks!"))
    second = ledger_of(*again, dismissed=frozenset({wrong.id}))
    assert wrong.id not in {i.id for i in second.items}
    assert second.dismissed == (wrong.id,)
    assert second.item(wrong.id) is None
    ids_first = {i.id for i in first.items} - {wrong.id}
    assert ids_first <= {i.id for i in second.items}


def test_ids_depend_on_the_message_not_on_the_source_it_was_read_from() -> None:
    message = mail(ME, ANNA, ago(5), subject="Fwd: Paper")
    from_file = ledger_of(message)
    from_exchange = ledger_of(replace(message, source="ews:work", item_id="AAMk-1"))
    assert [i.id for i in from_file.items] == [i.id for i in from_exchange.items]
    # Read from both sources at once, the message still makes one item.
    both = ledger_of(message, replace(message, source="ews:work", item_id="AAMk-1"))
    assert len(both.items) == 1


def test_items_go_to_the_resolved_person() -> None:
    people = {"anna.private@mail.example": ANNA}
    items = [
        mail(ME, "anna.private@mail.example", ago(5), subject="Fwd: A"),
        mail(ME, ANNA, ago(4), subject="Fwd: B"),
    ]
    ledger = build_ledger(items, OWNER, now=NOW, people=people)
    assert list(ledger.balances) == [ANNA]
    assert [i.address for i in ledger.balance(ANNA).given] == ["anna.private@mail.example", ANNA]


def test_exclusions_keep_people_out_of_the_ledger() -> None:
    items = [mail(ME, ANNA, ago(5), subject="Fwd: A"), mail(ME, BEN, ago(5), subject="Fwd: B")]
    ledger = build_ledger(items, OWNER, now=NOW, excluded=lambda a: a.endswith("@beta.example"))
    assert list(ledger.balances) == [ANNA]


def test_mail_after_now_is_ignored() -> None:
    assert ledger_of(mail(ME, ANNA, ago(-1), subject="Fwd: Tomorrow")).items == ()


_FIXED = _mailbox()


@given(st.permutations(_FIXED))
@settings(max_examples=25, deadline=None)
def test_the_ledger_does_not_depend_on_the_order_items_arrive_in(order: list) -> None:  # type: ignore[type-arg]
    assert ledger_of(*order) == ledger_of(*_FIXED)
