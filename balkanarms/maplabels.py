"""Where the map writes each line's value: on the line, clear of the other labels, the
capitals and the frame (used by :mod:`balkanarms.maps`)."""

from __future__ import annotations

import math

import numpy as np


def label_point(pts: np.ndarray, min_from_start: float = 150_000) -> np.ndarray:
    """A point 60 % of the way along a line, but clear of the gate it starts at (kept for callers
    that label a line's middle; the map labels each line at its arrowhead, see :func:`place_labels`)."""
    along = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
    target = max(0.6 * along[-1], min(0.85 * along[-1], min_from_start))
    return pts[int(np.searchsorted(along, target).clip(0, len(pts) - 1))]


def overlap(a, b) -> float:
    """Overlapping area of two boxes (x0, x1, y0, y1)."""
    w = min(a[1], b[1]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[2], b[2])
    return w * h if w > 0 and h > 0 else 0.0


def place_labels(
    items: list[dict],
    obstacles: list[tuple],
    step: float = 8_000,
    reach: float = 100_000,
    capitals: dict | None = None,
) -> list[tuple[float, float]]:
    """Where each line's number goes: on its line, just behind its arrowhead, moved back along the line
    (by ``reach`` at most, and never more than 70 % of its length), then beside it, then around the
    arrowhead, until its box (``w`` by ``h`` metres) overlaps no label placed
    before it and no obstacle (capitals, names, entry points); where no place is free, the least
    crowded; with ``capitals`` (code: point), a place nearer another capital than the line's ``recipient``
    counts as crowded too. ``items`` (with ``pts``, ``w``, ``h`` and ``head``, the arrowhead's length) are placed in
    order, so the larger flows, listed first, get the places nearest their arrowheads."""
    boxes = list(obstacles)
    out = []
    for it in items:
        rev = it["pts"][::-1]
        along = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(rev, axis=0).T))])
        w, h = it["w"], it["h"]
        start = it["head"] + 0.5 * max(w, h)
        best, best_cost = None, math.inf
        candidates = []  # on the line first, nearest the arrowhead first; then beside it
        for side in (0.0, 1.0, -1.0):
            for d in np.arange(start, max(min(0.7 * along[-1], start + reach), start) + 1, step):
                k = int(np.searchsorted(along, d).clip(0, len(rev) - 1))
                x, y = rev[k]
                if side:
                    tx, ty = rev[max(k - 1, 0)] - rev[min(k + 1, len(rev) - 1)]
                    norm = math.hypot(tx, ty) or 1.0
                    x, y = x - side * ty / norm * 0.8 * h, y + side * tx / norm * 0.8 * h
                candidates.append((x, y, (x - w / 2, x + w / 2, y - h / 2, y + h / 2)))
        ex, ey = rev[0]  # last, around the arrowhead itself
        for r in (0.5 * math.hypot(w, h) + 10_000, math.hypot(w, h) + 20_000):
            for ang in np.arange(0, 360, 45):
                x, y = ex + r * math.cos(math.radians(ang)), ey + r * math.sin(math.radians(ang))
                candidates.append((x, y, (x - w / 2, x + w / 2, y - h / 2, y + h / 2)))
        own = capitals.get(it.get("recipient")) if capitals else None
        for x, y, box in candidates:
            cost = sum(overlap(box, b) for b in boxes)
            if own is not None and any(  # nearer another capital: it would read as that country's number
                math.hypot(x - cx, y - cy) < math.hypot(x - own[0], y - own[1]) for cx, cy in capitals.values()
            ):
                cost += w * h
            if cost < best_cost:
                best, best_cost = (x, y, box), cost
            if cost == 0:
                break
        x, y, box = best
        boxes.append(box)
        out.append((x, y))
    return out
