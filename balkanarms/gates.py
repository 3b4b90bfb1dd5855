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
    ``min_sep``, moving each as little as possible and keeping their order."""
    items = sorted(values.items(), key=lambda kv: (kv[1], kv[0]))
    pos = [v for _, v in items]
    for _ in range(400):
        moved = False
        for i in range(len(pos) if len(pos) > 1 else 0):
            j = (i + 1) % len(pos)
            gap = (pos[j] - pos[i]) % period
            if gap < min_sep:
                push = (min_sep - gap) / 2 + 1e-6
                pos[i] = (pos[i] - push) % period
                pos[j] = (pos[j] + push) % period
                moved = True
        if not moved:
            break
    return {k: v for (k, _), v in zip(items, pos)}


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
