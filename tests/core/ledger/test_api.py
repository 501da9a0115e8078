"""The ledger package exports what its docstrings say, and nothing it does not define."""

from __future__ import annotations

import importlib

import pytest

MODULES = ["", ".rules", ".items", ".detect", ".balance", ".views"]


@pytest.mark.parametrize("suffix", MODULES)
def test_every_exported_name_exists(suffix: str) -> None:
    module = importlib.import_module("outlook_networking.core.ledger" + suffix)
    assert module.__all__, module.__name__
    for name in module.__all__:
        assert hasattr(module, name), f"{module.__name__}.{name}"
        assert f"``{name}``" in (module.__doc__ or ""), f"{name} missing from the docstring"
