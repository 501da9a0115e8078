"""Every message the code asks for is one the catalogs can hold: each literal first argument of a
``gettext``/``ngettext`` call in the package (its Python modules and the add-in's task pane
script) is found by the extraction ``scripts/catalogs.py`` runs (Babel's). Babel reads calls by
their tokens and misses some written inside an f-string; such a message would never reach the
German catalog and would stay English without any other test noticing (the catalog check
compares the catalogs with the extraction, not with the code)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import outlook_networking

from .test_catalogs import catalogs

PACKAGE = Path(outlook_networking.__file__).parent
PANE_SCRIPT = PACKAGE / "addin" / "static" / "taskpane.js"
_JS_CALL = re.compile(r"\bn?gettext\(\s*((?:\"(?:[^\"\\]|\\.)*\"\s*\+?\s*)+)")
_JS_STRING = re.compile(r"\"((?:[^\"\\]|\\.)*)\"")


def _asked(source: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0]
        literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
        if name in ("gettext", "ngettext") and literal:
            found.append((node.lineno, str(first.value)))
    return found


def _asked_in_script(source: str) -> list[tuple[int, str]]:
    """``gettext("...")`` and ``ngettext("...", ...)`` in JavaScript, a message split over
    lines with ``+`` joined, JSON's escapes being JavaScript's for these strings."""
    found = []
    for call in _JS_CALL.finditer(source):
        parts = _JS_STRING.findall(call.group(1))
        message = "".join(json.loads(f'"{part}"') for part in parts[:1] + (
            parts[1:] if "+" in call.group(1) else []))
        found.append((source.count("\n", 0, call.start()) + 1, message))
    return found


def test_every_message_asked_for_is_extracted() -> None:
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogs.extract() if m.id}
    missed = [
        f"{path.relative_to(PACKAGE)}:{line}: {message!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, message in _asked(path.read_text(encoding="utf-8"))
        if message not in extracted
    ]
    script = PANE_SCRIPT.read_text(encoding="utf-8")
    asked = _asked_in_script(script)
    assert len(asked) > 50  # the pane's words
    missed += [f"taskpane.js:{line}: {m!r}" for line, m in asked if m not in extracted]
    assert missed == [], "move these calls out of their f-string: " + "; ".join(missed)


def test_the_check_reads_calls_inside_f_strings() -> None:
    source = 'x = f"<h2>{page.gettext(\'Tiers\')}</h2>" + words.ngettext("a", "b", n)\n'
    assert sorted(_asked(source)) == [(1, "Tiers"), (1, "a")]


def test_the_check_reads_the_pane_script() -> None:
    source = 'a(gettext("Open " +\n  "follow-ups"), ngettext("{count} day", "{count} days", n));\n'
    assert _asked_in_script(source) == [(1, "Open follow-ups"), (2, "{count} day")]
