"""The network graph of the report: the most connected people of the owner's mail graph as an SVG,
clusters coloured and named by organisation, brokers (key persons) ringed and labelled.

Who is drawn: every key person, then the people with the most co-occurrences, up to ``limit``;
edges are the co-occurrences among them (line width grows with how often). Without the edges
(``graph`` not given) the clusters and key persons are still drawn, unconnected.

Exports: ``CLUSTER_COLOURS``, ``graph_svg``, ``OTHER_COLOUR``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from html import escape

from ..core.keypersons import KeyPerson
from ..core.network import Network
from ..core.phrase import Words
from .layout import force_layout

__all__ = ["CLUSTER_COLOURS", "OTHER_COLOUR", "graph_svg"]

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
WIDTH, HEIGHT, MARGIN = 900, 560, 70
BACKBONE = 3  # strongest ties per person that shape the layout
LABELLED = 16  # besides the key persons, the best-connected people get a visible name
LABEL_ALL = 32  # ...and in a small graph everyone does


def _short(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _labels(
    spots: list[tuple[str, float, float, float, bool]],
    name_of: Mapping[str, str],
    wanted: set[str],
) -> list[str]:
    """Name labels beside their nodes, key persons first, skipping any that would overlap one
    already placed or another node (the name stays in the node's tooltip)."""
    placed: list[tuple[float, float, float, float]] = []
    discs = [(x - r, y - r, x + r, y + r) for _, x, y, r, _ in spots]
    out: list[str] = []

    def clear(box: tuple[float, float, float, float], own: int) -> bool:
        x1, y1, x2, y2 = box
        if x1 < 2 or x2 > WIDTH - 2 or y1 < 2 or y2 > HEIGHT - 2:
            return False
        others = [*placed, *(d for i, d in enumerate(discs) if i != own)]
        return all(x2 <= a or x1 >= c or y2 <= b or y1 >= d for a, b, c, d in others)

    order = sorted(range(len(spots)), key=lambda i: (not spots[i][4], i))
    for i in order:
        person, x, y, radius, broker = spots[i]
        if person not in wanted:
            continue
        text = _short(name_of[person])
        width = len(text) * (7.6 if broker else 6.9)
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
    words: Words,
    limit: int = 48,
) -> tuple[str, list[tuple[str, str, int]]]:
    """The SVG, and the legend rows (cluster name, colour, members drawn)."""
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

    def xy(person: str) -> tuple[float, float]:
        x, y = layout[person]
        return MARGIN + x * (WIDTH - 2 * MARGIN), MARGIN * 0.6 + y * (HEIGHT - 1.4 * MARGIN)

    persons = network.identities.persons
    name_of = {p: (persons[p].name if p in persons and persons[p].name else p) for p in chosen}
    labelled = set(brokers) | set(sorted(chosen, key=lambda p: (-degree[p], p))[:LABELLED])
    if len(chosen) <= LABEL_ALL:
        labelled = set(chosen)
    nodes, spots = _nodes(
        network, chosen, brokers, degree, cluster_index, name_of, xy, words
    )
    title = (
        f"Mail graph: {len(chosen)} people, {len(drawn_edges)} connections, "
        f"{len(brokers)} key persons"
    )
    svg = (
        f'<svg class="graph" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(_edge_lines(drawn_edges, xy))
        + "".join(nodes)
        + "".join(['<g class="labels">', *_labels(spots, name_of, labelled), "</g>"])
        + "</svg>"
    )
    return svg, _legend(network, chosen, cluster_index)


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
    words: Words,
) -> tuple[list[str], list[tuple[str, float, float, float, bool]]]:
    """A circle per person in their cluster's colour (key persons haloed), and where each is."""
    persons = network.identities.persons
    top_degree = max((degree[p] for p in chosen), default=1) or 1
    nodes = ['<g class="nodes">']
    spots: list[tuple[str, float, float, float, bool]] = []
    for person in chosen:
        x, y = xy(person)
        radius = 5 + 9 * math.sqrt(degree[person] / top_degree)
        broker = brokers.get(person)
        tip = name_of[person]
        if persons.get(person) is not None and persons[person].organisation:
            tip += f" ({persons[person].organisation})"
        if broker is not None:
            tip += f": key person, {words.phrase(broker.reason)}"
        css = "node broker" if broker is not None else "node"
        index = cluster_index.get(person)
        colour = OTHER_COLOUR if index is None else CLUSTER_COLOURS[index % len(CLUSTER_COLOURS)]
        nodes.append(
            f'<g class="{css}" data-person="{escape(person)}"><title>{escape(tip)}</title>'
            + (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius + 5:.1f}" class="halo"/>'
                if broker is not None
                else ""
            )
            + f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}"/></g>'
        )
        spots.append((person, x, y, radius, broker is not None))
    nodes.append("</g>")
    return nodes, spots


def _legend(
    network: Network, chosen: list[str], cluster_index: Mapping[str, int]
) -> list[tuple[str, str, int]]:
    """Each cluster drawn, with its colour and how many of its members are drawn."""
    inside = set(chosen)
    legend: list[tuple[str, str, int]] = []
    for i, cluster in enumerate(network.clusters):
        shown = sum(1 for m in cluster.members if m in inside)
        if shown:
            legend.append((cluster.name, CLUSTER_COLOURS[i % len(CLUSTER_COLOURS)], shown))
    others = sum(1 for p in chosen if p not in cluster_index)
    if others:
        legend.append(("no cluster", OTHER_COLOUR, others))
    return legend
