"""What the owner should do next: follow-ups with stable keys, due dates and reasons.

Each kind appears while its condition holds and disappears by itself when it no longer does; the
key stays the same across runs for as long as the same situation lasts, so a task written from it
is updated, not duplicated:

- ``owed_reply`` (key ``owed:<item>``): a direct message to the owner (owner in To, not noise,
  at most ``direct_max_recipients`` recipients, within ``owed_lookback_days``) with no reply and
  no later mail from the owner to its sender after ``reply_within_h``.
- ``keep_in_touch`` (``touch:<person>:<last two-way day>``): a tier's cadence (A 30, B 90, C 180
  days) has passed since the last two-way contact. Any two-way interaction starts a new window.
- ``cooling`` (``cooling:<person>:<last two-way day>``): the silence since the last two-way
  contact is beyond ``cooling_factor`` × the person's own usual (median) gap, beyond their long
  gaps (90th percentile) and at least ``cooling_min_days``, for people with a rhythm (six or more
  episodes of two-way contact), until they drop out of the active year.
- ``awaiting_answer`` (``await:<item>``): the owner's latest direct message (person in To) is
  still unanswered after the person's own 90th-percentile reply latency (at least a day; when
  fewer than three of their replies were measured, ``awaiting_default_days``), for at most
  ``owed_lookback_days``.
- Neither ``keep_in_touch`` nor ``cooling`` is raised for someone with a meeting already planned.
- ``unreciprocated`` (``unreciprocated:<person>:<first approach>``):
  ``unreciprocated_approaches`` or more approaches in a row with no answer, the first at least
  ``unreciprocated_days`` ago. It replaces ``awaiting_answer`` for that person.
- ``annual_review`` (``review:<year>``): from a week before the review day until the year's
  review snapshot exists.

The owner's own decisions (:class:`Decisions`, kept in the store) come last:
:func:`apply_decisions` drops a follow-up marked done (until the situation changes: a new message
for the same key brings it back) and moves a snoozed one's due date to the end of the snooze.

Every list of follow-ups a person reads is ordered by :func:`by_urgency`: someone waiting for the
owner first, then open loops, then upkeep (:data:`URGENCY`), each kind oldest due first, snoozed
ones last. :func:`short_key` is the few characters a person types for a key.

Exports: ``FollowUp``, ``KINDS``, ``URGENCY``, ``Decisions``, ``find_followups``,
``review_date``, ``by_urgency``, ``urgency``, ``apply_decisions``, ``short_key``, ``matching``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

from .history import ContactHistory
from .identity import Identities
from .phrase import Phrase, phrase
from .settings import Settings
from .threads import item_key
from .tiers import TierAssignment

__all__ = [
    "KINDS",
    "URGENCY",
    "Decisions",
    "FollowUp",
    "apply_decisions",
    "by_urgency",
    "find_followups",
    "matching",
    "review_date",
    "short_key",
    "urgency",
]

KINDS = (
    "owed_reply",
    "keep_in_touch",
    "cooling",
    "awaiting_answer",
    "unreciprocated",
    "annual_review",
)
# Most pressing first: someone waits for the owner, then open loops, then upkeep. The ledger's
# "thank or return the favour" (core.ledger) is ranked here too, so every list agrees.
URGENCY = (
    "owed_reply",
    "awaiting_answer",
    "thank_or_return",
    "unreciprocated",
    "birthday",
    "annual_review",
    "cooling",
    "keep_in_touch",
)
_RANK = {kind: rank for rank, kind in enumerate(URGENCY)}
SHORT_KEY_LENGTH = 7
MIN_AWAIT = timedelta(days=1)
MIN_COOLING_SAMPLES = 5  # gaps, i.e. six episodes of two-way contact: a rhythm, not a burst


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One thing to do, for one contact (``contact`` is empty for the annual review).

    ``reason`` and ``subject`` (the task title) are codes and values; the front ends word them.
    ``note`` is the task's text where the reason says how long ago something was: the same
    reason with the day it happened, which stays true in the mailbox (a task saying "5 days
    ago" would be wrong tomorrow, or be written again every day, or every hour below two days).
    """

    key: str
    kind: str
    contact: str
    due: datetime
    reason: Phrase
    subject: Phrase  # a task title
    item: str = ""  # the interaction it is about (``source:item_id``), if any
    snoozed: bool = False  # the owner snoozed it: ``due`` is the end of the snooze, still ahead
    note: Phrase | None = None  # the task's text, where it is not the reason (see above)

    @property
    def task_text(self) -> Phrase:
        """What the follow-up's task says: its :attr:`note`, else its reason."""
        return self.note if self.note is not None else self.reason


@dataclass(frozen=True)
class Decisions:
    """What the owner decided about follow-ups (``followups done`` / ``followups snooze``).

    ``done`` maps a key to the ``item`` the follow-up had when it was marked done: a follow-up
    whose key stays the same while its situation changes (a new favour behind
    ``thank_or_return:<person>``) comes back with its new item. ``snoozed`` maps a key to the
    time the snooze ends.
    """

    done: Mapping[str, str] = field(default_factory=dict)
    snoozed: Mapping[str, datetime] = field(default_factory=dict)


def short_key(key: str) -> str:
    """Seven hex digits standing for ``key`` (a hash, stable across runs like the key)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:SHORT_KEY_LENGTH]


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


_K = TypeVar("_K", bound=_Keyed)


def matching(followups: Iterable[_K], text: str) -> list[_K]:
    """The follow-ups ``text`` names: its whole key, or the start (four characters or more) of
    its short key. More than one means ``text`` is ambiguous. (Any follow-up with a ``key``: a
    :class:`FollowUp` or one as the kept answers list it.)"""
    wanted = text.strip()
    found = [f for f in followups if f.key == wanted]
    if found or len(wanted) < 4:
        return found
    return [f for f in followups if short_key(f.key).startswith(wanted.lower())]


def urgency(snoozed: bool, kind: str, due: datetime, key: str) -> tuple[bool, int, datetime, str]:
    """Where a follow-up goes in :func:`by_urgency`'s order (a follow-up's fields, so that a
    follow-up as the kept answers list it sorts the same)."""
    return (snoozed, _RANK.get(kind, len(_RANK)), due, key)


def _urgency(followup: FollowUp) -> tuple[bool, int, datetime, str]:
    return urgency(followup.snoozed, followup.kind, followup.due, followup.key)


def by_urgency(followups: Iterable[FollowUp]) -> tuple[FollowUp, ...]:
    """Most pressing first (see :data:`URGENCY`); within a kind the longest due first; snoozed
    follow-ups after all others."""
    return tuple(sorted(followups, key=_urgency))


def apply_decisions(
    followups: Iterable[FollowUp], decisions: Decisions, now: datetime
) -> tuple[FollowUp, ...]:
    """The follow-ups still open after the owner's decisions, by urgency.

    Done ones are left out while their item is the one they were done for; a snooze moves the
    due date to its end (a snooze ending before the due date changes nothing), and the task
    written from it moves with it.
    """
    kept: list[FollowUp] = []
    for followup in followups:
        done_for = decisions.done.get(followup.key)
        if done_for is not None and done_for == followup.item:
            continue
        until = decisions.snoozed.get(followup.key)
        if until is not None and until > followup.due:
            followup = replace(followup, due=until, snoozed=until > now)
        kept.append(followup)
    return by_urgency(kept)


def review_date(year: int, settings: Settings) -> datetime:
    return datetime(year, settings.review_month, settings.review_day, 9, tzinfo=UTC)


def find_followups(
    histories: Mapping[str, ContactHistory],
    tiers: Mapping[str, TierAssignment],
    identities: Identities,
    *,
    settings: Settings,
    now: datetime,
    last_review_year: int | None = None,
    upcoming: Mapping[str, datetime] | None = None,
) -> list[FollowUp]:
    """Every open follow-up as of ``now``, most pressing first (:func:`by_urgency`).

    ``upcoming`` maps people to their next planned meeting: no keep-in-touch or cooling reminder
    for someone the owner is about to meet anyway.
    """
    upcoming = upcoming or {}
    found: list[FollowUp] = []
    reply_within = timedelta(hours=settings.reply_within_h)
    for person, history in histories.items():
        name = identities.persons[person].name if person in identities.persons else person
        tier = tiers[person].tier if person in tiers else "D"
        for message in history.owed:
            due = message.at + reply_within
            if now >= due:
                found.append(
                    FollowUp(
                        key=f"owed:{item_key(message)}",
                        kind="owed_reply",
                        contact=person,
                        due=due,
                        reason=phrase(
                            "owed_reply",
                            name=name,
                            subject=message.subject,
                            ago=now - message.at,
                            target=reply_within,
                        ),
                        subject=phrase("task_owed_reply", name=name, subject=message.subject),
                        item=item_key(message),
                        note=phrase(
                            "owed_reply_on",
                            name=name,
                            subject=message.subject,
                            on=message.at.date(),
                            target=reply_within,
                        ),
                    )
                )
        if person not in upcoming:
            found.extend(_rhythm(person, name, tier, history, settings, now))
        found.extend(_approaches(person, name, history, settings, now))
    review = review_date(now.year, settings)
    if last_review_year != now.year and review - timedelta(days=7) <= now:
        found.append(
            FollowUp(
                key=f"review:{now.year}",
                kind="annual_review",
                contact="",
                due=review,
                reason=phrase("annual_review", year=now.year),
                subject=phrase("task_annual_review", year=now.year),
            )
        )
    return list(by_urgency(found))


def _rhythm(
    person: str,
    name: str,
    tier: str,
    history: ContactHistory,
    settings: Settings,
    now: datetime,
) -> list[FollowUp]:
    last = history.last_two_way
    if last is None:
        return []
    found: list[FollowUp] = []
    silent_days = (now - last).total_seconds() / 86400
    day = last.date().isoformat()
    cadence = settings.cadence_days(tier)
    if cadence is not None and silent_days >= cadence:
        found.append(
            FollowUp(
                key=f"touch:{person}:{day}",
                kind="keep_in_touch",
                contact=person,
                due=last + timedelta(days=cadence),
                reason=phrase(
                    "keep_in_touch", tier=tier, days=int(silent_days), cadence=cadence
                ),
                subject=phrase("task_keep_in_touch", name=name),
                note=phrase("keep_in_touch_on", tier=tier, on=last.date(), cadence=cadence),
            )
        )
    gap = history.usual_gap_days
    if (
        gap is not None
        and history.gap_samples >= MIN_COOLING_SAMPLES
        and silent_days <= settings.active_days
    ):
        threshold = max(
            settings.cooling_factor * gap,
            float(history.long_gap_days or 0),
            float(settings.cooling_min_days),
        )
        if silent_days > threshold:
            found.append(
                FollowUp(
                    key=f"cooling:{person}:{day}",
                    kind="cooling",
                    contact=person,
                    due=last + timedelta(days=threshold),
                    reason=phrase("cooling", name=name, days=int(silent_days), usual=gap),
                    subject=phrase("task_cooling", name=name),
                    note=phrase("cooling_on", name=name, on=last.date(), usual=gap),
                )
            )
    return found


def _approaches(
    person: str, name: str, history: ContactHistory, settings: Settings, now: datetime
) -> list[FollowUp]:
    first = history.unanswered_first
    nth = history.unanswered_nth
    if first is not None and nth is not None:
        due = max(nth.at, first.at + timedelta(days=settings.unreciprocated_days))
        if now >= due:
            return [
                FollowUp(
                    key=f"unreciprocated:{person}:{item_key(first)}",
                    kind="unreciprocated",
                    contact=person,
                    due=due,
                    reason=phrase(
                        "unreciprocated",
                        name=name,
                        count=history.unanswered_run,
                        since=first.at.date(),
                    ),
                    subject=phrase("task_unreciprocated", name=name),
                    item=item_key(first),
                )
            ]
    last = history.last_unanswered
    # Past the look-back horizon an unanswered message is history, not a nudge.
    if last is None or now - last.at > timedelta(days=settings.owed_lookback_days):
        return []
    if history.their_latency_samples >= 3 and history.their_latency_p90_s is not None:
        wait = max(MIN_AWAIT, timedelta(seconds=history.their_latency_p90_s))
        code = "awaiting_answer"
    else:
        wait = timedelta(days=settings.awaiting_default_days)
        code = "awaiting_answer_no_rhythm"
    due = last.at + wait
    if now < due:
        return []
    return [
        FollowUp(
            key=f"await:{item_key(last)}",
            kind="awaiting_answer",
            contact=person,
            due=due,
            reason=phrase(code, subject=last.subject, ago=now - last.at, name=name, wait=wait),
            subject=phrase("task_awaiting_answer", name=name, subject=last.subject),
            item=item_key(last),
            note=phrase(
                f"{code}_on", subject=last.subject, on=last.at.date(), name=name, wait=wait
            ),
        )
    ]

