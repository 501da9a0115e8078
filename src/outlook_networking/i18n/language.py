"""Which language the product speaks: the configuration's ``language``, else the system's, else
English.

The system's language is the POSIX locale for messages (``LC_ALL``, then ``LC_MESSAGES``, then
``LANG``, the order of precedence POSIX gives them; ``C`` and ``POSIX`` mean English), with GNU
``LANGUAGE`` preferences honoured when the locale is set, as GNU gettext does; on Windows, where
those variables are usually unset, the user's display language
(``GetUserDefaultUILanguage``).

Exports: ``LANGUAGES``, ``DEFAULT_LANGUAGE``, ``choose_language``, ``windows_ui_language``.
"""

from __future__ import annotations

import locale
import sys
from collections.abc import Callable, Mapping

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "choose_language", "windows_ui_language"]

LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"


def _language_of(tag: str) -> str | None:
    """``de`` for ``de_DE.UTF-8``, ``de-AT`` or ``de``; None for a language the product lacks."""
    base = tag.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else None


def windows_ui_language() -> str | None:
    """The Windows user's display language as a locale name (``de_DE``); None elsewhere."""
    if sys.platform != "win32":
        return None
    import ctypes

    lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()
    return locale.windows_locale.get(lcid)


def choose_language(
    configured: str | None,
    environ: Mapping[str, str],
    system: Callable[[], str | None] = windows_ui_language,
) -> str:
    """The language to speak: ``configured`` (``"de"`` or ``"en"``) when set, else the
    environment's locale (see the module docstring), else ``system()`` (the Windows display
    language), else English. A locale of a language the product does not speak means English.
    """
    if configured:
        return configured
    current = next(
        (environ[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(k)), None
    )
    if current is not None:
        if current.split(".")[0] in ("C", "POSIX"):
            return DEFAULT_LANGUAGE
        for preference in environ.get("LANGUAGE", "").split(":"):
            found = _language_of(preference) if preference else None
            if found:
                return found
        return _language_of(current) or DEFAULT_LANGUAGE
    shown = system()
    return (_language_of(shown) if shown else None) or DEFAULT_LANGUAGE
