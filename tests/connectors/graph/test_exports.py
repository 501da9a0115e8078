"""The Graph package exports what its docstrings promise."""

from __future__ import annotations

import importlib

import pytest

MODULES = ("", ".client", ".source", ".sink", ".mapping", ".connect")


@pytest.mark.parametrize("suffix", MODULES)
def test_every_exported_name_exists_and_is_documented(suffix: str) -> None:
    module = importlib.import_module("outlook_networking.connectors.graph" + suffix)
    assert module.__doc__ and "Exports:" in module.__doc__
    for name in module.__all__:
        assert hasattr(module, name), name
        assert f"``{name}``" in module.__doc__, f"{name} is not named in the module docstring"
