"""What the core says, as codes and numbers: the front ends put it into words.

The core explains itself (a tier's reasons, the smallest step up, a follow-up's reason and its
task title) without wording a sentence: it returns a :class:`Phrase`, a code with named values
(counts, days, names, subjects, dates, durations). One renderer
(:mod:`outlook_networking.i18n`) turns a phrase into English or German; the JSON documents carry
both the words and the code (:func:`phrase_json`), so a script can rely on the code while a
person reads the words.

Every code the core emits is listed in :data:`CODES` with the names of its values; a test holds
the renderer to that list, so a new code without words cannot slip through.

Exports: ``Phrase``, ``Value``, ``Words``, ``CODES``, ``phrase``, ``phrase_json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

__all__ = ["CODES", "Phrase", "Value", "Words", "phrase", "phrase_json"]

Value = int | float | str | date | timedelta | tuple[str, ...]

# code -> the names of its values. Names say what a value is: ``days`` a whole number of days,
# ``percent`` a whole per cent, ``ago``/``wait``/``target`` durations, ``name`` a person's display
# name (or address), ``subject`` a message subject ("" when it had none), ``tier`` A..D.
CODES: Mapping[str, tuple[str, ...]] = {
    # why a contact has their tier (core.tiers)
    "two_way_today": (),
    "days_since_two_way": ("days",),
    "started_share": ("percent",),
    "reciprocity": ("value", "sent", "received"),
    "meetings": ("count",),
    "role": ("role",),
    "pinned": ("tier",),
    "score_rank": ("score", "rank", "of"),
    "score": ("score",),
    "no_direct_contact": (),
    "one_way_only": (),
    "no_two_way_within": ("days",),
    # the smallest step up (core.tiers)
    "step_one_exchange": ("tier",),
    "step_meeting": ("tier",),
    "step_out_of_reach": ("tier",),
    "step_exchanges": ("exchanges", "tier"),
    "step_exchanges_or_meetings": ("exchanges", "meetings", "tier"),
    # follow-ups: the reason (core.followups, core.ledger)
    "owed_reply": ("name", "subject", "ago", "target"),
    "keep_in_touch": ("tier", "days", "cadence"),
    "cooling": ("name", "days", "usual"),
    "unreciprocated": ("name", "count", "since"),
    "awaiting_answer": ("subject", "ago", "name", "wait"),
    "awaiting_answer_no_rhythm": ("subject", "ago", "name", "wait"),
    "annual_review": ("year",),
    "thank_or_return": ("name", "introductions", "forwards", "answers", "days", "introduced"),
    "thank_for_asked": ("name", "introduced"),
    # the same reasons as a task's text, which stays true as time passes: ``on`` the day of the
    # message or of the last two-way contact instead of how long ago it was
    "owed_reply_on": ("name", "subject", "on", "target"),
    "keep_in_touch_on": ("tier", "on", "cadence"),
    "cooling_on": ("name", "on", "usual"),
    "awaiting_answer_on": ("subject", "on", "name", "wait"),
    "awaiting_answer_no_rhythm_on": ("subject", "on", "name", "wait"),
    # ``on`` the day, ``days`` how many days away, ``turns`` the age turned (0: year unknown)
    "birthday": ("name", "on", "days", "turns"),
    # follow-ups: the task title
    "task_owed_reply": ("name", "subject"),
    "task_keep_in_touch": ("name",),
    "task_cooling": ("name",),
    "task_unreciprocated": ("name",),
    "task_awaiting_answer": ("name", "subject"),
    "task_annual_review": ("year",),
    "task_thank_or_return": ("name",),
    "task_thank_for_asked": ("name",),
    "task_birthday": ("name", "on"),
    # why someone is a key person (core.keypersons)
    "connects_groups": ("count", "groups"),
    "on_many_paths": ("count",),
    # why two addresses are one person (core.identity); ``note`` the user's reason ("" if none)
    "merged_by_you": ("address", "other", "note"),
    "merged_one_card": ("address", "other", "name"),
    "merged_same_name": ("address", "other", "name", "organisation"),
    # how the mailbox's owner was found (core.owner, app.pipeline.settle_owner); ``of`` all
    # the messages counted
    "owner_given": (),
    "owner_detected_earlier": (),
    "owner_me_card": ("name",),
    "owner_sent_folder": ("count", "of"),
    "owner_undelivered": ("count", "of"),
    "owner_addressed": ("count", "of"),
}


@dataclass(frozen=True, slots=True)
class Phrase:
    """A code and its named values (see :data:`CODES`)."""

    code: str
    values: tuple[tuple[str, Value], ...] = ()

    def __getitem__(self, name: str) -> Value:
        for key, value in self.values:
            if key == name:
                return value
        raise KeyError(name)

    def as_dict(self) -> dict[str, Value]:
        return dict(self.values)


class Words(Protocol):
    """Whatever puts phrases into the words a person reads (``outlook_networking.i18n.Wording``);
    the JSON views take one, so the core itself never words anything."""

    def phrase(self, value: Phrase) -> str: ...

    def summary(self, tier: str, reasons: Iterable[Phrase]) -> str: ...


def phrase(code: str, **values: Value) -> Phrase:
    """A phrase with ``values`` named as :data:`CODES` says for ``code``."""
    expected = CODES[code]
    if set(values) != set(expected):
        raise ValueError(f"{code}: expected values {expected}, got {tuple(values)}")
    return Phrase(code, tuple((name, values[name]) for name in expected))


def phrase_json(value: Phrase) -> dict[str, Any]:
    """``{"code": ..., <values>}``: dates and times in ISO 8601, durations in seconds."""
    out: dict[str, Any] = {"code": value.code}
    for name, item in value.values:
        if isinstance(item, timedelta):
            out[name] = int(item.total_seconds())
        elif isinstance(item, datetime | date):
            out[name] = item.isoformat()
        elif isinstance(item, tuple):
            out[name] = list(item)
        else:
            out[name] = item
    return out
