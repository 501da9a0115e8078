"""Which modules still write English that a person reads without the catalogs: issue 20's list of
what is left, kept honest.

The pseudo-locale tests (``test_pseudo.py``) prove that what is wrapped goes through the
catalogs; this one finds what is not wrapped. It reads every module of the package with ``ast``
and collects the string literals that read as prose (three words or more), leaving out
docstrings, the arguments of ``gettext``/``ngettext``, log calls and regular expressions,
messages of programming errors (``ValueError`` and the like, never shown as a product message),
a command's ``examples`` (command lines), and markup or SQL. A module with any such literal
bypasses the catalogs, unless its literals are data rather than wording (:data:`DATA`).

The test fails when the modules found differ from :data:`LEFT` (a module, or a folder ending in
``/`` for everything under it): a module that starts writing English must be wrapped or
listed here with the reason, and a module once wrapped must leave the list. So the list below is
the report of what still bypasses the catalogs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import outlook_networking

PACKAGE = Path(outlook_networking.__file__).parent

# Modules whose prose-like literals are data, not the product's wording.
DATA = {
    "demo/": "the sample mailbox's people, organisations, subjects and headers (German and "
    "English on purpose: a German professional's mailbox)",
    "sources/mailfiles.py": "Inbox and Sent folder names in the languages Outlook writes them",
    "sources/outlook.py": "Outlook's own folder and item class names, as stored",
    "sources/pst.py": "names of the PST format's variants and Outlook's hidden folders",
    "store.py": "SQL column lists",
    "parsing/noise.py": "the spam signs' labels: counted for a score, never shown to people",
    "report/graph.py": "CSS class names",
    "cli/completion.py": "the shell code of the completion scripts (its help and the comments "
    "on how to load a script go through the catalogs)",
    "addin/cert.py": "the commands that trust the certificate (certutil, security, cp), typed "
    "as they are; the sentences around them go through the catalogs",
    "cli/config.py": "the TOML keys and values of the file `config init` writes (its comments, "
    "prompts and lines go through the catalogs)",
}

# What still bypasses the catalogs, and why it is left for now: nothing (the connectors', the
# sources' and parsing's read problems, and a file's InputError, are codes now).
LEFT: dict[str, str] = {}

_EXCLUDED_CALLS = {
    "gettext", "ngettext",  # wrapped
    "debug", "info", "warning", "error", "exception", "critical",  # the log, for the developer
    "compile", "match", "search", "sub", "fullmatch", "findall",  # regular expressions
}  # fmt: skip
# A command's examples are command lines a person types (cli/parser.py's add_command), not wording.
_COMMAND_LINES = {"examples"}
_PROGRAMMING_ERRORS = {
    "ValueError", "TypeError", "AssertionError", "KeyError", "NotImplementedError", "RuntimeError",
}  # fmt: skip
_NOT_WORDING = re.compile(
    r"<[a-zA-Z/!?{]|\b(SELECT|INSERT|CREATE|UPDATE|DELETE|WHERE)\b|charset=|:root|\{\s*$"
    r"|\bscript-src\b"  # markup (a tag's prefix a placeholder too), SQL, CSS, a script policy
    r"|\$filter=|/Any\("  # an OData query (Graph's extended properties)
)
_WORD = re.compile(r"(?<![\w-])[A-Za-z][a-z]+(?![\w-])")  # not part of an identifier


def _prose(text: str) -> bool:
    if _NOT_WORDING.search(text):
        return False
    text = re.sub(r"\{[^}]*\}", " ", text)
    return len(_WORD.findall(text)) >= 3 and len(text.split()) >= 3


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def english(source: str) -> list[str]:
    """The prose literals of a module's ``source`` outside the catalogs (see the docstring)."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        elif isinstance(node, ast.keyword) and node.arg in _COMMAND_LINES:
            skipped.update(id(sub) for sub in ast.walk(node.value))
        elif isinstance(node, ast.Call) and (
            _call_name(node) in _EXCLUDED_CALLS or _call_name(node) in _PROGRAMMING_ERRORS
        ):
            whole = _call_name(node) in _PROGRAMMING_ERRORS | {"gettext", "ngettext"}
            arguments = node.args if whole else node.args[:1]
            skipped.update(id(sub) for argument in arguments for sub in ast.walk(argument))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # an f-string reads as a whole, values as {}
            skipped.update(id(part) for part in node.values)
            if id(node) not in skipped:
                text = "".join(
                    str(p.value) if isinstance(p, ast.Constant) else "{}" for p in node.values
                )
                found.extend([text] if _prose(text) else [])
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
            and _prose(node.value)
        ):
            found.append(node.value)
    return found


def _covered(module: str, listed: dict[str, str]) -> str | None:
    return next((key for key in listed if module == key or module.startswith(key)), None)


def test_the_check_sees_english_outside_the_catalogs() -> None:
    source = '''
"""A docstring is for developers."""
import logging
def f(words, name):
    logging.getLogger().info("a log line for developers only")
    if not name:
        raise ValueError("a programming error, never shown")
    print(words.gettext("Reply to {name} today").format(name=name))
    return f"cannot read {name}: it is a folder"
'''
    assert english(source) == ["cannot read {}: it is a folder"]


def test_what_bypasses_the_catalogs_is_listed_and_nothing_else() -> None:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        texts = english(path.read_text(encoding="utf-8"))
        if texts and _covered(module, DATA) is None:
            found[module] = texts
    unlisted = {m: texts[0] for m, texts in found.items() if _covered(m, LEFT) is None}
    assert not unlisted, f"English outside the catalogs (wrap it, or list it in LEFT): {unlisted}"
    used = {_covered(module, LEFT) for module in found}
    wrapped = sorted(set(LEFT) - used)
    assert not wrapped, f"these go through the catalogs now; take them off LEFT: {wrapped}"
    stale = sorted(k for k in DATA if not any(p.relative_to(PACKAGE).as_posix().startswith(k)
                                              for p in PACKAGE.rglob("*.py")))  # fmt: skip
    assert not stale, stale
