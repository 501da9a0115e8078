"""Warm introduction paths in words: the reasons' codes and counts (``core.intro``) as sentences
for people, and the report's section "Organisations you can reach".

The command line (``intro``, ``contact``) and the report share these words; they work on the
documented JSON form of a path (``core.intro.path_json``), the same document ``--json`` prints.

Exports: ``hop_text``, ``person_label``, ``path_heading``, ``path_steps``, ``reach_section``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from ..core.intro import find_paths, path_json
from ..core.ledger import LedgerItem
from ..core.network import Network
from ..core.review import targets_without_ab
from ..core.scoring import shown_score
from ..i18n import Wording

__all__ = ["hop_text", "path_heading", "path_steps", "person_label", "reach_section"]

PATHS_PER_ORGANISATION = 3


def _reason(words: Wording, code: str, n: int) -> str | None:
    """One reason of a hop in ``words``'s language; ``{near}`` and ``{far}`` stay for the two
    people's short names. None for a code this version does not know."""
    count = words.number(n)
    if code == "near_introduced_you":
        text = words.ngettext(
            "{near} introduced you to {far}", "{near} introduced you to {far} ({count} times)", n
        )
    elif code == "far_introduced_you":
        text = words.ngettext(
            "{far} introduced you to {near}", "{far} introduced you to {near} ({count} times)", n
        )
    elif code == "meetings":
        text = words.ngettext("in {count} meeting together", "in {count} meetings together", n)
    elif code == "far_replied":
        text = words.ngettext(
            "{far} answered {near} once", "{far} answered {near} {count} times", n
        )
    elif code == "near_replied":
        text = words.ngettext(
            "{near} answered {far} once", "{near} answered {far} {count} times", n
        )
    elif code == "far_wrote":
        text = words.ngettext(
            "{far} wrote to {near} once", "{far} wrote to {near} {count} times", n
        )
    elif code == "near_wrote":
        text = words.ngettext(
            "{near} wrote to {far} once", "{near} wrote to {far} {count} times", n
        )
    elif code == "together":
        text = words.ngettext(
            "named together on {count} message", "named together on {count} messages", n
        )
    elif code == "introduction_took":
        text = words.gettext("you introduced them and they followed up")
    elif code == "introduced_by_you":
        text = words.ngettext("you introduced them", "you introduced them ({count} times)", n)
    elif code == "days_since":
        text = (
            words.gettext("last seen together today")
            if n == 0
            else words.ngettext(
                "last seen together {count} day ago", "last seen together {count} days ago", n
            )
        )
    else:
        return None
    return text.replace("{count}", count)


def _short(person: Mapping[str, Any]) -> str:
    """A first name, else the address."""
    name = person.get("name") or ""
    return name.split()[0] if name.split() else str(person["address"])


def _full(person: Mapping[str, Any]) -> str:
    name = person.get("name")
    return f"{name} <{person['address']}>" if name else str(person["address"])


def hop_text(
    hop: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]], words: Wording | None = None
) -> str:
    """One hop's reasons in a sentence: ``"Thomas wrote to Elena 2 times; ..."``."""
    words = words or Wording()
    near = _short(people[hop["from"]])
    far = _short(people[hop["to"]])
    if near == far:
        near, far = str(hop["from"]), str(hop["to"])
    parts: list[str] = []
    for reason in hop["reasons"]:
        text = _reason(words, reason["code"], reason["count"])
        if text is not None:
            parts.append(text.format(near=near, far=far))
    return "; ".join(parts)


def person_label(person: Mapping[str, Any], words: Wording | None = None) -> str:
    """``"Elena Meyer <elena@...> (A, score 91)"``; someone unknown is said to be so."""
    words = words or Wording()
    if person.get("tier"):
        return words.gettext("{person} ({tier}, score {score})").format(
            person=_full(person),
            tier=person["tier"],
            score=words.number(shown_score(person["score"])),
        )
    return words.gettext("{person} (not in your network)").format(person=_full(person))


def path_heading(path: Mapping[str, Any], words: Wording | None = None) -> str:
    """``"path score 52"``, and that two steps are weaker."""
    words = words or Wording()
    score = words.number(shown_score(path["score"]))
    if path.get("weaker"):
        return words.gettext("path score {score}, two steps: weaker").format(score=score)
    return words.gettext("path score {score}").format(score=score)


def path_steps(path: Mapping[str, Any], words: Wording | None = None) -> list[tuple[str, str]]:
    """Each person along the path with the reasons they know the one before: the owner's
    contact first (no reasons: the owner's own tie), the target last. ``words``: the reader's
    language (default English)."""
    words = words or Wording()
    people = {p["address"]: p for p in (*path["via"], path["target"])}
    target = path["target"]
    steps = [(person_label(path["via"][0], words), "")]
    for hop, person in zip(path["hops"], (*path["via"][1:], target), strict=True):
        label = (
            _full(person)
            if person is target and not person.get("tier")
            else person_label(person, words)
        )
        steps.append((label, hop_text(hop, people, words)))
    return steps


def _path_html(path: Mapping[str, Any], words: Wording) -> str:
    steps = "".join(
        f'<div class="step">{"→ " if n else ""}<span class="person">{escape(label)}</span>'
        + (f'<div class="reason">{escape(reasons)}</div>' if reasons else "")
        + "</div>"
        for n, (label, reasons) in enumerate(path_steps(path, words))
    )
    return f'<li><div class="muted">{escape(path_heading(path, words))}</div>{steps}</li>'


def reach_section(
    network: Network, introductions: Sequence[LedgerItem] | None, words: Wording
) -> str:
    """The report's section "Organisations you can reach": for each ``[targets]`` organisation
    without an A or B contact (as the annual review lists them), the best paths into it."""
    missing = targets_without_ab(network.contacts, network.settings)
    if not network.settings.target_organisations:
        body = (
            '<p class="empty">'
            + escape(
                words.gettext(
                    "No target organisations configured: list them under {setting} in the "
                    "configuration."
                )
            ).format(setting="<code>[targets] organisations</code>")
            + "</p>"
        )
    elif not missing:
        body = (
            '<p class="empty">'
            + escape(words.gettext("You have an A or B contact at every target organisation."))
            + "</p>"
        )
    else:
        blocks = []
        for organisation in missing:
            result = find_paths(
                network, introductions or (), organisation, limit=PATHS_PER_ORGANISATION
            )
            if result.paths:
                rows = "".join(
                    _path_html(path_json(network, p, i), words)
                    for i, p in enumerate(result.paths, 1)
                )
                found = f'<ol class="paths">{rows}</ol>'
            else:
                nothing = words.gettext(
                    "No path yet: nobody you know appears with anyone there in your mail or "
                    "meetings."
                )
                found = f'<p class="empty">{escape(nothing)}</p>'
            blocks.append(f"<h3>{escape(organisation)}</h3>{found}")
        body = "".join(blocks)
    heading = words.gettext("Organisations you can reach")
    lede = words.gettext(
        "Target organisations where you have no A or B contact, and who could introduce you "
        "there: people you know who appear with people there in your mail and meetings, "
        "strongest first."
    )
    return (
        f'<section class="card" id="reach"><h2>{escape(heading)}</h2>'
        f'<p class="lede">{escape(lede)}</p>{body}</section>'
    )
