"""The strength score: how alive a relationship is, 0–100, explained in ``docs/scoring.md``.

Every interaction before ``now`` contributes its weight, halved every ``half_life_days``:

    weight = base × group × 2^(−age / half_life)

- ``base``: ``meeting_weight`` for a meeting, ``mail_weight`` for two-way mail,
  ``one_way_weight`` for one-way mail (one-way traffic is no relationship);
- ``group``: ``1 / sqrt(others)``, where ``others`` is the number of people besides the owner on
  the item, contacts or not: one-to-one counts fully, a mail to nine people a third.

Reciprocity adds ``reciprocity_weight × min(decayed sent mail, decayed received mail)``: a
relationship where both sides write scores higher than one where one side does all the writing.
The total ``S`` maps to the score as ``100 × (1 − e^(−S / saturation))``.

Two properties hold by construction (and are tested): adding an interaction never lowers the score
(every term and the ``min`` are non-decreasing in the items, an item's ``group`` depends on the
item alone, and more traffic only turns one-way mail into two-way), and with the same data a later
``now`` never raises it (every term decays). The one exception to the first, in docs/scoring.md:
a new message that an existing reply turns out to answer can take that reply's pairing away.

People read the score as a whole number (:func:`shown_score`): the one decimal the JSON
carries, rounded half up, so the command line, the report, the reasons and the add-in (whose
``Math.round`` of the JSON value agrees) never show 76 in one place and 77 in another.

Exports: ``Strength``, ``strength``, ``score_of``, ``shown_score``, ``exchange_gain``,
``meeting_gain``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from .history import MEETING, SENT, ContactHistory
from .settings import Settings

__all__ = ["Strength", "exchange_gain", "meeting_gain", "score_of", "shown_score", "strength"]

DAY = 86400.0


def shown_score(score: float) -> int:
    """The score as people read it: the JSON's one decimal, rounded half up (76.5 → 77)."""
    return math.floor(round(score, 1) + 0.5)


@dataclass(frozen=True, slots=True)
class Strength:
    """A score and the decayed sums behind it."""

    score: float  # 0–100
    total: float  # S, the decayed weight
    meetings: float  # the decayed weight of meetings
    two_way_mail: float
    one_way_mail: float
    reciprocity_bonus: float


def score_of(total: float, settings: Settings) -> float:
    """The 0–100 score for a decayed weight ``total``."""
    return 100.0 * (1.0 - math.exp(-max(0.0, total) / settings.saturation))


def strength(history: ContactHistory, settings: Settings, now: datetime) -> Strength:
    """The strength score of one history as of ``now``."""
    now_ts = now.timestamp()
    decay_per_day = math.log(2) / settings.half_life_days
    meetings = two_way = one_way = sent = received = 0.0
    for touch in history.touches:
        if touch.at > now_ts:
            continue
        decay = math.exp(-decay_per_day * (now_ts - touch.at) / DAY)
        group = 1.0 / math.sqrt(max(1, touch.others))
        if touch.kind == MEETING:
            meetings += settings.meeting_weight * group * decay
            continue
        if touch.two_way:
            two_way += settings.mail_weight * group * decay
        else:
            one_way += settings.one_way_weight * group * decay
        if touch.kind == SENT:
            sent += group * decay
        else:
            received += group * decay
    bonus = settings.reciprocity_weight * min(sent, received)
    total = meetings + two_way + one_way + bonus
    return Strength(
        score=score_of(total, settings),
        total=total,
        meetings=meetings,
        two_way_mail=two_way,
        one_way_mail=one_way,
        reciprocity_bonus=bonus,
    )


def exchange_gain(settings: Settings) -> float:
    """What one two-way one-to-one exchange today (a mail each way) adds to ``S`` at least."""
    return 2 * settings.mail_weight + settings.reciprocity_weight


def meeting_gain(settings: Settings) -> float:
    """What one one-to-one meeting today adds to ``S``."""
    return settings.meeting_weight
