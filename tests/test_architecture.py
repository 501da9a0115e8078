"""The layers of ``docs/architecture.md`` hold: imports only point down, each library stays at its
edge, and every module says truly what it exports."""

from __future__ import annotations

import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import outlook_networking

REPO = Path(__file__).resolve().parents[1]


def test_imports_only_point_down() -> None:
    # import-linter reads the contracts from pyproject.toml ([tool.importlinter]); the layers
    # contract is exhaustive, so a new top-level module must be given its layer there.
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is part of the test extras"
    result = subprocess.run(
        [lint, "--config", str(REPO / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=REPO / "src",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _exports_paragraph(doc: str) -> str:
    start = doc.find("Exports")
    return doc[start:].split("\n\n", 1)[0] if start >= 0 else ""


def test_every_docstring_names_exactly_what_its_module_exports() -> None:
    wrong = []
    for info in pkgutil.walk_packages(outlook_networking.__path__, "outlook_networking."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        exported = set(getattr(module, "__all__", ()))
        missing = sorted(e for e in exported if not hasattr(module, e))
        named = set(re.findall(r"``(\w+)``", _exports_paragraph(module.__doc__ or "")))
        if missing or named != exported:
            wrong.append(
                f"{info.name}: not defined {missing}, only in __all__ {sorted(exported - named)}, "
                f"only in the docstring {sorted(named - exported)}"
            )
    assert wrong == []
