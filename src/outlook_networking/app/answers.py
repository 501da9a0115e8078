"""What ``contacts``, ``followups`` and ``contact ADDR`` answer, fresh or kept from the last
analysis.

An analysis reads every interaction (a minute at a million); most questions come while the store
is as it was at the last one. So whoever analyses the store (the agent's cycle, a reading
command: :func:`answered`; the report, ``review`` and ``ledger`` where no answers valid as of
the clock are kept) keeps its answers in the store (:func:`keep`): every contact's row
and card, every follow-up, and which address belongs to which contact, each as the JSON text it
prints as. They are served again (:func:`kept`) while all of this holds:

- the store's :meth:`~outlook_networking.store.Store.generation` is the one analysed (every
  write an analysis could see moves it: new mail, a merge, a follow-up done, a forget);
- the analysis settings they read, the language and the product's version are the same (the
  settings of key persons, ties, time invested and target organisations only the report,
  ``review`` and ``intro`` show);
- they are as of a moment at most :data:`MAX_AGE` ago (kept by the agent: until a later cycle
  has kept newer ones, which is the next one after new mail and, while nothing changes, the
  first after its hourly re-check: ``agent.cycle``), or, for a replay (``--now``), as of
  exactly that moment. Time alone changes answers (a reply becomes owed, a snooze ends, scores
  decay, all counted in days), so an answer is never older than that.

While the agent analyses a store that has just changed (:func:`analysing`: at a million
interactions, a minute after every sync that brings mail), the answers of the store as it was a
cycle ago still serve, for at most :data:`RENEWAL` and only while the store is the one being
analysed (:func:`renewing`): a read then answers in milliseconds, as of the last analysis, which
its ``as_of`` says, instead of analysing the store a second time beside the agent. A write of
the owner's own (``followups done``) is never hidden behind that: it moves the generation past
the one being analysed.

``followups done`` and ``followups snooze`` find the follow-up among the kept answers and take it
out of them, or move it, in the write that records the decision (:func:`done`, :func:`snooze`):
the owner's decisions are the last thing an analysis applies, to the follow-ups alone, so the
answers stay exactly a fresh analysis's and the next read needs none; ``review --save`` takes the
annual review's follow-up out of them likewise (:func:`review_saved`). Every other write ends
them (and so does a snooze that ends sooner than the follow-up's last one, the date it was
first due being no longer known, or in the very second another of its kind is listed as due:
which of the two comes first depends on fractions of a second the documents do not list). A
property test (Hypothesis) makes any sequence of decisions and compares the answers kept after
it with a fresh analysis.

A kept answer is exactly the document a fresh analysis gave at its ``as_of`` (a test compares
them for every contact of a real mailbox); the owner's notes, which no analysis reads, are read
fresh for every card. Someone who is no contact (whom the owner may know them through) needs
the whole analysis and is never kept.

Exports: ``MAX_AGE``, ``RENEWAL``, ``Answers``, ``Listed``, ``Open``, ``analysing``,
``answered``, ``current``, ``done``, ``fresh``, ``keep``, ``kept``, ``key_dates_entered``,
``renewing``, ``review_saved``, ``snooze``.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from .. import __version__
from ..config import Config
from ..core.followups import apply_decisions, urgency
from ..core.keydates import birthday_followups
from ..core.views import (
    SCHEMAS,
    contact_json,
    contact_row,
    followup_json,
    followups_json,
    iso,
    json_text,
    key_dates_json,
)
from ..errors import StoreError
from ..i18n import Wording
from ..model import KEY_DATE_KINDS, KeyDate
from ..parsing.addresses import normalise
from ..parsing.dates import parse_key_date
from ..store import AnswersEdit, Store
from .analysis import KEEP, Insight, Progress
from .cards import analysed_card, contact_card, with_notes

__all__ = [
    "MAX_AGE",
    "RENEWAL",
    "Answers",
    "Listed",
    "Open",
    "analysing",
    "answered",
    "current",
    "done",
    "fresh",
    "keep",
    "kept",
    "key_dates_entered",
    "renewing",
    "review_saved",
    "snooze",
]

MAX_AGE = timedelta(minutes=10)  # twice the agent's default interval
_LONGEST = timedelta(hours=2)  # however long an agent's interval
# How long the answers of the store as it was serve while an analysis of it as it is runs: the
# agent's analysis and keep take about 70 s at a million interactions on the development machine;
# a slow laptop, or one put to sleep mid-analysis, gets its margin. One that died stops counting.
RENEWAL = timedelta(minutes=15)

_ROWS, _FOLLOWUPS, _OWNER = "contacts:", "followups:", "owner"  # keys (ASCII)
_ROW_OF = "row:"  # a contact's row key (in the listing's order) by person, to edit it
_EVERY = 500  # contacts rendered between two reports of the keeping


def _card_key(person: str) -> str:
    return f"card:{person}"


def _address_key(address: str) -> str:
    return f"at:{address}"


class Listed(NamedTuple):
    """One follow-up as ``followups --json`` prints it (``text``: ``core.views.json_text``),
    with what the command chooses by."""

    kind: str
    tier: str | None
    contact: str | None
    text: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> Listed:
        return cls(row["kind"], row["tier"], row["contact"], json_text(row))

    def tag(self) -> str:
        return json.dumps([self.kind, self.tier, self.contact])


@dataclass(frozen=True)
class Open:
    """An open follow-up as the answers list it: what ``followups done`` and ``snooze`` act on
    and say (``name`` and ``tier`` are its contact's; None when it has no contact among the
    contacts, as the annual review)."""

    key: str
    item: str
    kind: str
    contact: str | None
    name: str | None
    tier: str | None
    due: datetime
    snoozed: bool

    @classmethod
    def of(cls, listed: Listed) -> Open:
        doc = json.loads(listed.text)
        return cls(
            key=doc["key"], item=doc["item"] or "", kind=doc["kind"], contact=doc["contact"],
            name=doc["name"], tier=doc["tier"], due=datetime.fromisoformat(doc["due"]),
            snoozed=doc["snoozed"],
        )  # fmt: skip


class Answers(Protocol):
    """The answers as of ``as_of``; :func:`answered`, :func:`fresh` or :func:`kept` makes
    them."""

    as_of: datetime
    owner: frozenset[str]  # the owner's addresses
    kept: bool  # read from the answers kept in the store (the next question gets them too)

    def contacts(
        self, tier: str | None = None, limit: int | None = None
    ) -> tuple[Iterable[str], int]:
        """The first ``limit`` (default: all) contacts' rows of ``contacts --json`` (only
        ``tier``'s, if given), strongest first, each as the JSON text it prints as
        (``core.views.json_text``: at a million interactions, parsing and printing 20,000 rows
        again would cost seconds, and holding them all hundreds of megabytes); and how many
        there are in all."""

    def followups(self) -> list[Listed]:
        """Every open follow-up as ``followups --json`` prints it, most pressing first."""

    def card(self, address: str) -> dict[str, Any] | None:
        """The card of the contact ``address`` belongs to (``contact ADDR --json`` without its
        envelope, items included), or None when it is no contact's."""


class _Fresh:
    kept = False

    def __init__(self, insight: Insight, store: Store, words: Wording) -> None:
        self.insight, self.store, self.words = insight, store, words
        self.as_of, self.owner = insight.network.now, insight.network.owner

    def contacts(
        self, tier: str | None = None, limit: int | None = None
    ) -> tuple[Iterable[str], int]:
        network = self.insight.network
        views = network.tier(tier) if tier else network.contacts
        return [
            json_text(contact_row(contact_json(view, self.as_of, self.words)))
            for view in views[: limit or None]
        ], len(views)

    def followups(self) -> list[Listed]:
        return [Listed.of(row) for row in followups_json(self.insight.network, words=self.words)]

    def card(self, address: str) -> dict[str, Any] | None:
        view = self.insight.network.find(address)
        if view is None:
            return None
        return contact_card(self.insight, self.store, view, self.as_of, self.words, with_items=True)


class _Kept:
    kept = True

    def __init__(self, store: Store, as_of: datetime) -> None:
        self.store, self.as_of = store, as_of
        self.owner = frozenset(self._load(_OWNER))

    def _load(self, key: str) -> Any:
        text = self.store.kept_answer(key)
        return None if text is None else json.loads(text)

    def contacts(
        self, tier: str | None = None, limit: int | None = None
    ) -> tuple[Iterable[str], int]:
        rows, total = self.store.kept_listing(_ROWS, tier, limit)
        return (text for _, text in rows), total

    def followups(self) -> list[Listed]:
        rows, _ = self.store.kept_listing(_FOLLOWUPS)
        listed = []
        for tag, text in rows:
            kind, tier, contact = json.loads(tag)
            listed.append(Listed(kind, tier, contact, text))
        return listed

    def card(self, address: str) -> dict[str, Any] | None:
        person = self._load(_address_key(normalise(address) or address))
        card = None if person is None else self._load(_card_key(person))
        return None if card is None else with_notes(card, self.store)


def fresh(insight: Insight, store: Store, words: Wording) -> Answers:
    """The answers of ``insight`` (an analysis of ``store``), in ``words``'s language."""
    return _Fresh(insight, store, words)


# Settings no kept answer reads: the key persons' graph ([graph]), the ties introductions rest
# on ([intro]), the time invested ([time]) and the organisations the review looks for
# ([targets]) reach only the report, `review` and `intro`, which analyse afresh. Changing one
# of them leaves the kept answers valid (tests/app/test_answers.py compares the documents).
_NOT_ANSWERED = frozenset({
    "graph_max_participants", "graph_max_edges", "graph_exact_nodes", "intro_max_participants",
    "weekly_target_hours", "minutes_per_mail_written", "minutes_per_mail_read",
    "target_organisations",
})  # fmt: skip


def _validity(config: Config, words: Wording) -> dict[str, Any]:
    """What else than the store kept answers depend on: the analysis settings they read (a
    digest: every one but :data:`_NOT_ANSWERED`), the language, the product's version and its
    documents' schemas."""
    scoring = dataclasses.asdict(config.settings)
    settings = {
        "settings": {k: v for k, v in scoring.items() if k not in _NOT_ANSWERED},
        "ledger": dataclasses.asdict(config.ledger),
    }
    canonical = json.dumps(
        settings,
        default=lambda o: sorted(o) if isinstance(o, (set, frozenset)) else str(o),
        sort_keys=True,
    )
    return {
        "settings": hashlib.sha256(canonical.encode()).hexdigest(),
        # The language, and the kind of wording (a test's pseudo-locale speaks "en" too).
        "language": f"{type(words).__module__}.{type(words).__qualname__}:{words.language}",
        "version": __version__,
        "schemas": dict(SCHEMAS),
    }


def kept(
    store: Store, config: Config, words: Wording, now: datetime, *, replay: bool = False
) -> Answers | None:
    """The kept answers if they still hold as of ``now`` (see the module docstring; ``replay``:
    ``now`` was given, and only answers as of exactly then do), else None.

    Kept answers are read from one moment of the store (:meth:`Store.hold`): the agent may keep
    newer ones while a command prints these."""
    store.hold()
    found = _kept(store, config, words, now, replay=replay)
    if found is None:
        store.release()
    return found


def _kept(
    store: Store, config: Config, words: Wording, now: datetime, *, replay: bool
) -> Answers | None:
    try:
        validity = store.kept_validity()
        if validity is None:
            return None
        generation = validity.get("generation")
        if generation != store.generation() and (
            not isinstance(generation, int) or not renewing(store, now)
        ):
            return None
        as_of = datetime.fromisoformat(validity["as_of"])
        fresh_for = timedelta(seconds=float(validity.get("fresh_for_s", 0)))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # damaged on disk: analysed again, and kept anew
    if replay and as_of != now:
        return None
    if not replay and not timedelta(0) <= now - as_of <= fresh_for:
        return None
    wanted = _validity(config, words)
    if any(validity.get(key) != value for key, value in wanted.items()):
        return None
    return _Kept(store, as_of)


def current(store: Store, config: Config, words: Wording) -> bool:
    """Whether answers valid as of the clock are kept (the agent's, or a read's): a replay
    (``--now``) does not replace them with its own, or every ordinary read after it would
    analyse the store again (a minute at a million interactions), and the agent, seeing nothing
    new, would not keep newer ones before its hourly re-check."""
    found = kept(store, config, words, datetime.now(UTC))
    store.release()
    return found is not None


def renewing(store: Store, now: datetime) -> bool:
    """Whether an analysis of ``store`` as it is now began less than :data:`RENEWAL` before
    ``now`` (:func:`analysing`) and has not kept its answers yet: what was kept (or analysed)
    of the store as it was a moment ago serves until then."""
    try:
        mark = store.answers_renewal()
        if mark is None or mark.get("generation") != store.generation():
            return False
        since = datetime.fromisoformat(mark["since"])
        return timedelta(0) <= now - since <= RENEWAL
    except (ValueError, TypeError, KeyError, AttributeError):
        return False  # damaged on disk: no renewal is under way


def analysing(store: Store, generation: int | None, now: datetime) -> None:
    """Say that an analysis of ``store`` at ``generation`` begins as of ``now`` (the agent's
    cycle, after its sync), so that readers meanwhile are served the answers kept before
    (:func:`renewing`); ``None``: it ended without keeping answers (it failed). Keeping its
    answers (:func:`keep`) ends it too. A store too busy to say so is not waited for."""
    if not store.read_only:
        store.renew_answers(generation, now.isoformat())


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), check_circular=False)


def keep(
    store: Store,
    insight: Insight,
    config: Config,
    words: Wording,
    generation: int,
    *,
    fresh_for: timedelta = MAX_AGE,
    progress: Progress | None = None,
) -> bool:
    """Keep the answers of ``insight``, an analysis of ``store`` at ``generation``, to be
    served for ``fresh_for`` after its ``now`` (the agent: until its next cycle has kept
    newer ones); False (and nothing kept) if the store has changed since. Store errors reach
    the caller. ``progress`` is told the contacts rendered (:data:`~.analysis.KEEP`)."""
    network = insight.network
    as_of = network.now
    total = len(network.contacts)

    def documents() -> Iterator[tuple[str, str, str]]:
        for place, view in enumerate(network.contacts):
            if progress is not None and not place % _EVERY:
                progress(KEEP, place, total)
            shown = contact_json(view, as_of, words)
            row_key = f"{_ROWS}{place:07d}"
            yield row_key, view.tier.tier, json_text(contact_row(shown))
            yield f"{_ROW_OF}{view.person.key}", "", row_key
            card = analysed_card(insight, view, as_of, words, with_items=True, shown=shown)
            yield _card_key(view.person.key), "", _json(card)
        for place, row in enumerate(followups_json(network, words=words)):
            listed = Listed.of(row)
            yield f"{_FOLLOWUPS}{place:07d}", listed.tag(), listed.text
        yield _OWNER, "", _json(sorted(network.owner))
        for address, person in network.identities.person_of.items():
            if person in network.by_person:
                yield _address_key(address), "", _json(person)

    validity = {
        **_validity(config, words),
        "as_of": as_of.isoformat(),
        "fresh_for_s": min(fresh_for, _LONGEST).total_seconds(),
    }
    # Rendered before the write transaction, which then holds the store only to write them,
    # and with the cyclic collector off: the analysis's millions of objects are still alive,
    # and each full collection the rendering's allocations set off would scan them all again
    # (a fifth of a cold read at a million interactions). Nothing rendered forms a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        docs = list(documents())
    finally:
        if collecting:
            gc.enable()
    return store.keep_answers(generation, validity, docs)


def done(store: Store, answers: Answers, followup: Open, at: datetime) -> bool:
    """Mark ``followup`` done (``followups done``), and where ``answers`` are the ones kept for
    the store as it is, take it out of them in the same write: out of the follow-ups and its
    contact's row and card. Nothing else an analysis gives depends on it (the owner's
    decisions are applied to the follow-ups last, ``app.analysis``), so they stay exactly what
    a fresh analysis as of their moment gives, and the next question needs none (a minute at
    a million interactions); ``tests/app/test_answers.py`` compares them. True if they were
    kept so; False where they then end, as after any other write."""
    gone = (followup.key, followup.item or None)

    def without(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [doc for doc in listed if (doc["key"], doc["item"]) != gone]

    edit = _edited(store, followup.contact, without) if answers.kept else None
    return store.mark_followup_done(followup.key, followup.item, at, answers=edit)


def snooze(store: Store, answers: Answers, followup: Open, until: datetime, at: datetime) -> bool:
    """Put ``followup`` off until ``until`` (``followups snooze``), and move it in the kept
    answers in the same write as :func:`done` takes one out, where that is exact: the snooze
    ends at a whole second after the due date they list (which, for a follow-up snoozed
    before, may be that snooze's end: the date it was first due is no longer known then), and
    no other follow-up of its kind listed as due in that same second could go either side of it
    (the documents list due dates to the second; the analysis orders by the exact ones)."""
    edit = None
    if answers.kept and until > followup.due and not until.microsecond:
        snoozed = until > answers.as_of

        def moved(listed: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
            rest = [doc for doc in listed if doc["key"] != followup.key]
            mine = next(doc for doc in listed if doc["key"] == followup.key)
            return _placed(rest, {**mine, "due": iso(until), "snoozed": snoozed})

        edit = _edited(store, followup.contact, moved)
    return store.snooze_followup(followup.key, until, at, answers=edit)


def review_saved(store: Store, snapshot: dict[str, Any]) -> bool:
    """Keep ``snapshot`` as the year's review (``review --save``), and where the answers kept
    for the store as it is are as of that same year, take the annual review's follow-up out of
    them in the same write, as :func:`done` takes one out: the saved review's year is all an
    analysis reads of it (``core.followups``: the follow-up lasts until the year's review is
    saved), so they stay exactly a fresh analysis's. True if they were kept so."""
    year = snapshot.get("year")
    validity = store.kept_validity() or {}
    edit = None
    with suppress(TypeError, ValueError):  # (answers damaged on disk: they end, as any others)
        if datetime.fromisoformat(str(validity.get("as_of"))).year == year:
            key = f"review:{year}"
            edit = _edited(store, None, lambda listed: [d for d in listed if d["key"] != key])
    return store.keep_review_snapshot(snapshot, answers=edit)


def key_dates_entered(
    store: Store,
    answers: Answers,
    config: Config,
    words: Wording,
    address: str,
    entered: Mapping[str, KeyDate | None],
) -> bool:
    """Enter the owner's ``entered`` dates (by kind) for ``address`` (``contact ADDR
    --birthday D``), and where ``answers`` are the ones kept for the store as it is, put them in
    the same write: the contact's key dates in their card and row, and their birthday's
    follow-up, new, moved or gone, in the list, the row and the card, as the analysis makes it
    (``core.keydates``: tiers come before key dates, and nothing else reads them), the owner's
    decisions about it applied. Not where another of the person's addresses has a date of the
    same kind entered (which of the two wins depends on their order), and not for a date
    removed (the address book's, if any, takes its place): the answers then end, as after any
    other write. True if they were kept so."""
    edit = None
    card = answers.card(address) if answers.kept and None not in entered.values() else None
    others = set(card["addresses"]) - {address} if card is not None else set()
    entered_too = any(set(k) & set(entered) for a, k in store.key_dates().items() if a in others)
    if card is not None and not entered_too:
        person, now = str(card["address"]), answers.as_of
        dates: dict[str, KeyDate | None] = {
            d["kind"]: parse_key_date(d["kind"], d["date"]) for d in card["key_dates"]
        }
        dates.update(entered)
        mine = tuple(
            sorted((d for d in dates.values() if d), key=lambda d: KEY_DATE_KINDS.index(d.kind))
        )
        due = _birthday(store, config, words, card, mine, now)

        def birthday(listed: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
            rest: list[dict[str, Any]] | None
            rest = [d for d in listed if (d["kind"], d["contact"]) != ("birthday", person)]
            for doc in due:
                rest = _placed(rest, doc) if rest is not None else None
            return rest

        edit = _edited(store, person, birthday, {"key_dates": key_dates_json(mine, now)})
    return store.set_key_dates(address, entered, answers=edit)


def _birthday(
    store: Store,
    config: Config,
    words: Wording,
    card: dict[str, Any],
    dates: tuple[KeyDate, ...],
    now: datetime,
) -> list[dict[str, Any]]:
    """The birthday follow-up the analysis as of ``now`` gives the contact of ``card`` with
    ``dates`` (none, or one), the owner's decisions applied, as ``followups --json`` lists it."""
    person, tier, name = str(card["address"]), str(card["tier"]), str(card["name"])
    found = birthday_followups(
        {person: dates},
        {person: tier},
        {person: name},
        days_ahead=config.settings.birthday_days_ahead,
        now=now,
    )
    decided = apply_decisions(found, store.followup_decisions(), now)
    return [_as_printed(followup_json(f, name, tier, words)) for f in decided]


def _as_printed(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` as the kept answers hold it: its JSON read back (dates as text)."""
    return json.loads(json_text(doc))  # type: ignore[no-any-return]


def _placed(listed: list[dict[str, Any]], doc: dict[str, Any]) -> list[dict[str, Any]] | None:
    """``listed`` (in the analysis's order) with ``doc`` where that order puts it; None where
    another of its kind is listed as due in the same second (which goes first depends on
    fractions of a second the documents do not list)."""
    place = _urgency(doc)
    if any(_urgency(other)[:3] == place[:3] for other in listed):
        return None
    before = sum(1 for other in listed if _urgency(other) < place)
    return [*listed[:before], doc, *listed[before:]]


def _urgency(doc: dict[str, Any]) -> tuple[bool, int, datetime, str]:
    return urgency(doc["snoozed"], doc["kind"], datetime.fromisoformat(doc["due"]), doc["key"])


def _edited(
    store: Store,
    contact: str | None,
    change: Callable[[list[dict[str, Any]]], list[dict[str, Any]] | None],
    shown: Mapping[str, Any] | None = None,
) -> AnswersEdit | None:
    """The kept answers with the follow-ups as ``change`` leaves them (in their order), in the
    list and in ``contact``'s row and card (and ``shown``'s fields in those two), if they are
    those of the store as it is (and ``change`` can say: None where it cannot)."""
    validity = store.kept_validity()
    generation = store.generation()
    if validity is None or validity.get("generation") != generation:
        return None  # kept for the store as it was: served only while the agent analyses
    keys, listed = [], []
    for key, _, text in store.kept_entries(_FOLLOWUPS):
        keys.append(key)
        listed.append(json.loads(text))
    after = change(listed)
    if after is None:
        return None
    docs: dict[str, tuple[str, str] | None] = {key: None for key in keys}
    for place, doc in enumerate(after):
        row = Listed.of(doc)
        docs[f"{_FOLLOWUPS}{place:07d}"] = row.tag(), row.text
    if contact is not None:  # a contact's: in their card and their row too
        theirs = [doc for doc in after if doc["contact"] == contact]
        card_key = _card_key(contact)
        card = store.kept_answer(card_key)
        row_key = store.kept_answer(f"{_ROW_OF}{contact}")
        if card is not None and row_key is not None:
            fields = {**(shown or {}), "followups": theirs}
            docs[card_key] = "", _json({**json.loads(card), **fields})
            for key, tier, text in store.kept_entries(row_key):
                docs[key] = tier, json_text({**json.loads(text), **fields})
    return AnswersEdit(generation, str(validity.get("as_of")), docs)


def answered(
    store: Store,
    insight: Insight,
    config: Config,
    words: Wording,
    generation: int,
    *,
    keeping: bool = True,
    progress: Progress | None = None,
) -> Answers:
    """The answers of ``insight``, an analysis of ``store`` at ``generation``: kept for the
    next question and served from what was kept (rendered once, the very text later reads
    get), or fresh where the store cannot keep them (read-only, busy, or changed since) or
    ``keeping`` is False. ``progress``: as :func:`keep`'s."""
    if keeping and not store.read_only:
        with suppress(StoreError):
            if keep(store, insight, config, words, generation, progress=progress):
                # Read as kept, unless another process has kept others already.
                store.hold()
                validity = store.kept_validity() or {}
                if (
                    validity.get("generation") == generation
                    and validity.get("as_of") == insight.network.now.isoformat()
                ):
                    return _Kept(store, insight.network.now)
                store.release()
    return _Fresh(insight, store, words)
