"""The ``[ledger]`` table: defaults, overrides and one precise error per problem."""

from __future__ import annotations

import tomllib

import pytest

from outlook_networking.core.ledger import LedgerSettings
from outlook_networking.errors import ConfigError


def test_an_empty_table_gives_the_documented_defaults() -> None:
    settings = LedgerSettings.from_mapping({})
    assert settings == LedgerSettings()
    assert (settings.window_days, settings.reply_within_h, settings.intro_max_people) == (
        365,
        48.0,
        4,
    )
    assert (settings.thank_min_help, settings.one_sided_min_items) == (3, 2)


def test_values_from_toml() -> None:
    doc = tomllib.loads(
        """
        [ledger]
        window_days = 180
        reply_within_h = 24
        intro_subject_patterns = ["\\\\bintro\\\\b", "bekanntmachen"]
        forward_prefixes = ["fwd", "wg"]
        intro_require_subject = true
        """
    )
    settings = LedgerSettings.from_mapping(doc["ledger"])
    assert settings.window_days == 180 and settings.reply_within_h == 24.0
    assert settings.intro_subject.search("Darf ich bekanntmachen?")
    assert not settings.intro_subject.search("Kontakt")
    assert settings.forward_subject.match("WG: x") and not settings.forward_subject.match("TR: x")
    assert settings.intro_require_subject


def test_the_owners_response_target_is_the_default_reply_target() -> None:
    assert LedgerSettings.from_mapping({}, reply_within_h=24).reply_within_h == 24
    own = LedgerSettings.from_mapping({"reply_within_h": 12}, reply_within_h=24)
    assert own.reply_within_h == 12


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        ({"window_dayz": 3}, "ledger.window_dayz"),
        ({"window_days": "a year"}, "ledger.window_days"),
        ({"window_days": 0}, "ledger.window_days"),
        ({"window_days": True}, "ledger.window_days"),
        ({"reply_within_h": "soon"}, "ledger.reply_within_h"),
        ({"reply_within_h": 0}, "ledger.reply_within_h"),
        ({"intro_max_people": 1}, "ledger.intro_max_people"),
        ({"forward_prefixes": "fwd"}, "ledger.forward_prefixes"),
        ({"forward_prefixes": ["fwd:"]}, "ledger.forward_prefixes[0]"),
        ({"intro_subject_patterns": ["intro", "(unclosed"]}, "ledger.intro_subject_patterns[1]"),
        ({"intro_require_subject": "yes"}, "ledger.intro_require_subject"),
    ],
)
def test_each_problem_names_its_key(doc: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        LedgerSettings.from_mapping(doc)
    assert raised.value.key == key
