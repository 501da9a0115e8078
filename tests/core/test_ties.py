"""The co-occurrence aggregate: what each item adds, and that batches merge into the whole (so the
aggregate can be kept incrementally, batch by batch)."""

from __future__ import annotations

from dataclasses import replace

from outlook_networking.core.threads import analyse_threads, item_key
from outlook_networking.core.ties import TieBuilder, TieKind, Ties
from outlook_networking.model import Interaction, Mailbox

from .builders import ME, OWNER, ago, mail, meeting, reply_to

ANN, BOB, CAT = "ann@a.example", "bob@b.example", "cat@c.example"
LIST = "dev@lists.example.org"


def build(items: list[Interaction], lists: frozenset[str] = frozenset()) -> Ties:
    answers = {
        item_key(r.child): r.parent.sender.address
        for r in analyse_threads(items).replies
        if r.parent.sender is not None
    }
    builder = TieBuilder(OWNER, lists, 20)
    for item in sorted(items, key=lambda i: i.at):
        builder.add(item, answers.get(item_key(item), ""))
    return builder.result()


def mailbox() -> list[Interaction]:
    first = mail(ANN, [BOB, ME], ago(days=30), cc=[CAT], subject="Plan")
    answer = replace(reply_to(first, ago(days=29)), cc=(Mailbox(ME),))  # Bob answers Ann
    return [
        first,
        answer,
        meeting(CAT, [ME, ANN], ago(days=20)),
        mail(CAT, ME, ago(days=10), cc=[ANN, LIST]),
        mail(ME, [ANN, BOB], ago(days=5)),  # the owner's own: adds nothing
    ]


def test_each_kind_is_counted_with_first_last_and_the_item() -> None:
    items = mailbox()
    ties = build(items, lists=frozenset({LIST}))
    mail_ab = ties.tally(TieKind.MAIL, BOB, ANN)
    assert mail_ab is not None and mail_ab.count == 2
    assert mail_ab.first == ago(days=30) and mail_ab.last == ago(days=29)
    assert mail_ab.last_item == item_key(items[1])
    wrote = ties.tally(TieKind.WROTE, ANN, BOB)
    assert wrote is not None and wrote.count == 1
    back = ties.tally(TieKind.WROTE, BOB, ANN)
    assert back is not None and back.count == 1
    replied = ties.tally(TieKind.REPLIED, BOB, ANN)
    assert replied is not None and replied.count == 1
    assert ties.tally(TieKind.REPLIED, ANN, BOB) is None
    met = ties.tally(TieKind.MEETING, ANN, CAT)
    assert met is not None and met.count == 1
    ann_cat = ties.tally(TieKind.MAIL, CAT, ANN)
    assert ann_cat is not None and ann_cat.count == 2  # Ann's Cc of Cat, Cat's Cc of Ann
    # Neither the owner nor the list is ever one side of a tie.
    everyone = {a for _, x, y in ties.tallies for a in (x, y)}
    assert everyone == {ANN, BOB, CAT}
    assert ties.neighbours(ANN) == {BOB, CAT}
    assert ties.names[ANN] == "Ann"


def test_batches_merge_into_the_whole() -> None:
    items = mailbox()
    whole = build(items, lists=frozenset({LIST}))
    # The reply pairing of the whole mailbox, applied batch by batch (as a store would).
    answers = {
        item_key(r.child): r.parent.sender.address
        for r in analyse_threads(items).replies
        if r.parent.sender is not None
    }
    merged = Ties()
    for batch in (items[:2], items[2:3], items[3:]):
        builder = TieBuilder(OWNER, frozenset({LIST}), 20)
        for item in batch:
            builder.add(item, answers.get(item_key(item), ""))
        merged = merged.merged(builder.result())
    assert merged.tallies == whole.tallies
    assert merged.names == whole.names
    # Merging is order-free for the counts (a late batch may hold older mail).
    backwards = Ties()
    for batch in (items[3:], items[2:3], items[:2]):
        builder = TieBuilder(OWNER, frozenset({LIST}), 20)
        for item in batch:
            builder.add(item, answers.get(item_key(item), ""))
        backwards = backwards.merged(builder.result())
    assert backwards.tallies == whole.tallies
