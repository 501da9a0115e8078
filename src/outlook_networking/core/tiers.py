"""Tiers A–D, each with its reasons in numbers and the smallest step that would move a contact up.

Rules (defaults in :class:`.settings.Settings`, documented in ``docs/scoring.md``):

- **eligible**: two-way contact within ``active_days`` (a year). Everyone else is **D**: no two-way
  contact in a year, or only one-way traffic, or only an address-book card.
- The eligible are ranked by score: **A** is the top ``a_share`` (rounded up, at most ``a_max``),
  **B** the next ``b_share`` (rounded up), **C** the rest.
- A tier pinned in the configuration (``[tiers.pinned]``) wins; pinned people are left out of the
  ranking so they do not push others around.

The reasons and the step up are :class:`~.phrase.Phrase` values (codes and numbers); the front
ends put them into words (:mod:`outlook_networking.i18n`).

Exports: ``TierAssignment``, ``assign_tiers``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .history import ContactHistory
from .identity import Identities
from .phrase import Phrase, phrase
from .scoring import Strength, exchange_gain, meeting_gain, shown_score
from .settings import Settings

__all__ = ["TierAssignment", "assign_tiers"]

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class TierAssignment:
    """A person's tier, why, and what would move them up."""

    person: str
    tier: str
    rank: int | None  # 1-based among the ranked (eligible, unpinned); None otherwise
    pinned: bool
    reasons: tuple[Phrase, ...]
    next_step: Phrase | None  # None when there is no step up (A, or pinned)


def _needed_total(score: float, settings: Settings) -> float:
    """The decayed weight ``S`` at which the score exceeds ``score``."""
    if score >= 100.0:
        return math.inf
    return -settings.saturation * math.log(1.0 - score / 100.0)


def assign_tiers(
    histories: Mapping[str, ContactHistory],
    strengths: Mapping[str, Strength],
    identities: Identities,
    *,
    settings: Settings,
    now: datetime,
) -> dict[str, TierAssignment]:
    """The tier of every person in ``histories``."""
    now_ts = now.timestamp()
    active_from = now_ts - settings.active_days * DAY
    pinned: dict[str, str] = {}
    for address, tier in settings.pinned.items():
        person = identities.person_of.get(address)
        if person is not None:
            pinned[person] = tier
    roles = {
        identities.person_of[a]: role
        for a, role in settings.roles.items()
        if a in identities.person_of
    }

    def eligible(history: ContactHistory) -> bool:
        last = history.last_two_way
        return last is not None and last.timestamp() >= active_from

    ranked = sorted(
        (p for p, h in histories.items() if p not in pinned and eligible(h)),
        key=lambda p: (-strengths[p].score, p),
    )
    n = len(ranked)
    n_a = min(settings.a_max, math.ceil(settings.a_share * n - 1e-9))
    n_b = min(n - n_a, math.ceil(settings.b_share * n - 1e-9))
    tier_of: dict[str, str] = {}
    rank_of: dict[str, int] = {}
    for i, person in enumerate(ranked):
        tier_of[person] = "A" if i < n_a else "B" if i < n_a + n_b else "C"
        rank_of[person] = i + 1
    # The lowest score in A and in B: what a contact has to beat to join them.
    cutoff = {
        "A": strengths[ranked[n_a - 1]].score if n_a else 0.0,
        "B": strengths[ranked[n_a + n_b - 1]].score if n_a + n_b else 0.0,
    }

    result: dict[str, TierAssignment] = {}
    for person, history in histories.items():
        strength = strengths[person]
        reasons = _reasons(history, strength, settings, now_ts)
        role = roles.get(person)
        if role:
            reasons.append(phrase("role", role=role))
        if person in pinned:
            tier = pinned[person]
            reasons.insert(0, phrase("pinned", tier=tier))
            result[person] = TierAssignment(person, tier, None, True, tuple(reasons), None)
            continue
        if person in tier_of:
            tier = tier_of[person]
            reasons.append(
                phrase("score_rank", score=shown_score(strength.score), rank=rank_of[person], of=n)
            )
            step = _step_up(tier, strength, cutoff, n_a, n_b, settings)
        else:
            tier = "D"
            reasons.insert(0, _why_d(history, settings))
            reasons.append(phrase("score", score=shown_score(strength.score)))
            step = _step_from_d(strength, cutoff, n_a, n_b, settings)
        result[person] = TierAssignment(
            person, tier, rank_of.get(person), False, tuple(reasons), step
        )
    return result


def _reasons(
    history: ContactHistory, strength: Strength, settings: Settings, now_ts: float
) -> list[Phrase]:
    reasons: list[Phrase] = []
    if history.last_two_way is not None:
        days = int((now_ts - history.last_two_way.timestamp()) // DAY)
        reasons.append(
            phrase("two_way_today") if days == 0 else phrase("days_since_two_way", days=days)
        )
    share = history.started_share
    if share is not None:
        reasons.append(phrase("started_share", percent=round(share * 100)))
    if history.sent or history.received:
        reasons.append(
            phrase(
                "reciprocity",
                value=round(history.reciprocity, 1),
                sent=history.sent,
                received=history.received,
            )
        )
    if history.meetings:
        reasons.append(phrase("meetings", count=history.meetings))
    return reasons


def _why_d(history: ContactHistory, settings: Settings) -> Phrase:
    if not history.sent and not history.received and not history.meetings:
        return phrase("no_direct_contact")
    if history.last_two_way is None:
        return phrase("one_way_only")
    return phrase("no_two_way_within", days=settings.active_days)


def _phrase(delta: float, target: str, settings: Settings) -> Phrase:
    exchange = exchange_gain(settings)
    meeting = meeting_gain(settings)
    if delta <= exchange:
        return phrase("step_one_exchange", tier=target)
    if delta <= meeting:
        return phrase("step_meeting", tier=target)
    if math.isinf(delta):
        return phrase("step_out_of_reach", tier=target)
    exchanges = math.ceil(delta / exchange)
    if meeting <= 0:
        return phrase("step_exchanges", exchanges=exchanges, tier=target)
    meetings = math.ceil(delta / meeting)
    return phrase("step_exchanges_or_meetings", exchanges=exchanges, meetings=meetings, tier=target)


def _step_up(
    tier: str,
    strength: Strength,
    cutoff: Mapping[str, float],
    n_a: int,
    n_b: int,
    settings: Settings,
) -> Phrase | None:
    if tier == "A":
        return None
    target = "B" if tier == "C" and n_b else "A"
    if target == "A" and not n_a:
        return None
    delta = max(0.0, _needed_total(cutoff[target], settings) - strength.total) + 1e-9
    return _phrase(delta, target, settings)


def _step_from_d(
    strength: Strength,
    cutoff: Mapping[str, float],
    n_a: int,
    n_b: int,
    settings: Settings,
) -> Phrase:
    # Any two-way contact makes them eligible; with it they land in C, or higher if the
    # exchange lifts them past a cutoff.
    after = strength.total + exchange_gain(settings)
    target = "C"
    if n_b and after > _needed_total(cutoff["B"], settings):
        target = "B"
    if n_a and after > _needed_total(cutoff["A"], settings):
        target = "A"
    return phrase("step_one_exchange", tier=target)
