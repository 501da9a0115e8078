"""The catalogs are complete and current: every message the code asks for is translated into
German, none is fuzzy or left over, and the committed .mo files are compiled from their .po."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parents[2]


def _catalogs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", REPO / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["catalogs"] = module
    spec.loader.exec_module(module)
    return module


catalogs = _catalogs()


def test_the_catalogs_are_complete_and_compiled() -> None:
    assert catalogs.problems() == []


def _copy_with(tmp_path: Path, change: str) -> Path:
    """The catalogs copied, with the German one changed: a message made fuzzy or dropped."""
    locales = tmp_path / "locale"
    shutil.copytree(catalogs.LOCALES, locales)
    path = catalogs.po_path("de", locales)
    with path.open("rb") as file:
        catalog = read_po(file, locale="de")
    if change == "fuzzy":
        catalog["Network {tier}"].flags.add("fuzzy")
    elif change == "untranslated":
        catalog["Network {tier}"].string = ""
    else:
        catalog.delete("Network {tier}")
    with path.open("wb") as file:
        write_po(file, catalog, width=100, no_location=True, sort_output=True)
    return locales


def test_the_check_catches_a_fuzzy_missing_or_untranslated_german_entry(tmp_path: Path) -> None:
    for change, problem in (
        ("fuzzy", "fuzzy: 'Network {tier}'"),
        ("untranslated", "not translated: 'Network {tier}'"),
        ("missing", "not in the catalog: 'Network {tier}'"),
    ):
        found = catalogs.problems(_copy_with(tmp_path / change, change))
        assert f"de/LC_MESSAGES/outlook_networking.po: {problem}" in found, found
        # The .mo no longer matches the changed .po either.
        assert any("not compiled from" in line for line in found), found
