"""The histories' pass kept after any prefix and gone on with (``core.history.HistoryFold``)
gives what :func:`build_histories` gives over everything: through JSON, with mail after the cut
that the first analysis did not have, under other identities and another pairing of the rest,
either exactly or not at all, and then only where the prefix relied on what changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from outlook_networking.core.history import HISTORY_FORMAT, HistoryFold, build_histories
from outlook_networking.core.identity import Identities, Person
from outlook_networking.core.settings import Settings
from outlook_networking.core.threads import ThreadFold, Threads, analyse_threads, item_key
from outlook_networking.model import Attendee, Interaction, Kind, Mailbox, normalise_message_id

ME = "me@home.example"
OWNER = frozenset({ME})
START = datetime(2026, 3, 1, tzinfo=UTC)
CUT = START + timedelta(days=10)  # the horizon: the prefix is what came at or before it
# Four people, a second address of Ann's; a few Message-IDs, some never stored.
PEOPLE = ("ann@a.example", "ann@a2.example", "bob@b.example", "cat@c.example", "dan@d.example")
IDS = tuple(f"<m{n}@x.example>" for n in range(10))
# Owed for three days, a run of approaches from the second, at most two recipients: the three
# weeks of mail cross them.
SETTINGS = Settings(owed_lookback_days=3, unreciprocated_approaches=2, direct_max_recipients=2)


@st.composite
def _mail(draw: st.DrawFn, n: int, days: tuple[int, int]) -> Interaction:
    """A message or meeting of the owner's (mostly) within ``days`` of START: answers named by
    headers before or after their parent, or naming a message never stored; reply prefixes."""
    whole_days = st.integers(days[0] + 1, days[1]).map(lambda d: d * 1440)  # (where windows end)
    minutes = st.integers(days[0] * 1440 + 1, days[1] * 1440) | whole_days
    at = START + timedelta(minutes=draw(minutes))
    sender = draw(st.sampled_from((ME, ME, *PEOPLE)))
    others = st.lists(st.sampled_from((ME, *PEOPLE)), max_size=3, unique=True)
    # Mostly one-to-one: the owner to one person, a person to the owner (approaches, owed mail).
    direct = st.sampled_from(PEOPLE) if sender == ME else st.just(ME)
    others = direct.map(lambda a: [a]) | others
    if draw(st.integers(0, 6)) == 0:
        return Interaction(
            source="ews:work", item_id=f"meeting-{n}", kind=Kind.MEETING, at=at,
            sender=Mailbox(sender), attendees=tuple(Attendee(Mailbox(a)) for a in draw(others)),
            duration_s=draw(st.sampled_from((1800, 3600))), cancelled=draw(st.booleans()),
        )  # fmt: skip
    return Interaction(
        source="ews:work", item_id=f"item-{n}", kind=Kind.EMAIL, at=at, sender=Mailbox(sender),
        to=tuple(Mailbox(a) for a in draw(others)),
        cc=tuple(Mailbox(a) for a in draw(st.lists(st.sampled_from(PEOPLE), max_size=1))),
        message_id=draw(st.sampled_from(IDS[:7])),
        in_reply_to=draw(st.sampled_from(("", "", *IDS))),
        subject=draw(st.sampled_from(("plan", "Re: plan", "notes"))),
        conversation_id=draw(st.sampled_from(("", "c1"))),
    )  # fmt: skip


@st.composite
def _identities(draw: st.DrawFn) -> Identities:
    """Each address its own person, no person, or (Ann's second, Dan's) merged into Ann."""
    person_of: dict[str, str] = {}
    for address in PEOPLE:
        merged = ("ann@a.example",) if address in ("ann@a2.example", "dan@d.example") else ()
        key = draw(st.sampled_from((address, address, "", *merged)))
        if key:
            person_of[address] = key
    persons = {
        key: Person(key, tuple(a for a in PEOPLE if person_of.get(a) == key), key, "")
        for key in sorted(set(person_of.values()))
    }
    return Identities(persons=persons, person_of=person_of)


def _sorted(items: list[Interaction]) -> list[Interaction]:
    return sorted(items, key=lambda i: (i.at, i.item_id))


def _unsettled(prefix: list[Interaction]) -> set[str]:
    """The answers of the prefix whose headers name a Message-ID no message of it has (worked
    out here from the headers, not by the fold)."""
    stored = {normalise_message_id(i.message_id) for i in prefix if i.message_id}
    return {
        item_key(i)
        for i in prefix
        if i.in_reply_to and normalise_message_id(i.in_reply_to) not in stored
    }


def _parents(threads: Threads) -> dict[str, str]:
    return {item_key(r.child): item_key(r.parent) for r in threads.replies}


@given(
    data=st.data(),
    kept_by=_identities(),
    gone_on_by=_identities(),
    same=st.booleans(),
    hours=st.just(0) | st.integers(1, 3 * 24),
)
def test_histories_gone_on_with_are_those_of_every_interaction_or_refused(
    data: st.DataObject, kept_by: Identities, gone_on_by: Identities, same: bool, hours: int
) -> None:
    prefix = _sorted([data.draw(_mail(n, (0, 10))) for n in range(data.draw(st.integers(0, 25)))])
    some = st.just(0) | st.integers(1, 12)
    rest = [data.draw(_mail(100 + n, (10, 20))) for n in range(data.draw(some))]
    late = [data.draw(_mail(200 + n, (10, 20))) for n in range(data.draw(some))]
    first, second = _sorted(prefix + rest), _sorted(prefix + rest + late)
    gone_on_by = kept_by if same else gone_on_by
    now = max([CUT, *(i.at for i in second)]) + timedelta(hours=hours)  # (never before it)

    # The first analysis keeps its fold at the cut, with the pairing of what it had.
    emails = [i for i in first if i.kind is Kind.EMAIL]
    pairing = ThreadFold(emails)
    pairing.fold_to(sum(1 for i in prefix if i.kind is Kind.EMAIL))
    kept = HistoryFold(first, analyse_threads(first), kept_by, owner=OWNER, settings=SETTINGS)
    kept.fold_to(len(prefix))
    owed_since = CUT - timedelta(days=SETTINGS.owed_lookback_days)
    doc = json.loads(json.dumps(kept.doc(pairing.unsettled(), owed_since)))

    threads = analyse_threads(second)
    truth = build_histories(second, threads, gone_on_by, owner=OWNER, settings=SETTINGS, now=now)
    fold = HistoryFold(second, threads, gone_on_by, owner=OWNER, settings=SETTINGS)
    # What the prefix relied on, worked out apart from the fold: the persons of the addresses
    # it looked up (as the document lists them), and the parents of its unsettled answers.
    moved = {a for a, p in doc["met"].items() if gone_on_by.person_of.get(a) != p}
    before, after = _parents(analyse_threads(first)), _parents(threads)
    repaired = {k for k in _unsettled(prefix) if before.get(k) != after.get(k)}
    try:
        fold.resume(doc)
    except ValueError:
        why = (name for name, cause in (("person", moved), ("pairing", repaired)) if cause)
        event("refused: " + ", ".join(why))
        assert moved or repaired
        assert fold.at == 0  # (untouched: it folds from the start)
    else:
        event(f"gone on with: {'the same' if same else 'other'} identities")
        assert not moved and not repaired
        assert fold.at == len(prefix)
        assert fold.doc(pairing.unsettled(), owed_since) == doc  # (it says again what it read)
    fold.fold_to(len(second))
    got = fold.histories(now)
    assert list(got) == list(truth)
    assert got == truth
    event(f"a message owed: {any(h.owed for h in truth.values())}")
    event(f"a run of two approaches: {any(h.unanswered_nth for h in truth.values())}")
    event(f"answers of the prefix waiting for their parent: {bool(_unsettled(prefix))}")


def test_the_document_keeps_addresses_persons_and_places_but_no_subject() -> None:
    ann, bob = "ann@a.example", "bob@b.example"
    items = [
        Interaction(source="s", item_id="1", kind=Kind.EMAIL, at=START, sender=Mailbox(ME),
                    to=(Mailbox(ann), Mailbox(bob)), subject="secret plan", message_id="<a@x>"),
        Interaction(source="s", item_id="2", kind=Kind.EMAIL, at=START + timedelta(hours=1),
                    sender=Mailbox(ann), to=(Mailbox(ME),), subject="Re: secret plan",
                    in_reply_to="<a@x>"),
    ]  # fmt: skip
    people = Identities(persons={ann: Person(ann, (ann,), "Ann", "")}, person_of={ann: ann})
    fold = HistoryFold(items, analyse_threads(items), people, owner=OWNER, settings=SETTINGS)
    fold.fold_to(2)
    doc = fold.doc((), START)
    text = json.dumps(doc)
    assert "secret" not in text
    assert doc["met"] == {ann: ann, bob: None}  # (whom the pass looked up, and found or not)
    assert doc["format"] == HISTORY_FORMAT and doc["at"] == 2
    (entry,) = doc["people"]
    assert entry["person"] == ann and entry["place"] == [0, 1] and entry["kind"] == [0, 1]
    assert entry["paired"] == [1, 1] and entry["their_lat"] == [3600]  # (an answer, an hour on)


@pytest.mark.parametrize(
    "damage",
    [
        {"format": 99},
        {"at": 5},
        {"met": {"ann@a.example": "someone@else.example"}},
        {"unsettled": [[1, "s:0"]]},
        {"people": [{"person": "nobody@x.example"}]},
        {"people": 3},
    ],
)
def test_a_damaged_or_foreign_document_is_refused_and_leaves_the_fold_as_it_was(
    damage: dict[str, object],
) -> None:
    ann = "ann@a.example"
    items = [
        Interaction(source="s", item_id=str(n), kind=Kind.EMAIL, at=START + timedelta(hours=n),
                    sender=Mailbox(ME if n % 2 else ann), to=(Mailbox(ann if n % 2 else ME),))
        for n in range(3)
    ]  # fmt: skip
    people = Identities(persons={ann: Person(ann, (ann,), "Ann", "")}, person_of={ann: ann})
    threads = analyse_threads(items)
    fold = HistoryFold(items, threads, people, owner=OWNER, settings=SETTINGS)
    fold.fold_to(2)
    doc = json.loads(json.dumps(fold.doc((), START))) | damage
    again = HistoryFold(items, threads, people, owner=OWNER, settings=SETTINGS)
    with pytest.raises(ValueError):
        again.resume(doc)
    assert again.at == 0
    again.fold_to(3)
    now = START + timedelta(days=1)
    assert again.histories(now) == build_histories(
        items, threads, people, owner=OWNER, settings=SETTINGS, now=now
    )


def test_an_answer_before_the_cut_paired_with_a_message_after_it_keeps_that_pairing() -> None:
    """A skewed clock: the answer is dated before the cut, the message it names twenty days
    later. Folded before the cut, the answer was already paired with it (headers ignore time),
    which makes that later message two-way when it is folded after the cut."""
    ann = "ann@a.example"
    answer = Interaction(source="s", item_id="a", kind=Kind.EMAIL, at=START, sender=Mailbox(ann),
                         to=(Mailbox(ME),), message_id="<a@x>", in_reply_to="<p@x>")
    asked = Interaction(source="s", item_id="p", kind=Kind.EMAIL, at=START + timedelta(days=20),
                        sender=Mailbox(ME), to=(Mailbox(ann),), message_id="<p@x>")
    items = [answer, asked]  # fmt: skip
    people = Identities(persons={ann: Person(ann, (ann,), "Ann", "")}, person_of={ann: ann})
    threads = analyse_threads(items)
    pairing = ThreadFold(items)
    pairing.fold_to(1)
    kept = HistoryFold(items, threads, people, owner=OWNER, settings=SETTINGS)
    kept.fold_to(1)
    doc = json.loads(json.dumps(kept.doc(pairing.unsettled(), START)))
    assert doc["unsettled"] == [[0, "s:p"]] and doc["people"][0]["paired_later"] == ["s:p"]
    fold = HistoryFold(items, threads, people, owner=OWNER, settings=SETTINGS)
    fold.resume(doc)
    fold.fold_to(2)
    now = START + timedelta(days=21)
    got = fold.histories(now)
    assert got == build_histories(items, threads, people, owner=OWNER, settings=SETTINGS, now=now)
    assert [touch.two_way for touch in got[ann].touches] == [True, True]
