"""A small, deterministic force-directed layout for the report's network graph.

Fruchterman–Reingold with a pull toward the centre (so loose groups stay on the page), started
from positions that put each cluster on its own sector of a circle, with a seeded random jitter:
the same graph always gives the same picture. Pure Python, because the report must not need
numpy for a few dozen nodes.

Exports: ``force_layout``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

__all__ = ["force_layout"]

GRAVITY = 2.0


def force_layout(
    nodes: Sequence[str],
    edges: Mapping[tuple[str, str], float],
    groups: Mapping[str, int] | None = None,
    *,
    seed: int = 7,
    iterations: int = 250,
) -> dict[str, tuple[float, float]]:
    """Positions in the unit square (0..1 on both axes) for every node.

    Parameters:
        edges: (a, b) → strength (higher pulls harder; pass a damped weight).
        groups: node → group number, to start each group in its own sector.
    """
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.5, 0.5)}
    rng = random.Random(seed)
    group_of = groups or {}
    group_count = max(group_of.values(), default=-1) + 2
    pos: dict[str, list[float]] = {}
    for node in nodes:
        sector = group_of.get(node, group_count - 1)
        angle = 2 * math.pi * sector / group_count + rng.uniform(-0.5, 0.5)
        radius = 0.25 + rng.uniform(0.0, 0.2)
        pos[node] = [0.5 + radius * math.cos(angle), 0.5 + radius * math.sin(angle)]
    k = math.sqrt(1.0 / n)
    adjacency = [(a, b, w) for (a, b), w in edges.items() if a in pos and b in pos and a != b]
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        disp = {node: [0.0, 0.0] for node in nodes}
        for i, a in enumerate(nodes):
            pa = pos[a]
            for b in nodes[i + 1 :]:
                pb = pos[b]
                dx, dy = pa[0] - pb[0], pa[1] - pb[1]
                dist2 = max(dx * dx + dy * dy, 1e-6)
                force = k * k / dist2  # repulsion k²/d, applied along (dx, dy)/d
                disp[a][0] += dx * force
                disp[a][1] += dy * force
                disp[b][0] -= dx * force
                disp[b][1] -= dy * force
        for a, b, weight in adjacency:
            pa, pb = pos[a], pos[b]
            dx, dy = pa[0] - pb[0], pa[1] - pb[1]
            dist = max(math.hypot(dx, dy), 1e-3)
            force = dist * weight / k  # attraction d²/k, along (dx, dy)/d
            disp[a][0] -= dx * force
            disp[a][1] -= dy * force
            disp[b][0] += dx * force
            disp[b][1] += dy * force
        for node in nodes:
            p, d = pos[node], disp[node]
            # Gravity keeps components that share no edge from drifting off the page.
            d[0] += (0.5 - p[0]) * GRAVITY
            d[1] += (0.5 - p[1]) * GRAVITY
            length = max(math.hypot(d[0], d[1]), 1e-9)
            step = min(length, temperature)
            p[0] += d[0] / length * step
            p[1] += d[1] / length * step
        temperature -= cooling
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x = max(max(xs) - min(xs), 1e-9)
    span_y = max(max(ys) - min(ys), 1e-9)
    return {
        node: ((p[0] - min(xs)) / span_x, (p[1] - min(ys)) / span_y) for node, p in pos.items()
    }
