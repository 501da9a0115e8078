"""The ledger's thresholds and patterns, and their ``[ledger]`` TOML form.

Every number the ledger decides by lives here, with the default ``docs/ledger.md`` explains.
``LedgerSettings.from_mapping`` validates the ``[ledger]`` table of the config file and raises one
:class:`~outlook_networking.errors.ConfigError` naming the key (``ledger.window_days``) on the first
problem, so the CLI can print one line.

Exports: ``LedgerSettings``, ``DEFAULT_INTRO_SUBJECT_PATTERNS``, ``DEFAULT_FORWARD_PREFIXES``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

from ...errors import ConfigError, problem

__all__ = ["DEFAULT_FORWARD_PREFIXES", "DEFAULT_INTRO_SUBJECT_PATTERNS", "LedgerSettings"]

# Case-insensitive regular expressions; a subject matching any one reads as an introduction.
# "meet" is a whole word so that "meeting" does not count; the slash needs spaces around it
# ("Anna / Ben") because "Q3/Q4" or "HR/Payroll" are no introductions.
DEFAULT_INTRO_SUBJECT_PATTERNS: tuple[str, ...] = (
    r"\bintro(?:duc\w*)?\b",
    r"\bvorstell\w*",
    r"\bkontakt\w*",
    r"\bmeet\b",
    r"<->|<>|↔",
    r"\s/\s",
)

# Outlook's forward prefixes in the languages it localises them into: English Fwd/FW, German WG,
# French TR, Spanish RV, Norwegian/Danish VS, Dutch Doorst, Portuguese ENC, Swedish VB, Finnish VL.
# (Finnish Outlook uses "VS:" for replies; the brief asks for VS as a forward, so a Finnish
# mailbox should drop it from this list in the config.)
DEFAULT_FORWARD_PREFIXES: tuple[str, ...] = (
    "fwd", "fw", "wg", "tr", "rv", "vs", "doorst", "enc", "vb", "vl",
)


@dataclass(frozen=True)
class LedgerSettings:
    """What the ledger counts, and over which window.

    Attributes:
        window_days: the balance window (given vs received), counted back from ``now``.
        reply_within_h: the owner's response target; an inbound request the owner answered
            within it counts as help given. The CLI should pass the intelligence setting of
            the same name unless ``[ledger]`` overrides it.
        intro_max_people: at most this many people besides the owner (and the introducer)
            on a message for it to be an introduction; more is a meeting or a crowd.
        intro_subject_patterns: regular expressions (case-insensitive) for introduction subjects.
        intro_require_subject: when true, only messages with an introduction subject count;
            the default also accepts a new thread to exactly two unconnected people at
            different domains, which catches untitled introductions at the price of some
            false positives (``ledger dismiss``).
        acquainted_max_people: appearing together on a message or meeting with at most this
            many people makes two people acquainted; a larger gathering (an all-hands) does not.
        intro_evidence_days: how long after an introduction a message or meeting between the
            introduced people still counts as its outcome.
        forward_prefixes: subject prefixes (without the colon) that mark a forward.
        forward_max_recipients: a forward to more people than this is a broadcast, not a
            favour to a person.
        request_max_recipients: a message to at most this many people (To and Cc) is a
            direct request; more is a circular.
        one_sided_min_items: how many items one side must have, with none coming back, for
            a relationship to be listed as one-sided.
        thank_min_help: how many items of help received (with nothing given back) call for
            a "thank or return the favour" follow-up; a single introduction always does.
        thank_due_days: the follow-up is due this many days after the latest help received.
    """

    window_days: int = 365
    reply_within_h: float = 48.0
    intro_max_people: int = 4
    intro_subject_patterns: tuple[str, ...] = DEFAULT_INTRO_SUBJECT_PATTERNS
    intro_require_subject: bool = False
    acquainted_max_people: int = 20
    intro_evidence_days: int = 180
    forward_prefixes: tuple[str, ...] = DEFAULT_FORWARD_PREFIXES
    forward_max_recipients: int = 4
    request_max_recipients: int = 3
    one_sided_min_items: int = 2
    thank_min_help: int = 3
    thank_due_days: int = 7

    def __post_init__(self) -> None:
        _check_positive("window_days", self.window_days)
        if not self.reply_within_h > 0:
            raise ConfigError("ledger.reply_within_h", problem("hours_positive"))
        _check_positive("intro_max_people", self.intro_max_people, minimum=2)
        _check_positive("acquainted_max_people", self.acquainted_max_people, minimum=2)
        _check_positive("intro_evidence_days", self.intro_evidence_days)
        _check_positive("forward_max_recipients", self.forward_max_recipients)
        _check_positive("request_max_recipients", self.request_max_recipients)
        _check_positive("one_sided_min_items", self.one_sided_min_items)
        _check_positive("thank_min_help", self.thank_min_help)
        _check_positive("thank_due_days", self.thank_due_days, minimum=0)
        for i, pattern in enumerate(self.intro_subject_patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"ledger.intro_subject_patterns[{i}]", problem("not_regex", detail=str(exc))
                ) from None
        for i, prefix in enumerate(self.forward_prefixes):
            if not re.fullmatch(r"\w+", prefix):
                raise ConfigError(f"ledger.forward_prefixes[{i}]", problem("forward_prefix"))

    @cached_property
    def intro_subject(self) -> re.Pattern[str]:
        """One pattern matching any introduction subject."""
        joined = "|".join(f"(?:{p})" for p in self.intro_subject_patterns) or r"(?!x)x"
        return re.compile(joined, re.IGNORECASE)

    @cached_property
    def forward_subject(self) -> re.Pattern[str]:
        """Matches a subject whose outermost prefix (after list tags) is a forward prefix."""
        words = "|".join(sorted((re.escape(p) for p in self.forward_prefixes), key=len,
                                reverse=True)) or r"(?!x)x"
        return re.compile(rf"^\s*(?:\[[^\]]{{0,60}}\]\s*)*(?:{words})\s*[:：]", re.IGNORECASE)

    @classmethod
    def from_mapping(
        cls, doc: Mapping[str, Any], *, reply_within_h: float | None = None
    ) -> LedgerSettings:
        """Settings from the ``[ledger]`` table (an empty mapping gives the defaults).

        Parameters:
            doc: the parsed ``[ledger]`` table.
            reply_within_h: the intelligence settings' response target, used unless the
                table sets its own ``reply_within_h``.

        Raises:
            ConfigError: an unknown key, a value of the wrong type, or out of range.
        """
        known = {f.name: f for f in fields(cls) if f.init}
        values: dict[str, Any] = {}
        if reply_within_h is not None:
            values["reply_within_h"] = reply_within_h
        for key, value in doc.items():
            name = f"ledger.{key}"
            if key not in known:
                raise ConfigError(name, problem("unknown_key"))
            if key in ("intro_subject_patterns", "forward_prefixes"):
                if not isinstance(value, list | tuple) or not all(
                    isinstance(v, str) for v in value
                ):
                    raise ConfigError(name, problem("must_be", kind="strings"))
                values[key] = tuple(value)
            elif key == "intro_require_subject":
                if not isinstance(value, bool):
                    raise ConfigError(name, problem("must_be", kind="boolean"))
                values[key] = value
            elif key == "reply_within_h":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ConfigError(name, problem("must_be", kind="hours"))
                values[key] = float(value)
            else:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ConfigError(name, problem("must_be", kind="whole_number"))
                values[key] = value
        return cls(**values)


def _check_positive(key: str, value: float, *, minimum: float = 1) -> None:
    if value < minimum:
        raise ConfigError(f"ledger.{key}", problem("at_least", low=minimum))
