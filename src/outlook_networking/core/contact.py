"""One person as every output shows them: who they are, their history, score, tier, open
follow-ups and key dates.

The network (:mod:`.network`) builds these; the review, the JSON views, the report and the
exports read them.

Exports: ``ContactView``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..model import KeyDate
from .followups import FollowUp
from .history import ContactHistory
from .identity import Person
from .phrase import Phrase
from .scoring import Strength
from .tiers import TierAssignment

__all__ = ["ContactView"]


@dataclass(frozen=True)
class ContactView:
    """One person as every output shows them."""

    person: Person
    history: ContactHistory
    strength: Strength
    tier: TierAssignment
    role: str
    followups: tuple[FollowUp, ...]
    next_meeting: datetime | None = None  # the next meeting with them already planned
    key_dates: tuple[KeyDate, ...] = ()  # birthday and anniversary (.keydates)

    @property
    def address(self) -> str:
        return self.person.key

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.person.addresses

    @property
    def organisation(self) -> str:
        return self.person.organisation

    @property
    def score(self) -> float:
        return self.strength.score

    @property
    def reasons(self) -> tuple[Phrase, ...]:
        return self.tier.reasons

    @property
    def next_step(self) -> Phrase | None:
        return self.tier.next_step
