"""Every threshold the intelligence uses, with its research-based default, and its TOML form.

``Settings`` is a frozen value; :meth:`Settings.from_mapping` builds it from a parsed TOML document
(``config.py`` reads the file and passes everything but ``[[accounts]]``), validating section by
section and raising :class:`~outlook_networking.errors.ConfigError` that names the dotted key.
Top-level sections this module does not know are left to their owners (``[ledger]``, ``[agent]``
...); unknown keys inside a known section are errors, because a typo there would silently keep a
default. The keys are documented in ``docs/scoring.md``.

Exports: ``Settings``, ``ROLES``, ``SECTIONS`` (the top-level tables it reads).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ..errors import ConfigError, problem
from ..model import TIERS
from ..parsing.addresses import normalise

__all__ = ["ROLES", "SECTIONS", "Settings"]

ROLES = ("mentor", "mentee", "partner")


@dataclass(frozen=True)
class Settings:
    """Thresholds and preferences. Defaults follow ``PRODUCT.md`` ("defaults from research")."""

    # [scoring]
    half_life_days: float = 90.0
    meeting_weight: float = 3.0
    mail_weight: float = 1.0
    one_way_weight: float = 0.1  # one-way traffic is no relationship: it counts for little
    reciprocity_weight: float = 1.0
    saturation: float = 20.0  # decayed weight at which the score reaches 63
    two_way_window_days: float = 14.0  # opposite-direction traffic this close makes mail two-way
    # [tiers]
    a_share: float = 0.05
    a_max: int = 25
    b_share: float = 0.15
    active_days: int = 365  # C needs two-way contact within this; otherwise D
    pinned: Mapping[str, str] = field(default_factory=dict)  # address -> "A".."D"
    # [cadence]
    cadence_a_days: int = 30
    cadence_b_days: int = 90
    cadence_c_days: int = 180
    # [followups]
    reply_within_h: float = 48.0
    owed_lookback_days: int = 60  # an unanswered mail older than this is history, not a task
    direct_max_recipients: int = 10  # more recipients than this: an announcement, not a request
    unreciprocated_approaches: int = 3
    unreciprocated_days: int = 30
    cooling_factor: float = 3.0
    cooling_min_days: int = 30
    awaiting_default_days: float = 7.0  # when the contact's own p90 latency is unknown
    birthday_days_ahead: int = 3  # the birthday reminder (tiers A, B) shows this many days early
    # [review]
    review_month: int = 12
    review_day: int = 1
    # [exclude]
    exclude_addresses: frozenset[str] = frozenset()
    exclude_domains: frozenset[str] = frozenset()
    exclude_patterns: tuple[str, ...] = ()
    # [roles] address -> mentor | mentee | partner
    roles: Mapping[str, str] = field(default_factory=dict)
    # [targets]
    target_organisations: tuple[str, ...] = ()
    # [time]
    weekly_target_hours: float = 2.0
    minutes_per_mail_written: float = 4.0
    minutes_per_mail_read: float = 1.5
    # [graph]
    graph_max_participants: int = 25  # bigger messages and meetings connect nobody in particular
    graph_max_edges: int = 20000  # the strongest ties kept on big mailboxes
    graph_exact_nodes: int = 200  # above this, betweenness is sampled with this many pivots
    # [intro]
    intro_max_participants: int = 20  # a bigger message or meeting is no evidence of a tie

    def cadence_days(self, tier: str) -> int | None:
        """The keep-in-touch cadence of a tier (none for D)."""
        return {"A": self.cadence_a_days, "B": self.cadence_b_days, "C": self.cadence_c_days}.get(
            tier
        )

    def is_excluded(self, address: str) -> bool:
        """The user asked never to treat this address as a contact."""
        if address in self.exclude_addresses:
            return True
        domain = address.rpartition("@")[2]
        if any(domain == d or domain.endswith("." + d) for d in self.exclude_domains):
            return True
        return any(fnmatch.fnmatchcase(address, p) for p in self.exclude_patterns)

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> Settings:
        """Validate a parsed TOML document and build the settings it describes.

        Raises:
            ConfigError: naming the dotted key and what is wrong with it.
        """
        changes: dict[str, Any] = {}
        for section, reader in _SECTIONS.items():
            if section not in doc:
                continue
            value = doc[section]
            if not isinstance(value, Mapping):
                raise ConfigError(section, problem("must_be", kind="table"))
            changes.update(reader(value))
        settings = replace(cls(), **changes)
        if settings.a_share + settings.b_share > 1:
            raise ConfigError("tiers.b_share", problem("shares_sum"))
        if settings.one_way_weight > settings.mail_weight:
            raise ConfigError("scoring.one_way_weight", problem("one_way_weight"))
        try:
            date(2025, settings.review_month, settings.review_day)  # a year without 29 February
        except ValueError:
            raise ConfigError("review.day", problem("review_day")) from None
        return settings


# --- validation --------------------------------------------------------------------------------


def _number(
    key: str, value: Any, *, low: float, high: float | None = None, integer: bool = False
) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(key, problem("must_be", kind="number"))
    if integer and not isinstance(value, int):
        raise ConfigError(key, problem("must_be", kind="whole_number"))
    if value < low or (high is not None and value > high):
        wrong = (
            problem("between", low=low, high=high)
            if high is not None
            else problem("at_least", low=low)
        )
        raise ConfigError(key, wrong)
    return value


def _strings(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(key, problem("must_be", kind="strings"))
    return tuple(value)


def _address(key: str, value: str) -> str:
    address = normalise(value)
    if not address:
        raise ConfigError(key, problem("not_address", value=value))
    return address


# (toml key, field name, low, high, integer)
_NumberSpec = tuple[str, str, float, float | None, bool]

_NUMBERS: dict[str, tuple[_NumberSpec, ...]] = {
    "scoring": (
        ("half_life_days", "half_life_days", 1, 3650, False),
        ("meeting_weight", "meeting_weight", 0, 100, False),
        ("mail_weight", "mail_weight", 0, 100, False),
        ("one_way_weight", "one_way_weight", 0, 100, False),
        ("reciprocity_weight", "reciprocity_weight", 0, 100, False),
        ("saturation", "saturation", 0.01, 1e6, False),
        ("two_way_window_days", "two_way_window_days", 0, 365, False),
    ),
    "tiers": (
        ("a_share", "a_share", 0, 1, False),
        ("a_max", "a_max", 0, None, True),
        ("b_share", "b_share", 0, 1, False),
        ("active_days", "active_days", 1, 3650, True),
    ),
    "cadence": (
        ("a_days", "cadence_a_days", 1, 3650, True),
        ("b_days", "cadence_b_days", 1, 3650, True),
        ("c_days", "cadence_c_days", 1, 3650, True),
    ),
    "followups": (
        ("reply_within_h", "reply_within_h", 0, 24 * 365, False),
        ("owed_lookback_days", "owed_lookback_days", 1, 3650, True),
        ("direct_max_recipients", "direct_max_recipients", 1, None, True),
        ("unreciprocated_approaches", "unreciprocated_approaches", 1, 1000, True),
        ("unreciprocated_days", "unreciprocated_days", 0, 3650, True),
        ("cooling_factor", "cooling_factor", 1, 100, False),
        ("cooling_min_days", "cooling_min_days", 0, 3650, True),
        ("awaiting_default_days", "awaiting_default_days", 0, 365, False),
        ("birthday_days_ahead", "birthday_days_ahead", 0, 60, True),
    ),
    "review": (
        ("month", "review_month", 1, 12, True),
        ("day", "review_day", 1, 31, True),
    ),
    "time": (
        ("weekly_target_hours", "weekly_target_hours", 0, 168, False),
        ("minutes_per_mail_written", "minutes_per_mail_written", 0, 600, False),
        ("minutes_per_mail_read", "minutes_per_mail_read", 0, 600, False),
    ),
    "graph": (
        ("max_participants", "graph_max_participants", 2, None, True),
        ("exact_nodes", "graph_exact_nodes", 1, None, True),
        ("max_edges", "graph_max_edges", 1, None, True),
    ),
    "intro": (("max_participants", "intro_max_participants", 2, None, True),),
}

_EXTRA_KEYS: dict[str, tuple[str, ...]] = {"tiers": ("pinned",)}


def _numbers_reader(section: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    specs = {spec[0]: spec for spec in _NUMBERS[section]}

    def read(table: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in table.items():
            dotted = f"{section}.{key}"
            if key in _EXTRA_KEYS.get(section, ()):
                continue
            if key not in specs:
                raise ConfigError(dotted, problem("unknown_key"))
            _, name, low, high, integer = specs[key]
            number = _number(dotted, value, low=low, high=high, integer=integer)
            out[name] = float(number) if not integer else int(number)
        if section == "tiers" and "pinned" in table:
            out["pinned"] = _pinned(table["pinned"])
        return out

    return read


def _pinned(table: Any) -> dict[str, str]:
    if not isinstance(table, Mapping):
        raise ConfigError("tiers.pinned", problem("pinned_table"))
    pinned: dict[str, str] = {}
    for raw, tier in table.items():
        key = f"tiers.pinned.{raw}"
        if not isinstance(tier, str) or tier.upper() not in TIERS:
            raise ConfigError(key, problem("one_of", choices=TIERS))
        pinned[_address(key, raw)] = tier.upper()
    return pinned


def _exclude(table: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"exclude.{key}"
        if key == "addresses":
            out["exclude_addresses"] = frozenset(
                _address(dotted, v) for v in _strings(dotted, value)
            )
        elif key == "domains":
            domains = _strings(dotted, value)
            if any(not d.strip(". ") or "@" in d for d in domains):
                raise ConfigError(dotted, problem("bare_domains"))
            out["exclude_domains"] = frozenset(d.strip(". ").lower() for d in domains)
        elif key == "patterns":
            out["exclude_patterns"] = tuple(p.lower() for p in _strings(dotted, value))
        else:
            raise ConfigError(dotted, problem("unknown_key"))
    return out


def _roles(table: Mapping[str, Any]) -> dict[str, Any]:
    roles: dict[str, str] = {}
    for raw, role in table.items():
        key = f"roles.{raw}"
        if not isinstance(role, str) or role.lower() not in ROLES:
            raise ConfigError(key, problem("one_of", choices=ROLES))
        roles[_address(key, raw)] = role.lower()
    return {"roles": roles}


def _targets(table: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key != "organisations":
            raise ConfigError(f"targets.{key}", problem("unknown_key"))
        names = _strings("targets.organisations", value)
        if any(not n.strip() for n in names):
            raise ConfigError("targets.organisations", problem("empty_names"))
        out["target_organisations"] = tuple(n.strip() for n in names)
    return out


_SECTIONS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    **{section: _numbers_reader(section) for section in _NUMBERS},
    "exclude": _exclude,
    "roles": _roles,
    "targets": _targets,
}

SECTIONS = frozenset(_SECTIONS)
