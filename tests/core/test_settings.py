"""Settings: defaults from the research, TOML validation naming the dotted key."""

from __future__ import annotations

import pytest

from outlook_networking.core.settings import Settings
from outlook_networking.errors import ConfigError


def test_defaults_follow_the_product_brief() -> None:
    s = Settings()
    assert s.reply_within_h == 48
    assert (s.cadence_a_days, s.cadence_b_days, s.cadence_c_days) == (30, 90, 180)
    assert (s.a_share, s.a_max, s.b_share) == (0.05, 25, 0.15)
    assert (s.unreciprocated_approaches, s.unreciprocated_days) == (3, 30)
    assert s.review_month == 12


def test_from_mapping_reads_every_section() -> None:
    s = Settings.from_mapping(
        {
            "accounts": [{"name": "work"}],  # not ours: ignored
            "scoring": {"half_life_days": 30, "meeting_weight": 5},
            "tiers": {"a_share": 0.1, "a_max": 10, "pinned": {"Ann@Acme.com": "a"}},
            "cadence": {"a_days": 14},
            "followups": {"reply_within_h": 24},
            "review": {"month": 11, "day": 30},
            "exclude": {
                "addresses": ["Boss@Corp.com"],
                "domains": ["spam.example"],
                "patterns": ["*@alerts.*"],
            },
            "roles": {"mentor@x.org": "Mentor"},
            "targets": {"organisations": ["Globex", "initech.com"]},
            "time": {"weekly_target_hours": 3.5},
        }
    )
    assert s.half_life_days == 30.0 and s.meeting_weight == 5.0
    assert s.pinned == {"ann@acme.com": "A"}
    assert s.cadence_a_days == 14 and s.reply_within_h == 24
    assert s.roles == {"mentor@x.org": "mentor"}
    assert s.target_organisations == ("Globex", "initech.com")
    assert s.is_excluded("boss@corp.com")
    assert s.is_excluded("x@mail.spam.example")
    assert s.is_excluded("bot@alerts.example.com")
    assert not s.is_excluded("ann@acme.com")


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        ({"tiers": {"a_share": 1.5}}, "tiers.a_share"),
        ({"tiers": {"a_share": "lots"}}, "tiers.a_share"),
        ({"tiers": {"a_max": 2.5}}, "tiers.a_max"),
        ({"tiers": {"a_share": 0.6, "b_share": 0.6}}, "tiers.b_share"),
        ({"tiers": {"pinned": {"ann@acme.com": "E"}}}, "tiers.pinned.ann@acme.com"),
        ({"tiers": {"pinned": {"not an address": "A"}}}, "tiers.pinned.not an address"),
        ({"scoring": {"half_life": 3}}, "scoring.half_life"),
        ({"scoring": {"half_life_days": True}}, "scoring.half_life_days"),
        ({"scoring": "fast"}, "scoring"),
        ({"review": {"month": 2, "day": 30}}, "review.day"),
        ({"exclude": {"domains": ["a@b.c"]}}, "exclude.domains"),
        ({"exclude": {"addresses": "x@y.z"}}, "exclude.addresses"),
        ({"roles": {"x@y.z": "boss"}}, "roles.x@y.z"),
        ({"targets": {"orgs": []}}, "targets.orgs"),
        ({"followups": {"cooling_factor": 0.5}}, "followups.cooling_factor"),
    ],
)
def test_invalid_values_name_the_key(doc: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_mapping(doc)
    assert caught.value.key == key
    assert caught.value.problem
