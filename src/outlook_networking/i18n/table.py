"""A language's catalog as a plain table, for a page that words itself: the add-in's task pane.

``messages("de")`` maps each message id (the English sentence) to its translation, and a plural
message's singular id to its forms (``[one, other]``), read from the compiled catalog the
:class:`~.wording.Wording` uses (Babel's ``.mo`` reader), so the pane and the Python side can
never say different things.

Exports: ``messages``.
"""

from __future__ import annotations

from functools import cache

from babel.messages.mofile import read_mo

from .language import LANGUAGES
from .wording import DOMAIN, LOCALE_DIR

__all__ = ["messages"]


@cache
def messages(language: str) -> dict[str, str | list[str]]:
    """Message id → translation (a list of forms for a plural) in ``language``'s catalog."""
    if language not in LANGUAGES:
        raise ValueError(f"no catalog for language {language!r}")
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as file:
        catalog = read_mo(file)
    table: dict[str, str | list[str]] = {}
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            table[message.id[0]] = [str(form) for form in message.string or ()]
        else:
            table[message.id] = str(message.string)
    return table
