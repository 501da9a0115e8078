"""Draw the add-in's PNG icons (16-128 px) into src/outlook_networking/addin/static/.

Outlook wants bitmap icons at fixed sizes. They are drawn here with the standard library only
(no Pillow) so anyone can regenerate them: a rounded blue square with three linked people-nodes.
Run: python manifest/make_icons.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

SIZES = (16, 32, 64, 80, 128)
BLUE = (15, 108, 189)
WHITE = (255, 255, 255)
SUPERSAMPLE = 4
STATIC = Path(__file__).resolve().parents[1] / "src" / "outlook_networking" / "addin" / "static"

# In a unit square: three nodes and the links between them.
NODES = ((0.30, 0.34), (0.72, 0.30), (0.50, 0.72))
NODE_RADIUS = 0.105
LINK_WIDTH = 0.055


Point = tuple[float, float]


def _segment_distance(px: float, py: float, a: Point, b: Point) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _sample(x: float, y: float) -> tuple[tuple[int, int, int], bool]:
    """Colour at (x, y) in the unit square and whether it is inside the icon."""
    radius = 0.2
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    if math.hypot(x - cx, y - cy) > radius:
        return (0, 0, 0), False
    for node in NODES:
        if math.hypot(x - node[0], y - node[1]) <= NODE_RADIUS:
            return WHITE, True
    links = ((NODES[0], NODES[1]), (NODES[1], NODES[2]), (NODES[2], NODES[0]))
    for a, b in links:
        if _segment_distance(x, y, a, b) <= LINK_WIDTH / 2:
            return WHITE, True
    return BLUE, True


def render(size: int) -> bytes:
    rows = []
    n = SUPERSAMPLE
    for j in range(size):
        row = bytearray([0])  # filter type: none
        for i in range(size):
            r = g = b = inside = 0
            for sj in range(n):
                for si in range(n):
                    colour, hit = _sample((i + (si + 0.5) / n) / size, (j + (sj + 0.5) / n) / size)
                    if hit:
                        inside += 1
                        r, g, b = r + colour[0], g + colour[1], b + colour[2]
            if inside:
                row += bytes((r // inside, g // inside, b // inside, 255 * inside // (n * n)))
            else:
                row += bytes((0, 0, 0, 0))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    for size in SIZES:
        (STATIC / f"icon-{size}.png").write_bytes(render(size))


if __name__ == "__main__":
    main()
