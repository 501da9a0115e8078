"""``intro TARGET``: who can introduce the owner to a person or an organisation.

The paths come from the core (:mod:`..core.intro`), the words from :mod:`..report.intro`; the
text is rendered from the same document ``--json`` prints. Every run remembers the paths it
proposed (``Store.keep_intro_proposals``), so the ledger marks the introduction the owner then asks
for and receives, and reminds them to thank the introducer.

Exports: ``register``, ``print_stranger``.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..core.scoring import shown_score
from ..errors import UsageError
from ..i18n import Wording
from ..parsing.addresses import normalise
from .options import open_workspace
from .output import local, print_json, say
from .parser import add_command

__all__ = ["print_stranger", "register"]

def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    intro = add_command(
        commands,
        "intro",
        common,
        words=w,
        help=w.gettext("who can introduce you to a person or an organisation"),
        description=w.gettext(
            "Warm paths to TARGET through people you know, strongest first, with the evidence in "
            "numbers (docs/intro.md). TARGET is an address, a name, or an organisation (a name from"
            " your address book's cards, or a mail domain). Paths go through people you have a "
            "two-way relationship with; a two-step path (through someone you do not know) is shown "
            "only for people no one-step path reaches."
        ),
        examples=[
            "intro anna.berg@globex.example",
            'intro "Anna Berg"',
            "intro globex.example --limit 3",
            "intro Globex --json",
        ],
    )
    intro.add_argument(
        "target", metavar="TARGET",
        help=w.gettext("an address, a name or an organisation"),
    )
    intro.add_argument("--json", action="store_true", help=w.gettext("print JSON (docs/json.md)"))
    intro.add_argument(
        "--limit", type=int, default=10, metavar="N",
        help=w.gettext("show at most N paths (default 10)"),
    )
    intro.set_defaults(handler=_intro)


def _intro(args: argparse.Namespace) -> int:
    from ..core.intro import find_paths, intro_json, remember_proposals

    w: Wording = args.words
    query = " ".join(args.target.split())
    if not query:
        raise UsageError(
            w.gettext("intro needs a TARGET: an address, a name or an organisation")
        )
    if "@" in query and not normalise(query):
        raise UsageError(w.gettext("not an e-mail address: {text}").format(text=repr(query)))
    if args.limit < 0:
        raise UsageError(w.gettext("--limit must be 0 (all) or more"))
    with open_workspace(args, need="data") as workspace:
        workspace.keeping = False  # its proposals, which the ledger reads, end them
        network = workspace.network
        result = find_paths(network, workspace.ledger.items, query, limit=args.limit)
        if result.paths:
            store = workspace.store
            store.keep_intro_proposals(remember_proposals(store.intro_proposals(), result))
        document = intro_json(network, result)
        if args.json:
            print_json(document)
        else:
            _print_intro(document, workspace.words)
    return 0


def _print(text: str = "", indent: int = 0) -> None:
    """A paragraph wrapped to the console's width; wrapped lines keep the indent."""
    say(text, indent=indent, hang=indent)


def _print_path(path: dict[str, Any], first_indent: int) -> None:
    from ..report.intro import path_steps

    for n, (label, reasons) in enumerate(path_steps(path)):
        _print(("→ " if n else "") + label, first_indent)
        if reasons:
            _print(reasons, first_indent + 2)


def _print_intro(doc: dict[str, Any], words: Wording) -> None:
    from ..report.intro import path_heading

    w = words
    query, targets = doc["query"], doc["targets"]
    if not targets:
        _print(
            w.gettext("Nobody in your mail or meetings matches {query}.").format(
                query=repr(query)
            )
        )
        return
    what = (
        w.ngettext("{query} ({count} person there)", "{query} ({count} people there)",
                   len(targets)).format(query=query, count=w.number(len(targets)))
        if doc["kind"] == "organisation"
        else query
    )  # fmt: skip
    _print(
        w.gettext("Who can introduce you to {what}, as of {date}").format(
            what=what, date=local(doc["as_of"], w)
        )
    )
    for person in doc["known"]:
        _print(
            w.gettext("You already know {name} (tier {tier}, score {score}).").format(
                name=person.get("name") or person["address"],
                tier=person["tier"],
                score=w.number(shown_score(person["score"])),
            )
        )
    if not doc["paths"]:
        _print(
            w.gettext("No path yet: nobody you know appears with them in your mail or meetings.")
        )
        return
    for path in doc["paths"]:
        _print()
        _print(f"{path['rank']:>2}. {path_heading(path)}")
        _print_path(path, 4)


def print_stranger(doc: dict[str, Any], w: Wording) -> None:
    """``contact ADDR`` for someone who is no contact: whom the owner may know them through."""
    from ..report.intro import path_heading

    _print(
        w.gettext("{address} is not in your network yet.").format(
            address=doc["name"] or doc["address"]
        )
    )
    _print(w.gettext("You may know them through ({how}):").format(how=path_heading(doc["intro"])))
    _print_path(doc["intro"], 2)
