"""The network graph of the report: the most connected people of the owner's mail graph as an SVG,
clusters coloured and named by organisation, brokers (key persons) ringed and labelled.

Who is drawn: every key person, then the people with the most co-occurrences, up to ``limit``;
edges are the co-occurrences among them (line width grows with how often). Without the edges
(``graph`` not given) the clusters and key persons are still drawn, unconnected.

One layout is drawn on two canvases: a wide one for a desktop, and a narrow, portrait one for a
phone with smaller nodes and only the key persons named, so the names stay readable there.

Exports: ``CLUSTER_COLOURS``, ``Drawing``, ``graph_svg``, ``OTHER_COLOUR``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape

from ..core.keypersons import KeyPerson
from ..core.network import Network
from ..i18n import Wording
from .layout import force_layout

__all__ = ["CLUSTER_COLOURS", "OTHER_COLOUR", "Drawing", "graph_svg"]

CLUSTER_COLOURS = (
    "#2563eb",
    "#db2777",
    "#059669",
    "#d97706",
    "#7c3aed",
    "#0891b2",
    "#65a30d",
    "#dc2626",
)
OTHER_COLOUR = "#9aa1ab"
BACKBONE = 3  # strongest ties per person that shape the layout


@dataclass(frozen=True)
class _Canvas:
    name: str  # the CSS class: "wide" or "narrow"
    width: int
    height: int
    margin: int
    node_scale: float
    labelled: int  # besides the key persons, the best-connected people get a visible name
    label_all: int  # ...and in a graph this small everyone does
    font: tuple[float, float]  # the labels' sizes in style.py on this canvas: plain, key person

    def label_width(self, text: str, broker: bool) -> float:
        """How wide a label is drawn, in viewBox units, erring wide: the layout keeps a label
        inside the drawing only when this is at least its real width."""
        ems = sum(
            0.92 if c in "MWmw@" else 0.74 if c.isupper() else 0.36 if c in _THIN else 0.62
            for c in text
        )
        return ems * self.font[broker] * (1.15 if broker else 1.0)


_THIN = "iljtfI.,:;'!|() "
WIDE = _Canvas("wide", 900, 560, 70, 1.0, 16, 32, (12, 13))
NARROW = _Canvas("narrow", 380, 500, 34, 0.6, 0, 0, (12, 15))


@dataclass(frozen=True)
class Drawing:
    """The graph for both widths, and the legend rows (cluster name, colour)."""

    wide: str
    narrow: str
    legend: list[tuple[str, str]]


def _short(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _labels(
    spots: list[tuple[str, float, float, float, bool]],
    name_of: Mapping[str, str],
    wanted: set[str],
    canvas: _Canvas,
) -> list[str]:
    """Name labels beside their nodes, key persons first, inside the drawing, skipping any that
    would overlap one already placed or another node (the name stays in the node's tooltip). A
    key person's label may cover the small nodes of others (its halo keeps it readable), so a
    key person in a crowd is still named."""
    placed: list[tuple[float, float, float, float]] = []
    discs = [(x - r, y - r, x + r, y + r) for _, x, y, r, _ in spots]
    out: list[str] = []

    def clear(box: tuple[float, float, float, float], own: int) -> bool:
        x1, y1, x2, y2 = box
        if x1 < 2 or x2 > canvas.width - 2 or y1 < 2 or y2 > canvas.height - 2:
            return False
        others = [
            *placed,
            *(d for i, d in enumerate(discs) if i != own and (spots[i][4] or not spots[own][4])),
        ]
        return all(x2 <= a or x1 >= c or y2 <= b or y1 >= d for a, b, c, d in others)

    order = sorted(range(len(spots)), key=lambda i: (not spots[i][4], i))
    for i in order:
        person, x, y, radius, broker = spots[i]
        if person not in wanted:
            continue
        text = _short(name_of[person])
        width = canvas.label_width(text, broker)
        gap = radius + 5
        candidates = (
            ("start", x + gap, y + 4, (x + gap, y - 8, x + gap + width, y + 7)),
            ("end", x - gap, y + 4, (x - gap - width, y - 8, x - gap, y + 7)),
            ("middle", x, y - gap - 3, (x - width / 2, y - gap - 16, x + width / 2, y - gap)),
            ("middle", x, y + gap + 12, (x - width / 2, y + gap, x + width / 2, y + gap + 15)),
        )
        for anchor, tx, ty, box in candidates:
            if clear(box, i):
                placed.append(box)
                css = "node-label broker-label" if broker else "node-label"
                out.append(
                    f'<text class="{css}" x="{tx:.1f}" y="{ty:.1f}" '
                    f'text-anchor="{anchor}">{escape(text)}</text>'
                )
                break
    return out


def _backbone(edges: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], float]:
    """Each person's strongest few ties: laying out by every tie of a close team draws a blob."""
    ties: dict[str, list[tuple[int, tuple[str, str]]]] = {}
    for pair, weight in edges.items():
        for person in pair:
            ties.setdefault(person, []).append((weight, pair))
    kept: dict[tuple[str, str], float] = {}
    for own in ties.values():
        for _, pair in sorted(own, key=lambda t: (-t[0], t[1]))[:BACKBONE]:
            kept[pair] = 1.0
    return kept


def graph_svg(
    network: Network,
    edges: Mapping[tuple[str, str], int] | None = None,
    *,
    words: Wording,
    limit: int = 48,
) -> Drawing:
    """The graph of the most connected people, on both canvases, and its legend."""
    edges = edges or {}
    degree: Counter[str] = Counter()
    for (a, b), weight in edges.items():
        degree[a] += weight
        degree[b] += weight
    cluster_index: dict[str, int] = {}
    for i, cluster in enumerate(network.clusters):
        for member in cluster.members:
            cluster_index.setdefault(member, i)
    brokers = {k.person: k for k in network.key_persons}
    chosen = _chosen(network, brokers, degree, limit)
    inside = set(chosen)
    drawn_edges = {
        (a, b): w for (a, b), w in edges.items() if a in inside and b in inside and a != b
    }
    layout = force_layout(chosen, _backbone(drawn_edges), cluster_index)
    persons = network.identities.persons
    name_of = {p: (persons[p].name if p in persons and persons[p].name else p) for p in chosen}
    title = words.gettext(
        "Mail graph: {people} people, {connections} connections, {brokers} key persons"
    ).format(
        people=words.number(len(chosen)),
        connections=words.number(len(drawn_edges)),
        brokers=words.number(len(brokers)),
    )

    def draw(canvas: _Canvas) -> str:
        def xy(person: str) -> tuple[float, float]:
            x, y = layout[person]
            inner_w, inner_h = canvas.width - 2 * canvas.margin, canvas.height - 1.4 * canvas.margin
            return canvas.margin + x * inner_w, canvas.margin * 0.6 + y * inner_h

        ranked = sorted(chosen, key=lambda p: (-degree[p], p))
        labelled = set(brokers) | set(ranked[: canvas.labelled])
        if len(chosen) <= canvas.label_all:
            labelled = set(chosen)
        nodes, spots = _nodes(
            network, chosen, brokers, degree, cluster_index, name_of, xy, canvas.node_scale, words
        )
        return (
            f'<svg class="graph {canvas.name}" viewBox="0 0 {canvas.width} {canvas.height}" '
            f'role="img" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
            + "".join(_edge_lines(drawn_edges, xy))
            + "".join(nodes)
            + "".join(['<g class="labels">', *_labels(spots, name_of, labelled, canvas), "</g>"])
            + "</svg>"
        )

    return Drawing(draw(WIDE), draw(NARROW), _legend(network, chosen, cluster_index, words))


def _chosen(
    network: Network, brokers: Mapping[str, KeyPerson], degree: Counter[str], limit: int
) -> list[str]:
    """Who is drawn: the key persons, then the best connected, ``limit`` at most."""
    chosen: list[str] = list(brokers)
    ranked = sorted(degree, key=lambda p: (-degree[p], p))
    if not ranked:  # no edges known: show the clusters themselves
        ranked = [m for c in network.clusters for m in c.members]
    for person in ranked:
        if len(chosen) >= limit:
            break
        if person not in chosen:
            chosen.append(person)
    return chosen


def _edge_lines(
    drawn_edges: Mapping[tuple[str, str], int], xy: Callable[[str], tuple[float, float]]
) -> list[str]:
    """One line per connection, thicker and darker the more mail it carries."""
    top_weight = max(drawn_edges.values(), default=1)
    lines = ['<g class="edges">']
    for (a, b), weight in sorted(drawn_edges.items()):
        (x1, y1), (x2, y2) = xy(a), xy(b)
        share = math.sqrt(weight / top_weight)
        lines.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke-width="{0.8 + 3.2 * share:.2f}" stroke-opacity="{0.25 + 0.6 * share:.2f}"/>'
        )
    lines.append("</g>")
    return lines


def _nodes(
    network: Network,
    chosen: list[str],
    brokers: Mapping[str, KeyPerson],
    degree: Counter[str],
    cluster_index: Mapping[str, int],
    name_of: Mapping[str, str],
    xy: Callable[[str], tuple[float, float]],
    scale: float,
    words: Wording,
) -> tuple[list[str], list[tuple[str, float, float, float, bool]]]:
    """A circle per person in their cluster's colour (key persons haloed), and where each is."""
    persons = network.identities.persons
    top_degree = max((degree[p] for p in chosen), default=1) or 1
    nodes = ['<g class="nodes">']
    spots: list[tuple[str, float, float, float, bool]] = []
    for person in chosen:
        x, y = xy(person)
        radius = (5 + 9 * math.sqrt(degree[person] / top_degree)) * scale
        broker = brokers.get(person)
        tip = name_of[person]
        if persons.get(person) is not None and persons[person].organisation:
            tip += f" ({persons[person].organisation})"
        if broker is not None:
            tip = words.gettext("{person}: key person, {why}").format(
                person=tip, why=words.phrase(broker.reason)
            )
        css = "node broker" if broker is not None else "node"
        index = cluster_index.get(person)
        colour = OTHER_COLOUR if index is None else CLUSTER_COLOURS[index % len(CLUSTER_COLOURS)]
        nodes.append(
            f'<g class="{css}" data-person="{escape(person)}"><title>{escape(tip)}</title>'
            + (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius + 5 * scale:.1f}" class="halo"/>'
                if broker is not None
                else ""
            )
            + f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}"/></g>'
        )
        spots.append((person, x, y, radius, broker is not None))
    nodes.append("</g>")
    return nodes, spots


def _legend(
    network: Network, chosen: list[str], cluster_index: Mapping[str, int], words: Wording
) -> list[tuple[str, str]]:
    """Each cluster with a member drawn, and its colour (the list below the graph counts
    the members)."""
    inside = set(chosen)
    legend: list[tuple[str, str]] = []
    for i, cluster in enumerate(network.clusters):
        if any(m in inside for m in cluster.members):
            legend.append((cluster.name, CLUSTER_COLOURS[i % len(CLUSTER_COLOURS)]))
    if any(p not in cluster_index for p in chosen):
        legend.append((words.gettext("no cluster"), OTHER_COLOUR))
    return legend
