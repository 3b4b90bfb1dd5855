"""The map of the seven's arms exports: arrows from each exporter's capital towards the world's regions.

The flows are the seven's deliveries in SIPRI's per-deal register (``world.by_year("wb")``, a
multi-year delivery split evenly over its years), summed per exporter and destination in a
five-year window. A destination is one of SIPRI's regions (:data:`balkanarms.world.REGIONS`), with
Ukraine apart from the rest of Europe; a delivery to another of the seven goes to that country's
capital. The basemap (boundaries, frame, capitals, projection) is the import map's
(:mod:`balkanarms.maps`). Each region has a *gate* on the map's edge in its direction; an arrow runs
from the exporter's capital to its gate, its width proportional to TIV on one scale for every
window, and its value is written at the arrowhead. Flows under :data:`THRESHOLD` are not drawn (the
chapter lists them), nor are deliveries to recipients SIPRI does not name.

Every artist that carries data has a ``gid`` (``arrow:<exporter>|<destination>``,
``value:<exporter>|<destination>``), so a test reads what was drawn.
"""

from __future__ import annotations

import itertools
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.patches import FancyArrowPatch, Patch, PathPatch
from matplotlib.path import Path as MPath
from shapely.geometry import LineString

from . import DATA_DIR, maps, style, world
from .aggregate import WINDOWS
from .tables import tiv_text

#: Flows below this TIV (millions) are not drawn; the chapter lists them.
THRESHOLD = 1.0
THRESHOLD_TEXT = "TIV 1 million"
UKRAINE = "Ukraine"
UNKNOWN = "Unknown recipient"
#: Destinations in legend order: Ukraine apart from the rest of SIPRI's Europe.
DESTINATIONS = [UKRAINE, "Europe", "Middle East", "Asia and Oceania", "Africa", "Americas"]
LABELS = {"Europe": "Rest of\nEurope", "Asia and Oceania": "Asia and\nOceania"}
#: Colours: SIPRI regions as on China's chart (beyond.REGION_COLOURS); Ukraine the blue of
#: "to Ukraine" on the chart of exports since a year.
COLOURS = {
    UKRAINE: "#0072B2",
    "Europe": "#332288",
    "Middle East": "#AA4499",
    "Asia and Oceania": "#88CCEE",
    "Africa": "#DDCC77",
    "Americas": "#44AA99",
}
DARK = {UKRAINE, "Europe", "Middle East"}  # colours that take white text
#: Gate of each destination: (edge of the frame, position along it as a fraction, left/bottom = 0),
#: in the direction of the region seen from the Balkans.
GATES = {
    UKRAINE: ("top", 0.78),  # north-east
    "Europe": ("left", 0.74),  # north-west
    "Americas": ("left", 0.32),  # west
    "Asia and Oceania": ("right", 0.52),  # east
    "Middle East": ("bottom", 0.8),  # south-east
    "Africa": ("bottom", 0.36),  # south
}
WIDTH = 6.4
FONT = style.SMALL_PT  # 9 px or more on a phone (see style.min_font_pt)
SOURCE_FONT = style.SMALL_PT
MAX_LINE = 14.0  # points, for the largest flow of any window
CODES = {
    "Serbia": "SRB",
    "Bosnia-Herzegovina": "BIH",
    "Montenegro": "MNE",
    "North Macedonia": "MKD",
    "Albania": "ALB",
    "Kosovo": "XKX",
    "Croatia": "HRV",
}
NOTE = (
    f"Arrows: flows of {THRESHOLD_TEXT} or more, from the exporter's capital towards the region; width and "
    "number: TIV delivered, millions, one width scale for every window. Ukraine is shown apart from the "
    "rest of SIPRI's Europe."
)


# --------------------------------------------------------------------------- the flows


def destination(recipient: str) -> str:
    """Where a delivery to ``recipient`` (SIPRI's name) goes on the map: Ukraine, one of the seven
    by name, SIPRI's region, or :data:`UNKNOWN` for SIPRI's unknown recipients; a recipient with no
    region in :data:`balkanarms.world.REGIONS` is an error, not an unknown."""
    if recipient == UKRAINE or recipient in CODES:
        return recipient
    if recipient == world.UNKNOWN_RECIPIENT:
        return UNKNOWN
    if recipient not in world.REGIONS:
        raise ValueError(f"{recipient!r} has no SIPRI region in balkanarms.world.REGIONS")
    return world.REGIONS[recipient]


def flows(window: tuple[int, int], data_dir=DATA_DIR) -> pd.DataFrame:
    """The seven's deliveries in ``window``: exporter, destination, tiv (millions), drawn (at or above
    :data:`THRESHOLD`, to a known destination); largest first, pairs with no TIV left out."""
    t = world.by_year("wb", data_dir)
    t = t[(t["year"] >= window[0]) & (t["year"] <= window[1])]
    t = t.assign(exporter=t["supplier"], destination=t["recipient"].map(destination))
    out = t.groupby(["exporter", "destination"], as_index=False)["tiv"].sum()
    out = out[out["tiv"] > 0].sort_values(["exporter", "destination"])
    out = out.sort_values("tiv", ascending=False, kind="stable", ignore_index=True)
    out["drawn"] = (out["tiv"] >= THRESHOLD) & (out["destination"] != UNKNOWN)
    return out[["exporter", "destination", "tiv", "drawn"]]


def scale_max(data_dir=DATA_DIR) -> float:
    """The largest flow of any of SIPRI's windows: the one width scale of every map."""
    return max([float(flows(w, data_dir)["tiv"].max()) for w in WINDOWS if len(flows(w, data_dir))] or [1.0])


def empty_message(f: pd.DataFrame, span: str) -> str:
    """What the map says when it draws no arrow."""
    if not len(f):
        return f"SIPRI records no major arms exports from the seven in {span}."
    return f"No flow from the seven in {span} reaches {THRESHOLD_TEXT}; the text lists them."


# --------------------------------------------------------------------------- drawing


def _gate_anchor(edge: str, pos: float, frame) -> tuple[float, float]:
    x0, x1, y0, y1 = frame
    if edge in ("top", "bottom"):
        return x0 + pos * (x1 - x0), y1 if edge == "top" else y0
    return (x0 if edge == "left" else x1), y0 + pos * (y1 - y0)


#: Bends of the arrows, straightest first (see :func:`balkanarms.maps.route`).
BENDS = (0.0, 0.08, -0.08, 0.16, -0.16, 0.25, -0.25, 0.35, -0.35)


def _bezier(start, end, bend: float) -> np.ndarray:
    return maps._bezier(start, end, bend, n=80)


def _avoid(caps, *codes_of: str) -> list:
    """The capitals of the seven other than those of ``codes_of`` (SIPRI names)."""
    own = {CODES[c] for c in codes_of if c in CODES}
    return [caps[c] for c in CODES.values() if c not in own]


def route(start, end, avoid, clearance: float = 45_000) -> tuple[np.ndarray, float]:
    """(points, bend) of the straightest curve from ``start`` to ``end`` that keeps ``clearance``
    from every point of ``avoid``, else the one that keeps farthest."""
    best = None
    for bend in BENDS:
        pts = _bezier(start, end, bend)
        gap = min((np.hypot(*(pts - np.array(a)).T).min() for a in avoid), default=np.inf)
        if gap >= clearance:
            return pts, bend
        if best is None or gap > best[0]:
            best = (gap, pts, bend)
    return best[1], best[2]


def _fan(rows, dest, edge, centre, step, caps) -> list:
    """The arrows into one gate: for every choice of bends that keeps clear of the other capitals,
    the tips are put in the order in which the arrows arrive; the choice with the fewest crossings,
    then the straightest, wins. Returns (flow, destination, tip, edge, bend) for each arrow."""
    options = []
    for r in rows:
        start, avoid = caps[CODES[r.exporter]], _avoid(caps, r.exporter)
        ok = [
            bd
            for bd in BENDS
            if min(np.hypot(*(_bezier(start, centre, bd) - np.array(a)).T).min() for a in avoid) >= 45_000
        ]
        options.append(ok[:5] or [route(start, centre, avoid)[1]])
    offsets = [(i - (len(rows) - 1) / 2) * step for i in range(len(rows))]
    best = None
    for choice in itertools.product(*options):

        def arrival(i, choice=choice):
            pts = _bezier(caps[CODES[rows[i].exporter]], centre, choice[i])
            back = (pts[-8] - pts[-1]) / np.hypot(*(pts[-8] - pts[-1]))
            return (back[0] if edge in ("top", "bottom") else -back[1], rows[i].exporter)

        order = sorted(range(len(rows)), key=arrival)
        tips = {
            i: (centre[0] + o, centre[1]) if edge in ("top", "bottom") else (centre[0], centre[1] - o)
            for i, o in zip(order, offsets)
        }
        curves = [LineString(_bezier(caps[CODES[rows[i].exporter]], tips[i], choice[i])) for i in range(len(rows))]
        crossings = sum(p.crosses(q) for p, q in itertools.combinations(curves, 2))
        cost = (crossings, sum(abs(c) for c in choice))
        if best is None or cost < best[0]:
            best = (cost, [(rows[i], dest, tips[i], edge, choice[i]) for i in range(len(rows))])
    return best[1]


def _halo(lw: float = 3.0):
    return [patheffects.withStroke(linewidth=lw, foreground="white")]


def draw(
    ax: plt.Axes, f: pd.DataFrame, countries: pd.DataFrame, *, vmax: float, empty: str = "", boundaries=None
) -> dict:
    """Draw the exports map of flows ``f`` (from :func:`flows`) on ``ax`` (line widths on the scale
    ``vmax``; ``empty`` is written on the map when no flow is drawn); returns what was drawn:
    {"arrows": [...], "gates": {...}, "names": {...}}."""
    fig = ax.figure
    b = maps.load_boundaries() if boundaries is None else boundaries
    x0, x1, y0, y1 = maps.FRAME
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    km_per_pt = (x1 - x0) / (ax.get_position().width * fig.get_figwidth() * 72)
    b[~b["focus"]].plot(ax=ax, color=maps.NEIGHBOUR, edgecolor="#BBBBBB", linewidth=0.5)
    b[b["focus"]].plot(ax=ax, color="#E2E2E2", edgecolor="white", linewidth=1.0)
    caps = maps._project(countries)

    drawn = f[f["drawn"]]
    pad = 4 * km_per_pt
    num_h = (FONT * 1.25 + 6) * km_per_pt
    num_w = {v: (len(tiv_text(v)) * 0.68 * FONT + 6) * km_per_pt for v in drawn["tiv"]}
    plan, gates_drawn, obstacles = [], {}, []
    for dest in DESTINATIONS:
        g = drawn[drawn["destination"] == dest]
        if g.empty:
            continue
        edge, pos = GATES[dest]
        ax_, ay_ = _gate_anchor(edge, pos, maps.FRAME)
        colour = COLOURS[dest]
        inset = 10 * km_per_pt
        label = LABELS.get(dest, dest)
        lab_ha, lab_va = {"top": ("center", "top"), "bottom": ("center", "bottom")}.get(
            edge, ("left" if edge == "left" else "right", "center")
        )
        lx = ax_ + {"left": inset, "right": -inset}.get(edge, 0)
        ly = ay_ + {"top": -inset, "bottom": inset}.get(edge, 0)
        gate_text = ax.text(
            lx,
            ly,
            label,
            ha=lab_ha,
            va=lab_va,
            fontsize=FONT,
            fontweight="bold",
            zorder=12,
            color="white" if dest in DARK else "black",
            gid=f"gate:{dest}",
            bbox=dict(boxstyle="round,pad=0.3", fc=colour, ec="none"),
        )
        gates_drawn[dest] = (lx, ly)
        obstacles.append(gate_text)
        # the tips: in a row (top/bottom) or a column (left/right) inside the gate's label, in the
        # order in which the arrows arrive, so that they do not cross near the gate
        lines = label.count("\n") + 1
        rows = list(g.itertuples(index=False))
        if edge in ("top", "bottom"):
            step = max(num_w[r.tiv] for r in rows) + 3 * pad
            depth = inset + (FONT * 1.25 * lines + 8) * km_per_pt + pad + num_h + pad
            centre = (ax_, ay_ - depth if edge == "top" else ay_ + depth)
        else:
            step = num_h + 2 * pad
            width = max(len(s) for s in label.split("\n")) * 0.66 * FONT * km_per_pt + 8 * km_per_pt
            depth = inset + width + 2 * pad + max(num_w[r.tiv] for r in rows) + pad
            centre = (ax_ + depth if edge == "left" else ax_ - depth, ay_)
        plan += _fan(rows, dest, edge, centre, step, caps)

    # seven to seven: capital to capital
    for r in drawn[drawn["destination"].isin(CODES)].itertuples(index=False):
        plan.append((r, r.destination, None, None, None))

    paths, arrows = [], []
    for r, dest, tip, edge, bend in sorted(plan, key=lambda a: -a[0].tiv):
        start = caps[CODES[r.exporter]]
        colour = COLOURS["Europe" if dest in CODES else dest]
        if tip is None:
            end = caps[CODES[dest]]
            pts = route(start, end, _avoid(caps, r.exporter, dest))[0]
        else:
            end = tip
            pts = _bezier(start, end, bend)
        if tip is None:
            pts = pts[np.hypot(*(pts - np.array(end)).T) > 25_000]
        pts = pts[np.hypot(*(pts - np.array(start)).T) > 12_000]
        lw = maps.width_for(r.tiv, vmax, MAX_LINE)
        key = f"{r.exporter}|{dest}"
        outline = [patheffects.withStroke(linewidth=lw + 1.6, foreground="#444444")]
        shaft = PathPatch(
            MPath(pts[:-2]),
            fc="none",
            ec=colour,
            lw=lw,
            capstyle="butt",
            zorder=5,
            gid=f"arrow:{key}",
            path_effects=outline,
        )
        ax.add_patch(shaft)
        ax.add_patch(
            FancyArrowPatch(
                pts[-5],
                pts[-1],
                arrowstyle="-|>,head_length=0.55,head_width=0.45",
                mutation_scale=10 + 1.3 * lw,
                color=colour,
                ec="#444444",
                lw=0.8,
                zorder=6,
                shrinkA=0,
                shrinkB=0,
            )
        )
        paths.append((pts, lw))
        # the number at the arrowhead: beyond its tip at a gate, just behind the head between capitals
        tx, ty = pts[-1] if tip is not None else pts[int(len(pts) * 0.72)]
        ha, va, dx, dy = {
            "top": ("center", "bottom", 0, pad),
            "bottom": ("center", "top", 0, -pad),
            "left": ("right", "center", -pad, 0),
            "right": ("left", "center", pad, 0),
        }.get(edge, ("center", "center", 0, 0))
        value = ax.text(
            tx + dx,
            ty + dy,
            tiv_text(r.tiv),
            ha=ha,
            va=va,
            fontsize=FONT,
            fontweight="bold",
            color="black",
            zorder=11,
            gid=f"value:{key}",
            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec=colour, lw=1.4),
        )
        obstacles.append(value)
        arrows.append({"exporter": r.exporter, "destination": dest, "tiv": r.tiv, "width": lw, "colour": colour})

    if not len(drawn):
        obstacles.append(
            ax.text(
                0.02,
                0.03,
                textwrap.fill(empty, 30),
                transform=ax.transAxes,
                ha="left",
                va="bottom",
                fontsize=FONT,
                zorder=20,
                bbox=dict(boxstyle="round,pad=0.5", fc="white", ec="#999999"),
                gid="empty",
            )
        )
    for code in CODES.values():
        ax.plot(*caps[code], "o", ms=5, color="black", mec="white", mew=0.8, zorder=9)
    names = _place_names(ax, f, countries, caps, obstacles, paths)
    maps.frame_axes(ax)
    return {"arrows": arrows, "gates": gates_drawn, "names": names}


def _place_names(ax, f, countries, caps, obstacles, paths) -> dict:
    """Each of the seven's names by its capital, on the side where it covers the fewest arrows,
    numbers, gates and other names (exporters first, largest first)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    names = dict(zip(countries["code"], countries["name"]))
    exported = f.groupby("exporter")["tiv"].sum()
    order = sorted(CODES, key=lambda e: (-exported.get(e, 0.0), e))
    boxes = [o.get_window_extent(renderer).expanded(1.05, 1.1) for o in obstacles]
    to_px = ax.transData.transform
    dots = [to_px(caps[c]) for c in CODES.values()]
    lines = [(to_px(p), lw * fig.dpi / 72 / 2 + 2) for p, lw in paths]
    frame = ax.get_window_extent(renderer)
    placed = {}
    candidates = [
        (7, 0, "left", "center"),
        (-7, 0, "right", "center"),
        (0, 7, "center", "bottom"),
        (0, -7, "center", "top"),
        (5, 5, "left", "bottom"),
        (-5, 5, "right", "bottom"),
        (5, -5, "left", "top"),
        (-5, -5, "right", "top"),
    ]
    for exporter in order:
        code = CODES[exporter]
        label = names[code].replace(" and ", " and\n").replace("North ", "North\n")
        active = exported.get(exporter, 0.0) > 0
        best = None
        for dx, dy, ha, va in candidates:
            t = ax.annotate(
                label,
                caps[code],
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=FONT,
                fontweight="bold" if active else "normal",
                color="#111111" if active else "#666666",
                zorder=10,
                path_effects=_halo(),
                linespacing=1.0,
            )
            bb = t.get_window_extent(renderer)
            cost = sum(_overlap(bb, o) for o in boxes) * 10
            cost += sum(_overlap(bb, o) for o in placed.values()) * 10
            for pts, half in lines:
                inside = (
                    (pts[:, 0] > bb.x0 - half)
                    & (pts[:, 0] < bb.x1 + half)
                    & (pts[:, 1] > bb.y0 - half)
                    & (pts[:, 1] < bb.y1 + half)
                )
                cost += inside.sum() * 40
            cost += sum(200 for d in dots if bb.x0 - 3 < d[0] < bb.x1 + 3 and bb.y0 - 3 < d[1] < bb.y1 + 3)
            if bb.x0 < frame.x0 or bb.x1 > frame.x1 or bb.y0 < frame.y0 or bb.y1 > frame.y1:
                cost += 1e6
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, t, bb)
            else:
                t.remove()
        best[1].set_gid(f"name:{exporter}")
        placed[exporter] = best[2]
    return {e: bb for e, bb in placed.items()}


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def figure(f: pd.DataFrame, countries: pd.DataFrame, *, title: str, span: str, source: str, vmax: float | None = None):
    """The exports map of one window (``span``) with its finding as ``title``
    (:func:`balkanarms.beyond.exports_map_title`), a legend, the note and the source line: 6.4 in
    wide, text at the house size (9 px or more on a phone), at the import map's resolution (``maps.DPI``)."""
    vmax = scale_max() if vmax is None else vmax
    head = textwrap.fill(title, 46)
    within = f["drawn"] & f["destination"].isin(CODES)
    note = textwrap.fill(
        NOTE + (" An arrow between two capitals is a delivery within the seven." if within.any() else ""), 64
    )
    src = textwrap.fill(source, 64)
    sub = textwrap.fill(f"Major arms delivered by the seven, {span}, by destination (SIPRI TIV, millions)", 64)
    present = [d for d in DESTINATIONS if ((f["destination"] == d) & f["drawn"]).any()]
    if f["drawn"].any() and f.loc[f["drawn"], "destination"].isin(CODES).any() and "Europe" not in present:
        present.insert(1, "Europe")
    # heights in inches, top to bottom
    pt = 1 / 72
    h_title = (head.count("\n") + 1) * style.TITLE_PT * 1.25 * pt + 0.12
    h_sub = (sub.count("\n") + 1) * FONT * 1.3 * pt + 0.1
    map_w = WIDTH - 0.2
    map_h = map_w * (maps.FRAME[3] - maps.FRAME[2]) / (maps.FRAME[1] - maps.FRAME[0])
    rows = -(-len(present) // 3) if present else 0
    h_legend = rows * FONT * 1.6 * pt + 0.2 if rows else 0.0
    h_note = (note.count("\n") + 1) * FONT * 1.3 * pt + 0.1
    h_src = (src.count("\n") + 1) * SOURCE_FONT * 1.3 * pt + 0.08
    height = h_title + h_sub + map_h + 0.1 + h_legend + h_note + h_src + 0.1
    fig = plt.figure(figsize=(WIDTH, height), dpi=maps.DPI)
    y = height - 0.08
    fig.text(
        0.1 / WIDTH, y / height, head, ha="left", va="top", fontsize=style.TITLE_PT, fontweight="bold", gid="title"
    )
    y -= h_title
    fig.text(0.1 / WIDTH, y / height, sub, ha="left", va="top", fontsize=FONT, color="#333333")
    y -= h_sub
    ax = fig.add_axes((0.1 / WIDTH, (y - map_h) / height, map_w / WIDTH, map_h / height))
    y -= map_h + 0.1
    drawn = draw(ax, f, countries, vmax=vmax, empty=empty_message(f, span))
    if present:
        handles = [
            Patch(facecolor=COLOURS[d], edgecolor="#444444", label=LABELS.get(d, d).replace("\n", " ")) for d in present
        ]
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.1 / WIDTH, y / height),
            ncols=3,
            fontsize=FONT,
            frameon=False,
            handlelength=1.4,
            columnspacing=1.2,
            borderaxespad=0,
        )
        y -= h_legend
    fig.text(0.1 / WIDTH, y / height, note, ha="left", va="top", fontsize=FONT, color="#333333")
    y -= h_note
    fig.text(0.1 / WIDTH, y / height, src, ha="left", va="top", fontsize=SOURCE_FONT, color="#555555")
    fig.drawn = drawn
    return fig
