"""Every core module says what it exports, and exports only what exists."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "followups",
    "history",
    "identity",
    "intro",
    "keypersons",
    "network",
    "review",
    "scoring",
    "settings",
    "threads",
    "ties",
    "tiers",
    "timeinvested",
    "views",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist_and_the_docstring_names_them(name: str) -> None:
    module = importlib.import_module(f"outlook_networking.core.{name}")
    assert module.__doc__ and "Exports:" in module.__doc__
    for export in module.__all__:
        assert hasattr(module, export), export
        assert f"``{export}``" in module.__doc__, export
