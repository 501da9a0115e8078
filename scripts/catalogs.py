"""Keep the gettext catalogs current: extract the messages, update the .po files, compile the .mo.

    python scripts/catalogs.py           # extract → update de and en → compile
    python scripts/catalogs.py --check   # list what is stale or missing; exit 1 if anything is

Extraction reads ``babel.cfg`` (which files) and takes ``gettext`` and ``ngettext`` calls, with
``# TRANSLATORS:`` comments for the translator. English is the source language: its catalog is
filled from the message ids, so it is complete by construction. The German catalog keeps its
translations; a new message arrives untranslated and an obsolete one is dropped, and ``--check``
(run by ``tests/i18n/test_catalogs.py``) fails until a person has translated every message and
cleared every fuzzy mark. The compiled ``.mo`` files are committed (the package ships them
without a build step) and the check holds them to their ``.po`` byte for byte. docs/i18n.md has
the workflow and the glossary.
"""

from __future__ import annotations

import argparse
import copy
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parents[1]
DOMAIN = "outlook_networking"
LOCALES = REPO / "src" / "outlook_networking" / "i18n" / "locale"
LANGUAGES = ("en", "de")
KEYWORDS = {"gettext": None, "ngettext": (1, 2)}
# Fixed header dates keep the files stable: git, not the header, says when a catalog changed.
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def po_path(language: str, locales: Path = LOCALES) -> Path:
    return locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every message the source code asks the catalogs for."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    template = Catalog(project="outlook-networking", creation_date=STAMP, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def updated(language: str, template: Catalog) -> Catalog:
    """The language's catalog brought up to the template (existing translations kept)."""
    path = po_path(language)
    if path.exists():
        with path.open("rb") as file:
            catalog = read_po(file, locale=language, domain=DOMAIN)
    else:
        catalog = Catalog(locale=language, domain=DOMAIN, project="outlook-networking")
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)  # update shares messages
    catalog.obsolete.clear()
    catalog.creation_date = STAMP
    catalog.revision_date = STAMP
    catalog.fuzzy = False
    if language == "en":
        for message in catalog:
            if message.id:
                message.string = message.id
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, no_location=True, sort_output=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def problems(locales: Path = LOCALES) -> list[str]:
    """What is stale or missing in the catalogs under ``locales``: each a line naming the file
    and the message."""
    template = extract()
    found: list[str] = []
    for language in LANGUAGES:
        path = po_path(language, locales)
        if not path.exists():
            found.append(f"{path}: missing")
            continue
        with path.open("rb") as file:
            catalog = read_po(file, locale=language, domain=DOMAIN)
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        where = path.relative_to(locales)
        found += [f"{where}: not in the catalog: {m!r}" for m in sorted(wanted - have)]
        found += [f"{where}: no longer used: {m!r}" for m in sorted(have - wanted)]
        for message in catalog:
            if not message.id:
                continue
            label = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                found.append(f"{where}: fuzzy: {label!r}")
            elif not all(strings):
                found.append(f"{where}: not translated: {label!r}")
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            found.append(f"{mo.relative_to(locales)}: not compiled from {path.name}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args(argv)
    if args.check:
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    template = extract()
    for language in LANGUAGES:
        catalog = updated(language, template)
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_bytes(catalog))
        with path.open("rb") as file:  # compiled from the file, as --check compiles it
            written = read_po(file, locale=language, domain=DOMAIN)
        path.with_suffix(".mo").write_bytes(mo_bytes(written))
        missing = sum(
            1 for m in written if m.id and not all(m.string if isinstance(m.string, tuple)
                                                   else (m.string,))
        )
        print(f"{path.relative_to(REPO)}: {len(catalog)} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
