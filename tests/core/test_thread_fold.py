"""Reply pairing as a fold (``core.threads.ThreadFold``): stopped anywhere, written down, and
gone on with, it pairs exactly as :func:`analyse_threads` does over every message at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outlook_networking.core.threads import (
    THREADS_FORMAT,
    ThreadFold,
    Threads,
    analyse_threads,
)
from outlook_networking.model import Interaction, Kind, Mailbox

START = datetime(2026, 5, 1, tzinfo=UTC)
PEOPLE = ("ann@a.example", "bob@b.example", "me@home.example")
IDS = tuple(f"m{n}@x.example" for n in range(8))


@st.composite
def _emails(draw: st.DrawFn) -> Interaction:
    """Few ids, conversations and subjects, so that they meet: answers named by headers that
    come before or after their parent (skewed clocks), copies with one id, reply prefixes."""
    sender = draw(st.sampled_from(PEOPLE))
    named = st.sampled_from(IDS).map(lambda i: draw(st.sampled_from((i, f"<{i}>", f" <{i}> "))))
    return Interaction(
        source="ews:work",
        item_id=f"item-{draw(st.integers(0, 10**6))}",
        kind=Kind.EMAIL,
        at=START + timedelta(days=draw(st.integers(0, 40)), minutes=draw(st.integers(0, 3))),
        sender=Mailbox(sender),
        to=tuple(Mailbox(a) for a in draw(st.sets(st.sampled_from(PEOPLE), max_size=2))),
        message_id=draw(st.sampled_from(("", *IDS))),
        in_reply_to=draw(st.just("") | named),
        references=tuple(draw(st.lists(named, max_size=3))),
        conversation_id=draw(st.sampled_from(("", "c1", "c2"))),
        subject=draw(st.sampled_from(("", "Re: ", "AW: ", "Fwd: ", "[dev] Re: ")))
        + draw(st.sampled_from(("Plan", "plan ", "Budget"))),
    )


def _as_places(threads: Threads, emails: list[Interaction]) -> tuple[object, ...]:
    place = {id(e): n for n, e in enumerate(emails)}
    return (
        [(place[id(r.child)], place[id(r.parent)], r.method, r.latency_s) for r in threads.replies],
        [place[id(s)] for s in threads.starts],
    )


def _gone_on_after(emails: list[Interaction], cut: int) -> ThreadFold:
    """A fold of ``emails`` stopped after ``cut``, kept through JSON, gone on to the end."""
    fold = ThreadFold(emails)
    fold.fold_to(cut)
    fold = ThreadFold.resume(emails, json.loads(json.dumps(fold.doc())))
    fold.fold_to(len(emails))
    return fold


@given(items=st.lists(_emails(), max_size=30), cuts=st.lists(st.integers(0, 30), max_size=4))
def test_a_fold_stopped_written_down_and_gone_on_with_pairs_as_everything_at_once(
    items: list[Interaction], cuts: list[int]
) -> None:
    emails = sorted(items, key=lambda e: e.at)
    fold = ThreadFold(emails)
    for cut in sorted(min(c, len(emails)) for c in cuts):
        fold.fold_to(cut)
        doc = json.loads(json.dumps(fold.doc()))  # (as the store keeps it)
        fold = ThreadFold.resume(emails, doc)
    fold.fold_to(len(emails))
    assert _as_places(fold.threads(), emails) == _as_places(analyse_threads(emails), emails)


def test_an_answer_folded_before_the_message_it_names_is_paired_when_that_comes() -> None:
    parent = Interaction("s", "p", Kind.EMAIL, START + timedelta(hours=1), Mailbox(PEOPLE[0]),
                         to=(Mailbox(PEOPLE[2]),), message_id="<p@x>", subject="Plan")  # fmt: skip
    child = Interaction("s", "c", Kind.EMAIL, START, Mailbox(PEOPLE[2]), to=(Mailbox(PEOPLE[0]),),
                        message_id="<c@x>", in_reply_to="<p@x>", subject="Re: Plan")  # fmt: skip
    fold = ThreadFold([child, parent])
    fold.fold_to(1)
    assert fold.threads().replies == () and fold.doc()["waiting"] == {"p@x": [0]}
    fold = ThreadFold.resume([child, parent], json.loads(json.dumps(fold.doc())))
    assert fold.unsettled() == [child]  # (its pairing can still change)
    fold.fold_to(2)
    assert fold.unsettled() == []
    (reply,) = fold.threads().replies
    assert (reply.child, reply.parent, reply.method, reply.latency_s) == (
        child, parent, "in_reply_to", 0  # (a skewed clock: never negative)
    )  # fmt: skip


@pytest.mark.parametrize(
    "doc",
    [{"format": THREADS_FORMAT + 1}, {"format": THREADS_FORMAT, "at": 5, "replies": [],
     "starts": [], "waiting": {}}, {"format": THREADS_FORMAT, "at": 1, "replies": [0, 7, 0],
     "starts": [], "waiting": {}}, []],
)  # fmt: skip
def test_a_document_that_is_not_one_of_its_folds_is_refused(doc: object) -> None:
    one = Interaction("s", "a", Kind.EMAIL, START, Mailbox(PEOPLE[0]))
    with pytest.raises(ValueError):
        ThreadFold.resume([one], doc)  # type: ignore[arg-type]


def test_an_answer_paired_again_keeps_the_parent_its_in_reply_to_found_before() -> None:
    """It waited for an id its References name; when that message comes, its In-Reply-To,
    which the rest of the mail never names, still wins."""
    first = Interaction("s", "y", Kind.EMAIL, START, Mailbox(PEOPLE[0]), to=(Mailbox(PEOPLE[2]),),
                        message_id="<y@x>", subject="Plan")  # fmt: skip
    child = Interaction("s", "c", Kind.EMAIL, START + timedelta(hours=1), Mailbox(PEOPLE[2]),
                        to=(Mailbox(PEOPLE[0]),), message_id="<c@x>", in_reply_to="<y@x>",
                        references=("<y@x>", "<late@x>"), subject="Re: Plan")  # fmt: skip
    late = Interaction("s", "l", Kind.EMAIL, START + timedelta(days=2), Mailbox(PEOPLE[1]),
                       to=(Mailbox(PEOPLE[2]),), message_id="<late@x>")  # fmt: skip
    emails = [first, child, late]
    fold = _gone_on_after(emails, 2)
    assert _as_places(fold.threads(), emails) == _as_places(analyse_threads(emails), emails)
    assert [(r.parent, r.method) for r in fold.threads().replies] == [(first, "in_reply_to")]


@pytest.mark.parametrize("before", [timedelta(days=14), timedelta(days=14, seconds=1)])
def test_going_on_finds_a_parent_by_subject_as_far_back_as_the_window_and_no_further(
    before: timedelta,
) -> None:
    """Going on, the fold indexes the subjects of the last SUBJECT_WINDOW (14 days) before the
    first e-mail after the cut only: a parent exactly that far back is found by its subject, one
    a second older is not, as over everything at once."""
    child_at = START + timedelta(days=20)
    parent = Interaction("s", "p", Kind.EMAIL, child_at - before, Mailbox(PEOPLE[0]),
                         to=(Mailbox(PEOPLE[2]),), subject="Plan")  # fmt: skip
    other = Interaction("s", "o", Kind.EMAIL, child_at - timedelta(days=1), Mailbox(PEOPLE[1]),
                        to=(Mailbox(PEOPLE[2]),), subject="Budget")  # fmt: skip
    child = Interaction("s", "c", Kind.EMAIL, child_at, Mailbox(PEOPLE[2]),
                        to=(Mailbox(PEOPLE[0]),), subject="Re: Plan")  # fmt: skip
    emails = [parent, other, child]
    fold = _gone_on_after(emails, 2)
    assert _as_places(fold.threads(), emails) == _as_places(analyse_threads(emails), emails)
    paired = [(r.parent, r.method) for r in fold.threads().replies]
    assert paired == ([(parent, "subject")] if before == timedelta(days=14) else [])
