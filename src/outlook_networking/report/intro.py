"""Warm introduction paths in words: the reasons' codes and counts (``core.intro``) as sentences
for people, and the report's section "Organisations you can reach".

The command line (``intro``, ``contact``) and the report share these words; they work on the
documented JSON form of a path (``core.intro.path_json``), the same document ``--json`` prints.

Exports: ``hop_text``, ``person_label``, ``path_heading``, ``path_steps``, ``reach_section``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from ..core.intro import find_paths, path_json
from ..core.ledger import LedgerItem
from ..core.network import Network
from ..core.review import targets_without_ab
from ..core.scoring import shown_score

__all__ = ["hop_text", "path_heading", "path_steps", "person_label", "reach_section"]

PATHS_PER_ORGANISATION = 3

_TIMES = {1: "once", 2: "twice"}


def _times(n: int) -> str:
    return _TIMES.get(n, f"{n} times")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# code -> wording; {near} and {far} are the two people's short names, {n} the count.
_REASONS: dict[str, Callable[[int], str]] = {
    "near_introduced_you": lambda n: (
        "{near} introduced you to {far}" + ("" if n == 1 else f" ({_times(n)})")
    ),
    "far_introduced_you": lambda n: (
        "{far} introduced you to {near}" + ("" if n == 1 else f" ({_times(n)})")
    ),
    "meetings": lambda n: f"in {_plural(n, 'meeting', 'meetings')} together",
    "far_replied": lambda n: "{far} answered {near} " + _times(n),
    "near_replied": lambda n: "{near} answered {far} " + _times(n),
    "far_wrote": lambda n: "{far} wrote to {near} " + _times(n),
    "together": lambda n: f"named together on {_plural(n, 'message', 'messages')}",
    "near_wrote": lambda n: "{near} wrote to {far} " + _times(n),
    "introduction_took": lambda n: "you introduced them and they followed up",
    "introduced_by_you": lambda n: "you introduced them" + ("" if n == 1 else f" ({_times(n)})"),
    "days_since": lambda n: (
        "last seen together today"
        if n == 0
        else f"last seen together {_plural(n, 'day', 'days')} ago"
    ),
}


def _short(person: Mapping[str, Any]) -> str:
    """A first name, else the address."""
    name = person.get("name") or ""
    return name.split()[0] if name.split() else str(person["address"])


def _full(person: Mapping[str, Any]) -> str:
    name = person.get("name")
    return f"{name} <{person['address']}>" if name else str(person["address"])


def hop_text(hop: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]]) -> str:
    """One hop's reasons in a sentence: ``"Thomas wrote to Elena twice; ..."``."""
    near = _short(people[hop["from"]])
    far = _short(people[hop["to"]])
    if near == far:
        near, far = str(hop["from"]), str(hop["to"])
    parts: list[str] = []
    for reason in hop["reasons"]:
        words = _REASONS.get(reason["code"])
        if words is not None:
            parts.append(words(reason["count"]).format(near=near, far=far))
    return "; ".join(parts)


def person_label(person: Mapping[str, Any]) -> str:
    """``"Elena Meyer <elena@...> (A, score 91)"``; someone unknown is said to be so."""
    if person.get("tier"):
        return f"{_full(person)} ({person['tier']}, score {shown_score(person['score'])})"
    return f"{_full(person)} (not in your network)"


def path_heading(path: Mapping[str, Any]) -> str:
    """``"path score 52"``, and that two steps are weaker."""
    weaker = ", two steps: weaker" if path.get("weaker") else ""
    return f"path score {shown_score(path['score'])}{weaker}"


def path_steps(path: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each person along the path with the reasons they know the one before: the owner's
    contact first (no reasons: the owner's own tie), the target last."""
    people = {p["address"]: p for p in (*path["via"], path["target"])}
    target = path["target"]
    steps = [(person_label(path["via"][0]), "")]
    for hop, person in zip(path["hops"], (*path["via"][1:], target), strict=True):
        label = (
            _full(person) if person is target and not person.get("tier") else person_label(person)
        )
        steps.append((label, hop_text(hop, people)))
    return steps


def _path_html(path: Mapping[str, Any]) -> str:
    steps = "".join(
        f'<div class="step">{"→ " if n else ""}<span class="person">{escape(label)}</span>'
        + (f'<div class="reason">{escape(reasons)}</div>' if reasons else "")
        + "</div>"
        for n, (label, reasons) in enumerate(path_steps(path))
    )
    return f'<li><div class="muted">{escape(path_heading(path))}</div>{steps}</li>'


def reach_section(network: Network, introductions: Sequence[LedgerItem] | None) -> str:
    """The report's section "Organisations you can reach": for each ``[targets]`` organisation
    without an A or B contact (as the annual review lists them), the best paths into it."""
    missing = targets_without_ab(network.contacts, network.settings)
    if not network.settings.target_organisations:
        body = (
            '<p class="empty">No target organisations configured: list them under '
            "<code>[targets] organisations</code> in the configuration.</p>"
        )
    elif not missing:
        body = '<p class="empty">You have an A or B contact at every target organisation.</p>'
    else:
        blocks = []
        for organisation in missing:
            result = find_paths(
                network, introductions or (), organisation, limit=PATHS_PER_ORGANISATION
            )
            if result.paths:
                rows = "".join(
                    _path_html(path_json(network, p, i)) for i, p in enumerate(result.paths, 1)
                )
                found = f'<ol class="paths">{rows}</ol>'
            else:
                found = (
                    '<p class="empty">No path yet: nobody you know appears with anyone there '
                    "in your mail or meetings.</p>"
                )
            blocks.append(f"<h3>{escape(organisation)}</h3>{found}")
        body = "".join(blocks)
    return (
        '<section class="card" id="reach"><h2>Organisations you can reach</h2>'
        '<p class="lede">Target organisations where you have no A or B contact, and who could '
        "introduce you there: people you know who appear with people there in your mail and "
        "meetings, strongest first.</p>"
        f"{body}</section>"
    )
