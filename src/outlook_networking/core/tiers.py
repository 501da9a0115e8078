"""Tiers A–D, each with its reasons in numbers and the smallest step that would move a contact up.

Rules (defaults in :class:`.settings.Settings`, documented in ``docs/scoring.md``):

- **eligible**: two-way contact within ``active_days`` (a year). Everyone else is **D**: no two-way
  contact in a year, or only one-way traffic, or only an address-book card.
- The eligible are ranked by score: **A** is the top ``a_share`` (rounded up, at most ``a_max``),
  **B** the next ``b_share`` (rounded up), **C** the rest.
- A tier pinned in the configuration (``[tiers.pinned]``) wins; pinned people are left out of the
  ranking so they do not push others around.

Exports: ``TierAssignment``, ``assign_tiers``, ``explain``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .history import ContactHistory
from .identity import Identities
from .scoring import Strength, exchange_gain, meeting_gain, shown_score
from .settings import Settings

__all__ = ["TierAssignment", "assign_tiers", "explain"]

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class TierAssignment:
    """A person's tier, why, and what would move them up."""

    person: str
    tier: str
    rank: int | None  # 1-based among the ranked (eligible, unpinned); None otherwise
    pinned: bool
    reasons: tuple[str, ...]
    next_step: str  # "" when there is no step up (A, or pinned)


def explain(assignment: TierAssignment) -> str:
    """One line: ``"B: 94 days since last two-way contact, you started 80 % of threads, ..."``."""
    return f"{assignment.tier}: " + ", ".join(assignment.reasons)


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
            reasons.append(f"role: {role}")
        if person in pinned:
            tier = pinned[person]
            reasons.insert(0, f"pinned to {tier} in the configuration")
            result[person] = TierAssignment(person, tier, None, True, tuple(reasons), "")
            continue
        if person in tier_of:
            tier = tier_of[person]
            reasons.append(f"score {shown_score(strength.score)}, rank {rank_of[person]} of {n}")
            step = _step_up(tier, strength, cutoff, n_a, n_b, settings)
        else:
            tier = "D"
            reasons.insert(0, _why_d(history, settings))
            reasons.append(f"score {shown_score(strength.score)}")
            step = _step_from_d(strength, cutoff, n_a, n_b, settings)
        result[person] = TierAssignment(
            person, tier, rank_of.get(person), False, tuple(reasons), step
        )
    return result


def _reasons(
    history: ContactHistory, strength: Strength, settings: Settings, now_ts: float
) -> list[str]:
    reasons: list[str] = []
    if history.last_two_way is not None:
        days = int((now_ts - history.last_two_way.timestamp()) // DAY)
        reasons.append(
            "two-way contact today"
            if days == 0
            else f"{days} {'day' if days == 1 else 'days'} since last two-way contact"
        )
    share = history.started_share
    if share is not None:
        reasons.append(f"you started {round(share * 100)} % of threads")
    if history.sent or history.received:
        reasons.append(
            f"reciprocity {history.reciprocity:.1f} "
            f"({history.sent} sent, {history.received} received)"
        )
    if history.meetings:
        reasons.append(f"{history.meetings} meeting{'s' if history.meetings != 1 else ''}")
    return reasons


def _why_d(history: ContactHistory, settings: Settings) -> str:
    if not history.sent and not history.received and not history.meetings:
        return "no direct interactions (only an address-book card, or only in copy with you)"
    if history.last_two_way is None:
        return "only one-way traffic"
    return f"no two-way contact in the last {settings.active_days} days"


def _phrase(delta: float, target: str, settings: Settings) -> str:
    exchange = exchange_gain(settings)
    meeting = meeting_gain(settings)
    if delta <= exchange:
        return f"one two-way exchange would move them to {target}"
    if delta <= meeting:
        return f"a meeting would move them to {target}"
    if math.isinf(delta):
        return f"{target} is out of reach for now: its members are at the top of the scale"
    exchanges = math.ceil(delta / exchange)
    meetings = math.ceil(delta / meeting) if meeting > 0 else 0
    more = f" (or {meetings} meetings)" if meeting > 0 else ""
    return f"{exchanges} two-way exchanges{more} would move them to {target}"


def _step_up(
    tier: str,
    strength: Strength,
    cutoff: Mapping[str, float],
    n_a: int,
    n_b: int,
    settings: Settings,
) -> str:
    if tier == "A":
        return ""
    target = "B" if tier == "C" and n_b else "A"
    if target == "A" and not n_a:
        return ""
    delta = max(0.0, _needed_total(cutoff[target], settings) - strength.total) + 1e-9
    return _phrase(delta, target, settings)


def _step_from_d(
    strength: Strength,
    cutoff: Mapping[str, float],
    n_a: int,
    n_b: int,
    settings: Settings,
) -> str:
    # Any two-way contact makes them eligible; with it they land in C, or higher if the
    # exchange lifts them past a cutoff.
    after = strength.total + exchange_gain(settings)
    target = "C"
    if n_b and after > _needed_total(cutoff["B"], settings):
        target = "B"
    if n_a and after > _needed_total(cutoff["A"], settings):
        target = "A"
    return f"one two-way exchange would move them to {target}"
