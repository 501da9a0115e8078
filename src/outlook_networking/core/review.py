"""The annual review (the Christmas-card pass): each tier's list, what changed since last year,
the D clean-up list and the target organisations nobody in A or B covers.

It takes last year's snapshot as data and returns this year's as data (``Review.snapshot``, a plain
JSON-ready dict: ``{"version": 1, "year": 2026, "at": "...Z", "tiers": {person: tier}}``); the
CLI stores it. Nothing here reads or writes anything.

Exports: ``ReviewEntry``, ``TierChange``, ``Review``, ``build_review``, ``covers``,
``belongs_to``, ``targets_without_ab``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..model import TIERS
from .contact import ContactView
from .settings import Settings

__all__ = [
    "Review",
    "ReviewEntry",
    "TierChange",
    "belongs_to",
    "build_review",
    "covers",
    "targets_without_ab",
]

SNAPSHOT_VERSION = 1
_ORDER = {tier: rank for rank, tier in enumerate(TIERS)}


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    person: str
    name: str
    organisation: str
    tier: str
    previous_tier: str | None  # None: not in last year's review
    score: float
    last_contact: datetime | None


@dataclass(frozen=True, slots=True)
class TierChange:
    person: str
    name: str
    before: str | None  # None: new since last year
    after: str | None  # None: gone (no longer in the data)

    @property
    def direction(self) -> str:
        if self.before is None:
            return "new"
        if self.after is None:
            return "gone"
        return "up" if _ORDER[self.after] < _ORDER[self.before] else "down"


@dataclass(frozen=True)
class Review:
    year: int
    at: datetime
    previous_year: int | None
    tiers: Mapping[str, tuple[ReviewEntry, ...]]  # "A".."D", each by score
    changes: tuple[TierChange, ...]
    cleanup: tuple[ReviewEntry, ...]  # D: who drops out of the card list
    targets_without_ab: tuple[str, ...]
    snapshot: dict[str, Any]


def belongs_to(organisation: str, addresses: Iterable[str], wanted: str) -> bool:
    """Someone of ``organisation`` with ``addresses`` is at ``wanted``: by name, or by
    (sub)domain."""
    wanted = wanted.casefold().strip()
    if organisation.casefold() == wanted:
        return True
    return any(
        (domain := a.rpartition("@")[2]) == wanted or domain.endswith("." + wanted)
        for a in addresses
    )


def covers(contact: ContactView, organisation: str) -> bool:
    """The contact belongs to a target organisation: by name, or by (sub)domain."""
    return belongs_to(contact.person.organisation, contact.person.addresses, organisation)


def targets_without_ab(contacts: Sequence[ContactView], settings: Settings) -> tuple[str, ...]:
    """The ``[targets]`` organisations where the owner has no contact in tier A or B."""
    ab = [c for c in contacts if c.tier.tier in ("A", "B")]
    return tuple(t for t in settings.target_organisations if not any(covers(c, t) for c in ab))


def build_review(
    contacts: Sequence[ContactView],
    previous: Mapping[str, Any] | None,
    settings: Settings,
    now: datetime,
) -> Review:
    """This year's review against last year's snapshot (``None`` on the first review)."""
    before: dict[str, str] = {}
    previous_year: int | None = None
    if previous:
        raw = previous.get("tiers")
        if isinstance(raw, Mapping):
            before = {str(k): str(v) for k, v in raw.items() if v in _ORDER}
        year = previous.get("year")
        previous_year = year if isinstance(year, int) else None

    tiers: dict[str, list[ReviewEntry]] = {t: [] for t in _ORDER}
    changes: list[TierChange] = []
    seen: set[str] = set()
    # A person merged since last year keeps their history under any of their addresses.
    for contact in contacts:
        key = contact.person.key
        old_key = next((a for a in contact.person.addresses if a in before), None)
        old = before.get(old_key) if old_key else None
        seen.update(contact.person.addresses)
        entry = ReviewEntry(
            person=key,
            name=contact.person.name,
            organisation=contact.person.organisation,
            tier=contact.tier.tier,
            previous_tier=old,
            score=round(contact.strength.score, 1),
            last_contact=contact.history.last_contact,
        )
        tiers[entry.tier].append(entry)
        if previous is not None and old != entry.tier and not (old is None and entry.tier == "D"):
            changes.append(TierChange(key, entry.name, old, entry.tier))
    for key, old in sorted(before.items()):
        if key not in seen:
            changes.append(TierChange(key, key, old, None))
    changes.sort(key=lambda c: (_change_order(c), c.name.casefold(), c.person))

    cleanup = sorted(
        tiers["D"],
        key=lambda e: (
            _ORDER.get(e.previous_tier or "D", 3),  # who fell from a higher tier first
            -(e.last_contact.timestamp() if e.last_contact else 0.0),
            e.person,
        ),
    )
    missing = targets_without_ab(contacts, settings)
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "year": now.year,
        "at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tiers": {c.person.key: c.tier.tier for c in contacts},
    }
    return Review(
        year=now.year,
        at=now,
        previous_year=previous_year,
        tiers={t: tuple(v) for t, v in tiers.items()},
        changes=tuple(changes),
        cleanup=tuple(cleanup),
        targets_without_ab=missing,
        snapshot=snapshot,
    )


def _change_order(change: TierChange) -> int:
    return {"up": 0, "down": 1, "new": 2, "gone": 3}[change.direction]
