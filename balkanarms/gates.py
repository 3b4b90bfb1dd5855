"""Geometry of the map's gates: where a line from a faraway supplier enters the map.

A gate sits where a ray from the centre of the map frame, in the true great-circle
bearing of the supplier (or the mean bearing of a bloc's suppliers), meets the frame,
pulled in by an inset. Gates are then spread along the frame so that labels do not
overlap. Every function takes the frame it works on; nothing here draws.
"""

from __future__ import annotations

import math

Frame = tuple[float, float, float, float]  # x0, x1, y0, y1


def bearing(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360


def mean_bearing(angles: list[float], weights: list[float] | None = None) -> float:
    """Circular mean of bearings in degrees, optionally weighted."""
    weights = weights or [1.0] * len(angles)
    return (
        math.degrees(
            math.atan2(
                sum(w * math.sin(math.radians(a)) for a, w in zip(angles, weights)),
                sum(w * math.cos(math.radians(a)) for a, w in zip(angles, weights)),
            )
        )
        % 360
    )


def spread(values: dict[str, float], period: float, min_sep: float) -> dict[str, float]:
    """Spread positions on a circle of length ``period`` so that no two are closer than
    ``min_sep``, keeping their order and moving each as little as possible: positions that
    crowd each other form a group, laid out ``min_sep`` apart around the group's mean, and
    groups that then touch merge, until none do. The circle is cut at its widest gap."""
    items = sorted(values.items(), key=lambda kv: (kv[1] % period, kv[0]))
    n = len(items)
    if n < 2:
        return {k: v % period for k, v in items}
    min_sep = min(min_sep, period / n)
    pos = [v % period for _, v in items]
    gaps = [(pos[(i + 1) % n] - pos[i]) % period for i in range(n)]
    cut = max(range(n), key=lambda i: (gaps[i], -i))  # the widest gap follows item ``cut``
    order = list(range(cut + 1, n)) + list(range(cut + 1))
    base = pos[order[0]]
    lin = [(pos[i] - base) % period for i in order]  # increasing along the cut circle
    groups = [[k] for k in range(n)]  # indices into ``lin``

    def start(g: list[int]) -> float:
        return sum(lin[k] for k in g) / len(g) - (len(g) - 1) * min_sep / 2

    merged = True
    while merged:
        merged = False
        for a in range(len(groups) - 1):
            end_a = start(groups[a]) + (len(groups[a]) - 1) * min_sep
            if start(groups[a + 1]) - end_a < min_sep - 1e-9:
                groups[a : a + 2] = [groups[a] + groups[a + 1]]
                merged = True
                break
    out = {}
    for g in groups:
        s0 = start(g)
        for m, k in enumerate(g):
            out[items[order[k]][0]] = (base + s0 + m * min_sep) % period
    return out


def ring(frame: Frame, inset: float) -> list[tuple[float, float]]:
    """Corners of the gate ring (the frame pulled in by ``inset``), clockwise from the top-left."""
    x0, x1, y0, y1 = frame
    return [(x0 + inset, y1 - inset), (x1 - inset, y1 - inset), (x1 - inset, y0 + inset), (x0 + inset, y0 + inset)]


def on_ring(angle: float, frame: Frame, inset: float) -> tuple[float, float]:
    """Where a ray from the frame's centre at bearing ``angle`` meets the gate ring."""
    x0, x1, y0, y1 = frame
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = math.sin(math.radians(angle)), math.cos(math.radians(angle))
    tx = ((x1 - inset - cx) / dx) if dx > 1e-9 else ((x0 + inset - cx) / dx) if dx < -1e-9 else math.inf
    ty = ((y1 - inset - cy) / dy) if dy > 1e-9 else ((y0 + inset - cy) / dy) if dy < -1e-9 else math.inf
    t = min(tx, ty)
    return cx + t * dx, cy + t * dy


def along_ring(xy: tuple[float, float], frame: Frame, inset: float) -> float:
    """Distance along the ring, clockwise from its top-left corner, of a point on it."""
    corners = ring(frame, inset)
    s = 0.0
    for a, b in zip(corners, corners[1:] + corners[:1]):
        seg = math.dist(a, b)
        if math.isclose(math.dist(a, xy) + math.dist(xy, b), seg, rel_tol=1e-9, abs_tol=1.0):
            return s + math.dist(a, xy)
        s += seg
    raise ValueError(f"{xy} is not on the gate ring")


def point_on_ring(s: float, frame: Frame, inset: float) -> tuple[float, float]:
    """The point at distance ``s`` along the ring (inverse of :func:`along_ring`)."""
    corners = ring(frame, inset)
    for a, b in zip(corners, corners[1:] + corners[:1]):
        seg = math.dist(a, b)
        if s <= seg:
            f = s / seg
            return a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
        s -= seg
    return corners[0]


def place(bearings: dict[str, float], frame: Frame, *, inset: float, min_gap: float) -> dict[str, tuple[float, float]]:
    """Gate positions: each where its bearing meets the ring, spread so that no two gates are
    closer than ``min_gap`` along the ring."""
    corners = ring(frame, inset)
    perimeter = sum(math.dist(a, b) for a, b in zip(corners, corners[1:] + corners[:1]))
    along = spread(
        {k: along_ring(on_ring(a, frame, inset), frame, inset) for k, a in bearings.items()}, perimeter, min_gap
    )
    return {k: point_on_ring(v, frame, inset) for k, v in along.items()}
