"""The language: the configuration's, else the system's locale, else English."""

from __future__ import annotations

from pathlib import Path

import pytest

from outlook_networking.app.wording import describe
from outlook_networking.config import load_config
from outlook_networking.errors import ConfigError
from outlook_networking.i18n import choose_language, wording_for


@pytest.mark.parametrize(
    ("configured", "environ", "system", "expected"),
    [
        ("de", {"LANG": "en_US.UTF-8"}, None, "de"),  # the configuration wins
        ("en", {"LC_ALL": "de_DE.UTF-8"}, "de_DE", "en"),
        (None, {"LANG": "de_DE.UTF-8"}, None, "de"),
        (None, {"LANG": "de_AT"}, None, "de"),
        (None, {"LANG": "en_GB.UTF-8", "LC_MESSAGES": "de_CH.UTF-8"}, None, "de"),
        (None, {"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"}, None, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, None, "en"),  # a language the product lacks
        (None, {"LANG": "C.UTF-8", "LANGUAGE": "de"}, None, "en"),  # C ignores LANGUAGE
        (None, {"LANG": "fr_FR.UTF-8", "LANGUAGE": "fr:de:en"}, None, "de"),
        (None, {}, "de_DE", "de"),  # nothing set: the Windows display language
        (None, {}, "nl_NL", "en"),
        (None, {}, None, "en"),
    ],
)
def test_the_language_is_chosen_in_order(
    configured: str | None, environ: dict[str, str], system: str | None, expected: str
) -> None:
    assert choose_language(configured, environ, lambda: system) == expected


def test_the_configuration_takes_language_de_or_en(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('language = "DE"\n', encoding="utf-8")
    config = load_config(path)
    assert config.language == "de"
    assert wording_for(config, {"LANG": "en_US.UTF-8"}).language == "de"
    path.write_text('language = "fr"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert describe(caught.value).endswith('language: must be one of "en", "de"')
    path.write_text('[language]\nname = "de"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path)


def test_without_a_configured_language_the_system_decides(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    config = load_config(path)
    assert config.language is None
    assert wording_for(config, {"LANG": "de_DE.UTF-8"}).language == "de"
    assert wording_for(config, {}).language == "en"  # tests run on Linux: no Windows language
