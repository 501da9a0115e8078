"""Replies paired with their parents by each method, and thread starts."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from outlook_networking.core.threads import (
    analyse_threads,
    is_reply_subject,
    normalise_subject,
    pair_replies,
    thread_starts,
)

from .builders import ME, ago, mail, meeting, reply_to


def test_subject_normalisation_strips_localised_prefixes() -> None:
    assert normalise_subject("AW: WG:  Re[2]: Projekt   Plan") == "projekt plan"
    assert normalise_subject("[SAtalk] Re: spam  rules") == "spam rules"
    assert normalise_subject("Antw: SV: TR: Fwd: Offer") == "offer"
    assert is_reply_subject("AW: Termin")
    assert is_reply_subject("Re: Fwd: Termin")
    assert not is_reply_subject("Fwd: Re: Termin")
    assert not is_reply_subject("Review of the plan")


def test_pairs_by_in_reply_to_even_out_of_time_order() -> None:
    parent = mail(ME, "ann@acme.com", ago(days=3))
    child = reply_to(parent, ago(days=2))
    replies = pair_replies([child, parent])
    assert [(r.parent, r.child, r.method) for r in replies] == [(parent, child, "in_reply_to")]
    assert replies[0].latency_s == 86400


def test_pairs_by_references_when_in_reply_to_is_unknown() -> None:
    parent = mail(ME, "ann@acme.com", ago(days=3))
    child = mail(
        "ann@acme.com",
        ME,
        ago(days=2),
        subject="Re: Hello",
        in_reply_to="<lost@elsewhere>",
        references=("<older@x>", parent.message_id),
    )
    (reply,) = pair_replies([parent, child])
    assert reply.parent is parent and reply.method == "references"


def test_references_pair_with_the_nearest_stored_ancestor() -> None:
    """References lists a thread oldest first (RFC 5322 3.6.4); the parent is the last entry that
    names a stored message, so a deep thread pairs with the message it answered, not its start."""
    start = mail(ME, "ann@acme.com", ago(days=9), subject="Plan")
    answer = reply_to(start, ago(days=8))
    again = reply_to(answer, ago(days=7), sender=ME)
    child = mail(
        "ann@acme.com",
        ME,
        ago(days=6),
        subject="Re: Plan",
        in_reply_to="<not-stored@acme.com>",
        references=(start.message_id, answer.message_id, again.message_id, "<not-stored@acme.com>"),
    )
    replies = {r.child.message_id: r for r in pair_replies([child, again, start, answer])}
    reply = replies[child.message_id]
    assert (reply.parent, reply.method) == (again, "references")
    assert reply.latency_s == 86400


def test_pairs_by_conversation_id() -> None:
    parent = mail(ME, "ann@acme.com", ago(days=3), conversation_id="C1", message_id="")
    own_follow_up = mail(ME, "ann@acme.com", ago(days=2.5), conversation_id="C1", message_id="")
    child = mail(
        "ann@acme.com", ME, ago(days=2), conversation_id="C1", subject="Hello", message_id=""
    )
    replies = pair_replies([parent, own_follow_up, child])
    # The latest earlier message by someone else that reached the child's sender.
    assert [(r.parent, r.child, r.method) for r in replies] == [
        (own_follow_up, child, "conversation")
    ]
    assert thread_starts([parent, own_follow_up, child]) == [parent]


def test_pairs_by_subject_and_participants_within_14_days() -> None:
    parent = mail(ME, "ann@acme.com", ago(days=10), subject="Quarterly plan", message_id="")
    child = mail("ann@acme.com", ME, ago(days=5), subject="AW: quarterly  PLAN", message_id="")
    stranger = mail("bob@other.com", ME, ago(days=5), subject="Re: Quarterly plan", message_id="")
    late = mail("ann@acme.com", ME, ago(days=-10), subject="Re: Quarterly plan", message_id="")
    replies = pair_replies([parent, child, stranger, late])
    assert [(r.parent, r.child, r.method) for r in replies] == [(parent, child, "subject")]


def test_subject_fallback_looks_back_14_days_and_no_further() -> None:
    inside = mail(ME, "ann@acme.com", ago(days=20), subject="Budget", message_id="")
    answer = mail("ann@acme.com", ME, ago(days=6.1), subject="Re: Budget", message_id="")
    outside = mail(ME, "bob@b.example", ago(days=20), subject="Offer", message_id="")
    late = mail("bob@b.example", ME, ago(days=5.9), subject="Re: Offer", message_id="")
    replies = pair_replies([inside, answer, outside, late])
    assert [(r.parent, r.child) for r in replies] == [(inside, answer)]


def test_subject_fallback_takes_the_latest_parent_inside_the_window() -> None:
    old = mail(ME, "ann@acme.com", ago(days=40), subject="Budget", message_id="")
    edge = mail(ME, "ann@acme.com", ago(days=23), subject="Budget", message_id="")
    answer = mail("ann@acme.com", ME, ago(days=9), subject="Re: Budget", message_id="")
    # Exactly 14 days is inside the window; the 40-day-old message is not looked at.
    assert [(r.parent, r.child) for r in pair_replies([old, edge, answer])] == [(edge, answer)]


def test_subject_fallback_never_pairs_a_sender_with_their_own_copy() -> None:
    mine = mail(ME, "ann@acme.com", ago(days=10), subject="Plan", message_id="")
    cc = ["ann@acme.com"]  # she copies herself
    first = mail("ann@acme.com", ME, ago(days=8), subject="Re: Plan", cc=cc, message_id="")
    second = mail("ann@acme.com", ME, ago(days=7), subject="Re: Plan", cc=cc, message_id="")
    parents = {r.child.item_id: r.parent for r in pair_replies([mine, first, second])}
    assert parents == {first.item_id: mine, second.item_id: mine}


def test_conversation_pairing_skips_messages_without_a_sender() -> None:
    start = mail(ME, "ann@acme.com", ago(days=3), conversation_id="C9", message_id="")
    system = replace(
        mail(ME, "ann@acme.com", ago(days=2), conversation_id="C9", message_id=""), sender=None
    )
    child = mail("ann@acme.com", ME, ago(days=1), conversation_id="C9", message_id="")
    replies = pair_replies([start, system, child])
    assert [(r.parent, r.child) for r in replies] == [(start, child)]


def test_a_copy_naming_its_own_id_in_references_answers_nothing() -> None:
    first = mail(ME, "ann@acme.com", ago(days=2), message_id="<same@x>")
    copy = mail(ME, "ann@acme.com", ago(days=1), message_id="<same@x>", references=("<same@x>",))
    assert pair_replies([first, copy]) == []


def test_a_message_without_a_subject_can_start_a_thread() -> None:
    blank = mail(ME, "ann@acme.com", ago(days=2), subject="", message_id="")
    assert thread_starts([blank]) == [blank]


def test_subject_fallback_needs_a_reply_prefix() -> None:
    first = mail(ME, "ann@acme.com", ago(days=10), subject="Weekly report", message_id="")
    second = mail("ann@acme.com", ME, ago(days=3), subject="Weekly report", message_id="")
    threads = analyse_threads([first, second])
    assert threads.replies == ()
    assert list(threads.starts) == [first, second]


def test_meetings_and_self_references_are_not_paired() -> None:
    loop = mail(ME, "ann@acme.com", ago(days=1), message_id="<x@y>", in_reply_to="<x@y>")
    event = meeting(ME, ["ann@acme.com"], ago(days=1))
    threads = analyse_threads([loop, event])
    assert threads.replies == ()
    assert threads.starts == ()  # it claims to answer something


def test_negative_latency_is_clamped() -> None:
    parent = mail(ME, "ann@acme.com", ago(days=1))
    child = reply_to(parent, ago(days=2))  # the replier's clock is a day behind
    (reply,) = pair_replies([parent, child])
    assert reply.latency_s == 0


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=30), min_size=1, max_size=30), st.randoms())
def test_header_pairing_finds_each_named_parent_in_any_order(
    parents: list[int], rnd: random.Random
) -> None:
    """Message i answers message parents[i] (when that is an earlier message); shuffled."""
    people = ["ann@acme.com", "bob@b.example", ME]
    items = []
    for i, parent in enumerate(parents):
        named = parent if 0 <= parent < i else -1
        items.append(
            mail(
                people[i % 3],
                people[(i + 1) % 3],
                ago(days=60 - i),
                subject="Re: x" if named >= 0 else f"topic {i}",
                message_id=f"<t{i}@h>",
                in_reply_to=f"<t{named}@h>" if named >= 0 else "",
                item_id=f"t{i}",
            )
        )
    expected = {(f"t{i}", f"t{p}") for i, p in enumerate(parents) if 0 <= p < i}
    shuffled = items[:]
    rnd.shuffle(shuffled)
    replies = pair_replies(shuffled)
    by_header = {(r.child.item_id, r.parent.item_id) for r in replies if r.method == "in_reply_to"}
    assert by_header == expected
    assert len({r.child.item_id for r in replies}) == len(replies)  # one parent per child
    assert all(r.latency_s >= 0 for r in replies)


_NO_COLON_OR_BRACKET = (
    st.text(alphabet=st.sampled_from("reRE aAwWgGfFdDsSvVtTöü()0123]\t"), max_size=24)
    | st.text(max_size=24)
).filter(lambda text: not {":", "：", "["} & set(text))


@settings(max_examples=500, deadline=None)
@given(_NO_COLON_OR_BRACKET)
def test_a_subject_without_colon_or_bracket_has_no_prefix_to_strip(subject: str) -> None:
    """_strip_prefixes answers at once for a subject with no colon and no bracket: no reply or
    forward prefix matches without a colon, no list tag without a bracket."""
    from outlook_networking.core.threads import _PREFIX, _TAG, _strip_prefixes

    assert _PREFIX.match(subject) is None and _TAG.match(subject) is None
    assert _strip_prefixes(subject) == (subject, False)
