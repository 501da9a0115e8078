"""Short labels the front ends put before a line: a follow-up's kind, a key date's kind.

Exports: ``followup_kind``, ``key_date_kind``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .wording import Wording

__all__ = ["followup_kind", "key_date_kind"]


def followup_kind(w: Wording, kind: str) -> str:
    """``Owed reply`` / ``Ausstehende Antwort`` for a follow-up's ``kind`` (its code)."""
    labels = {
        "owed_reply": w.gettext("Owed reply"),
        "keep_in_touch": w.gettext("Keep in touch"),
        # TRANSLATORS: a follow-up's kind: a relationship cooling down
        "cooling": w.gettext("Cooling"),
        "awaiting_answer": w.gettext("Awaiting answer"),
        # TRANSLATORS: a follow-up's kind: approaches that were not answered
        "unreciprocated": w.gettext("Unreciprocated"),
        "annual_review": w.gettext("Annual review"),
        "thank_or_return": w.gettext("Thank or return"),
        "birthday": w.gettext("Birthday"),
    }
    return labels.get(kind, kind)


def key_date_kind(w: Wording, kind: str) -> str:
    """``Birthday`` / ``Geburtstag``, ``Anniversary`` / ``Jahrestag``."""
    labels = {"birthday": w.gettext("Birthday"), "anniversary": w.gettext("Anniversary")}
    return labels.get(kind, kind)
