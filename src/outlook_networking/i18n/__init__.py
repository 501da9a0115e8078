"""German and English: the catalogs, the language choice, the locale's formats, and the one
renderer of what the core says.

The core never words anything (it returns :class:`~outlook_networking.core.phrase.Phrase`
values); the front ends, the report and the write-back put it into words through a
:class:`Wording` of the user's language. This package sits above the configuration and below
the edges and outputs, so the report, the exports and the application layer can all hold one.

- :func:`wording_for`: the wording of the configured language (else the system's, else English);
- :func:`category_scheme`: the product's category names in that language, the ``[writeback]``
  table's names overriding them, and the names of the other languages as the former names a
  language change renames.

Exports: ``Wording``, ``LANGUAGES``, ``choose_language``, ``wording_for``, ``category_scheme``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..config import Config
from ..errors import ConfigError, problem
from ..model import TIERS
from ..writeback.plan import CategoryScheme
from .language import LANGUAGES, choose_language
from .wording import Wording

__all__ = ["LANGUAGES", "Wording", "category_scheme", "choose_language", "wording_for"]


def wording_for(config: Config, environ: Mapping[str, str] | None = None) -> Wording:
    """The wording of ``config.language``, else of the environment (default: ``os.environ``)."""
    return Wording(choose_language(config.language, os.environ if environ is None else environ))


def category_scheme(config: Config, words: Wording) -> CategoryScheme:
    """The categories the product owns, in ``words``'s language unless ``[writeback]`` names
    them, with every other language's default name of each tier as a former name."""
    names = {**words.category_names(), **config.writeback.category_names}
    current = set(names.values())
    if len({n.casefold() for n in current}) != len(names):
        where = str(config.path) if config.path else ""
        raise ConfigError("writeback.categories", problem("category_names_distinct"), where)
    former = {
        tier: tuple(
            dict.fromkeys(
                other
                for language in LANGUAGES
                if (other := Wording(language).category(tier)) not in current
            )
        )
        for tier in TIERS
    }
    return CategoryScheme(names=names, colours=dict(config.writeback.colours), former=former)
