"""The ledger's pass kept after any prefix and gone on with (``LedgerFold``) finds what the pass
over everything finds: through JSON, with the balance window's older items kept by id only,
and under other identities or exclusions either exactly or not at all."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from outlook_networking.core.ledger import (
    Asked,
    ItemKind,
    LedgerFold,
    LedgerSettings,
    detect_items,
    in_order,
)
from outlook_networking.core.threads import analyse_threads, item_key
from outlook_networking.model import Attendee, Interaction, Kind, Mailbox

ME = "me@home.example"
OWNER = frozenset({ME})
START = datetime(2026, 3, 1, tzinfo=UTC)
NOW = START + timedelta(days=20)
# Five people at five domains, a second address of Ann's, an automated sender.
PEOPLE = ("ann@a.example", "ann@a2.example", "bob@b.example", "cat@c.example", "dan@d.example",
          "eve@e.example", "noreply@shop.example")  # fmt: skip
SUBJECTS = ("Intro: Ann <> Bob", "Fwd: deck", "plan", "Re: plan", "notes", "Automatic reply: plan")
SETTINGS = LedgerSettings(intro_evidence_days=5, acquainted_max_people=3)


@st.composite
def _items(draw: st.DrawFn) -> list[Interaction]:
    """Mail and meetings over three weeks, the owner on most of them (the ledger is theirs),
    some at midnight (where a window starts), some answers, and some copies of an earlier
    message at another time (the same Message-ID read from another folder)."""
    items: list[Interaction] = []
    minutes = st.integers(0, 24 * 24 * 60) | st.integers(0, 24).map(lambda days: days * 24 * 60)
    for n in range(draw(st.integers(12, 40))):
        at = START + timedelta(minutes=draw(minutes))
        if items and draw(st.integers(0, 4)) == 0:
            copied = draw(st.sampled_from(items))
            items.append(dataclasses.replace(copied, at=at, item_id=f"copy-{n}"))
            continue
        mails = [item for item in items if item.kind is Kind.EMAIL and item.sender is not None]
        plain = [m for m in mails if m.subject in ("plan", "notes") and not m.in_reply_to]
        if plain and draw(st.integers(0, 2)) == 0:  # an answer within three days
            asked = draw(st.sampled_from(plain))  # (to what could be a request)
            assert asked.sender is not None
            between = [m.address for m in asked.to if (m.address == ME) != (asked.sender == ME)]
            answerer = draw(st.sampled_from(between or [ME]))  # (mostly the owner and a person)
            items.append(dataclasses.replace(
                asked, item_id=f"item-{n}", sender=Mailbox(answerer), to=(asked.sender,), cc=(),
                at=asked.at + timedelta(minutes=draw(st.integers(1, 3 * 24 * 60))),
                subject="Re: plan", message_id=f"<m{n}@x.example>",
                in_reply_to=asked.message_id, folder="sent" if answerer == ME else "inbox",
            ))  # fmt: skip
            continue
        others = st.lists(st.sampled_from((ME, *PEOPLE)), min_size=1, max_size=4, unique=True)
        sender = draw(st.sampled_from((ME, ME, ME, *PEOPLE)))
        if draw(st.integers(0, 6)) == 0:
            items.append(Interaction(
                source="ews:work", item_id=f"meeting-{n}", kind=Kind.MEETING, at=at,
                sender=Mailbox(sender), duration_s=1800, folder="calendar",
                attendees=tuple(Attendee(Mailbox(a)) for a in (ME, *draw(others))),
            ))  # fmt: skip
            continue
        to = draw(others)
        if sender != ME and ME not in to and draw(st.booleans()):
            to = [ME, *to[:2]]  # (to the owner, more often than chance would)
        items.append(Interaction(
            source=draw(st.sampled_from(("ews:work", "maildir:archive"))), item_id=f"item-{n}",
            kind=Kind.EMAIL, at=at, sender=Mailbox(sender, sender[:3].title()),
            to=tuple(Mailbox(a, a[:3].title()) for a in to),
            cc=tuple(Mailbox(a) for a in draw(st.lists(st.sampled_from(PEOPLE), max_size=1))),
            subject=draw(st.sampled_from((*SUBJECTS, *SUBJECTS[:4]))),
            message_id=f"<m{n}@x.example>",
            in_reply_to=draw(st.just("") | st.sampled_from([f"<m{k}@x.example>" for k in
                                                             range(n + 1)])),
            folder="sent" if sender == ME else "inbox",
        ))  # fmt: skip
    return items


def _twice(of: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, Any]]:
    """Two values, the same half of the time."""
    return of.flatmap(lambda first: st.tuples(st.just(first), st.just(first) | of))


_MERGES = _twice(st.dictionaries(st.sampled_from(PEOPLE[:5]), st.sampled_from(PEOPLE[:5]),
                                 max_size=2))  # fmt: skip
_EXCLUDED = _twice(st.frozensets(st.sampled_from(PEOPLE), max_size=2))
_ASKED = st.lists(
    st.builds(Asked, st.sampled_from(PEOPLE[:5]), st.sampled_from(PEOPLE[:5]),
              st.integers(0, 20).map(lambda d: START + timedelta(days=d))),
    max_size=3,
)  # fmt: skip


@given(
    items=_items(), cut=st.floats(0, 1), since_days=st.integers(0, 14),
    merges=_MERGES, excluded=_EXCLUDED, asked=_ASKED,
)  # fmt: skip
def test_a_fold_kept_and_gone_on_with_finds_what_the_pass_over_everything_finds(
    items: list[Interaction],
    cut: float,
    since_days: int,
    merges: tuple[dict[str, str], dict[str, str]],
    excluded: tuple[frozenset[str], frozenset[str]],
    asked: list[Asked],
) -> None:
    """Kept after any prefix of the past under one set of identities and exclusions, gone on
    with under another: the items from the window's start on are the pass's over everything
    with the second set, or the fold refuses, and then only because an address it met is
    another person's (or no person) under the second set."""
    ordered = in_order(items)
    past = [item for item in ordered if item.at <= NOW]
    threads = analyse_threads(past)
    since = START + timedelta(days=since_days)

    def given(n: int) -> dict[str, Any]:
        return {
            "now": NOW, "settings": SETTINGS, "starts": {item_key(s) for s in threads.starts},
            "people": merges[n], "excluded": excluded[n].__contains__, "asked": asked,
        }  # fmt: skip

    end = round(cut * len(past))
    kept = LedgerFold(ordered, OWNER, **given(0))
    kept.fold_to(end)
    doc = json.loads(json.dumps(kept.doc(since)))
    truth = detect_items(
        ordered, OWNER, now=NOW, settings=SETTINGS, people=merges[1], threads=threads,
        excluded=excluded[1].__contains__, asked=asked,
    )  # fmt: skip
    fold = LedgerFold(ordered, OWNER, **given(1))
    try:
        fold.resume(doc)
    except ValueError:
        again = LedgerFold(ordered, OWNER, **given(1))
        again.fold_to(end)
        afresh = again.doc()  # (refused only when an address met has another person)
        assert (afresh["ids"], afresh["keys"]) != (doc["ids"], doc["keys"])
        fold.fold_to(end)  # (and the fold refusing is as it was: it folds from the start)
        assert fold.doc() == afresh
        event("refused: an address met is another person's")
        return
    fold.fold_to(len(ordered))
    got = fold.items(threads, since)
    assert [i for i in got if i.at >= since] == [i for i in truth if i.at >= since]
    event(f"items from the window on: {min(sum(i.at >= since for i in truth), 5)}")
    event(f"kept by id only: {min(len(doc['gone']), 2)}")
    answered = (ItemKind.REQUEST_ANSWERED, ItemKind.ANSWER_RECEIVED)
    requests = [i for i in truth if i.kind in answered]
    event(f"requests answered before the window: {min(sum(i.at < since for i in requests), 1)}")
    event(f"requests answered from the window on: {min(sum(i.at >= since for i in requests), 1)}")
    event(f"resumed under other identities: {merges[0] != merges[1]}")


def _mail(n: int, at: datetime, to: tuple[str, ...], subject: str) -> Interaction:
    return Interaction(
        source="ews:work", item_id=f"i{n}", kind=Kind.EMAIL, at=at, sender=Mailbox(ME),
        to=tuple(Mailbox(a) for a in to), subject=subject, message_id=f"<i{n}@x.example>",
    )  # fmt: skip


def test_a_merge_of_someone_already_met_refuses_the_fold_and_one_of_a_stranger_does_not() -> (
    None
):
    items = [
        _mail(1, START, ("ann@a.example", "bob@b.example"), "Intro: Ann <> Bob"),
        _mail(2, START + timedelta(days=2), ("cat@c.example",), "Fwd: deck"),
    ]
    given: dict[str, Any] = {"now": NOW, "settings": SETTINGS, "starts": set()}
    kept = LedgerFold(items, OWNER, **given)
    kept.fold_to(1)
    doc = json.loads(json.dumps(kept.doc()))
    with pytest.raises(ValueError, match="other persons"):
        LedgerFold(items, OWNER, people={"bob@b.example": "ann@a.example"}, **given).resume(doc)
    with pytest.raises(ValueError, match="other persons"):
        LedgerFold(items, OWNER, excluded={"bob@b.example"}.__contains__, **given).resume(doc)
    fold = LedgerFold(items, OWNER, people={"cat@c.example": "dan@d.example"}, **given)
    fold.resume(doc)
    fold.fold_to(2)
    assert [i.contact for i in fold.items(analyse_threads(items))] == [
        "ann@a.example", "bob@b.example", "dan@d.example",
    ]  # fmt: skip


def test_an_introduction_asked_for_is_found_once_though_the_fold_stops_between() -> None:
    asked = [Asked("ann@a.example", "bob@b.example", START)]
    items = [
        dataclasses.replace(
            _mail(n, START + timedelta(days=n), (ME, "bob@b.example"), subject),
            sender=Mailbox("ann@a.example"),
        )
        for n, subject in ((1, "hello"), (2, "again"))
    ]
    given: dict[str, Any] = {"now": NOW, "settings": SETTINGS, "starts": set(), "asked": asked}
    kept = LedgerFold(items, OWNER, **given)
    kept.fold_to(1)
    fold = LedgerFold(items, OWNER, **given)
    fold.resume(json.loads(json.dumps(kept.doc())))
    fold.fold_to(2)
    threads = analyse_threads(items)
    found = fold.items(threads)
    assert found == detect_items(items, OWNER, now=NOW, settings=SETTINGS, threads=threads,
                                 asked=asked)  # fmt: skip
    assert [(i.kind, i.proposed, i.subject) for i in found] == [
        (ItemKind.INTRODUCTION_RECEIVED, True, "hello"),
    ]


def _answered_twice(copy_without_headers: bool) -> list[Interaction]:
    """Ann asks the owner; the owner answers within the hour, and the answer is there again
    three hours later: a second answer, or a copy of the first (and of the question) read from
    a source that gives no In-Reply-To, paired by its subject instead."""
    asked = dataclasses.replace(
        _mail(1, START, (ME,), "plan"), sender=Mailbox("ann@a.example"), folder="inbox"
    )
    answer = dataclasses.replace(
        _mail(2, START + timedelta(hours=1), ("ann@a.example",), "Re: plan"),
        in_reply_to=asked.message_id,
    )
    if not copy_without_headers:
        later = dataclasses.replace(
            _mail(3, START + timedelta(hours=4), ("ann@a.example",), "Re: plan"),
            in_reply_to=asked.message_id,
        )
        return [asked, answer, later]
    asked_again = dataclasses.replace(asked, source="pst:archive", at=START + timedelta(hours=2))
    later = dataclasses.replace(
        answer, source="pst:archive", at=START + timedelta(hours=4), in_reply_to=""
    )
    return [asked, answer, asked_again, later]


@pytest.mark.parametrize("copy_without_headers", [False, True])
def test_a_request_answered_before_the_window_still_counts_once(
    copy_without_headers: bool,
) -> None:
    """The first answer to a request is the one that counts, and an item is found once
    whichever copy of its messages it is found in: both before the window, so the later
    answer inside it makes no item, with the window or without."""
    items = _answered_twice(copy_without_headers)
    threads = analyse_threads(items)
    since = START + timedelta(hours=3)
    fold = LedgerFold(items, OWNER, now=NOW, settings=SETTINGS,
                      starts={item_key(s) for s in threads.starts})  # fmt: skip
    fold.fold_to(len(items))
    truth = detect_items(items, OWNER, now=NOW, settings=SETTINGS, threads=threads)
    assert [(i.kind, i.at) for i in truth][:1] == [(ItemKind.REQUEST_ANSWERED, items[1].at)]
    assert len(threads.replies) == 2  # (the later answer is paired: it could make an item)
    got = fold.items(threads, since)
    assert [i for i in got if i.at >= since] == [i for i in truth if i.at >= since] == []


@pytest.mark.parametrize(
    "damage",
    [
        {"format": 99},
        {"at": 5},
        {"keys": ["ann@a.example", "ann@a.example"]},
        {"introductions": [["introduction_made", 3, "x", "x", "", [], [], False]]},
        {"seen": None},
    ],
)
def test_a_damaged_document_is_refused(damage: dict[str, Any]) -> None:
    items = [_mail(1, START, ("ann@a.example", "bob@b.example"), "Intro: Ann <> Bob")]
    given: dict[str, Any] = {"now": NOW, "settings": SETTINGS, "starts": set()}
    kept = LedgerFold(items, OWNER, **given)
    kept.fold_to(1)
    with pytest.raises(ValueError):
        LedgerFold(items, OWNER, **given).resume({**kept.doc(), **damage})


def test_the_pass_reads_the_store_order_and_sorts_only_what_is_not_in_it() -> None:
    early, late = (_mail(n, START + timedelta(hours=n), ("ann@a.example",), "x") for n in (1, 2))
    given = [early, late]
    assert in_order(given) == given
    assert in_order([late, early]) == [early, late]
    # Ties in time go by source, then item id, as the store orders them.
    first = dataclasses.replace(late, at=early.at, source="a:first")
    assert in_order([early, first]) == [first, early]
