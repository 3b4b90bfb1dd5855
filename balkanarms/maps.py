"""The map of regional arms relationships.

One line per supplier bloc and recipient: it starts at the bloc's *gate* on the edge of
the map (placed in the mean great-circle direction of the bloc's suppliers, see
:mod:`balkanarms.gates`) and ends in an arrow at the recipient's capital. Its width is
proportional to the value (TIV or deals) and the value is written on it. A neighbour
inside the frame that supplies arms sends its line from its own capital. Each country is
filled with its largest bloc, and a bar per country beside the map shows its whole
supplier mix with the total it rests on. Flows come from :mod:`balkanarms.aggregate`.
"""

from __future__ import annotations

import math

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrowPatch, Patch, PathPatch
from matplotlib.path import Path as MPath
from pyproj import Transformer

from . import DATA_DIR, gates, style
from .aggregate import BLOCS, RECIPIENTS, dominant_bloc
from .maplabels import overlap, place_labels
from .tables import tiv_text

#: Lambert azimuthal equal-area projection centred on the region.
CRS = "+proj=laea +lat_0=43.5 +lon_0=19.5 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
CENTRE = (19.5, 43.5)
#: Map frame in projected metres (x0, x1, y0, y1).
FRAME = (-560_000, 520_000, -420_000, 390_000)
GATE_INSET = 55_000
BOUNDARIES = DATA_DIR / "geo" / "western_balkans.geojson"
NO_DATA = "#EEEEEE"
NEIGHBOUR = "#F7F7F7"
#: Resolution of the map images: at least twice the width they are shown at.
DPI = 220
KOSOVO_NOTE = (
    "Kosovo declared independence from Serbia in 2008; Serbia does not recognise it. It is drawn "
    "as its own territory because it buys and receives arms in its own name."
)
GATE_NOTE = (
    "Each coloured label on the edge is an entry point: the lines from it add up every supplier of that bloc "
    "and point the way to their capitals; a neighbour's line starts at its own capital."
)
LABEL_SHIFT = {
    "HRV": (-60_000, 60_000),
    "MNE": (-25_000, 0),
    "XKX": (10_000, -8_000),
    "ALB": (-10_000, -40_000),
    "MKD": (0, -25_000),
}


def load_boundaries(path=BOUNDARIES) -> gpd.GeoDataFrame:
    """Regional Natural Earth boundaries in the map projection."""
    return gpd.read_file(path).to_crs(CRS)


def _project(countries: pd.DataFrame) -> dict[str, tuple[float, float]]:
    to_map = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    return {
        code: to_map.transform(float(r["capital_lon"]), float(r["capital_lat"]))
        for code, r in countries.set_index("code").iterrows()
    }


def _inside(xy, frame=FRAME, margin: float = 30_000) -> bool:
    x0, x1, y0, y1 = frame
    return x0 + margin < xy[0] < x1 - margin and y0 + margin < xy[1] < y1 - margin


def origins(flows: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """Flows grouped by where their line starts: ``origin`` is the supplier's code for a
    neighbour inside the frame, else ``bloc:<bloc>`` (one gate per bloc)."""
    if flows.empty:
        return pd.DataFrame(columns=["origin", "recipient", "bloc", "value", "unconfirmed"])
    caps = _project(countries)
    origin = [s if _inside(caps[s]) else f"bloc:{b}" for s, b in zip(flows["supplier"], flows["bloc"])]
    g = flows.assign(origin=origin).groupby(["origin", "recipient", "bloc"], as_index=False)
    return g[["value", "unconfirmed"]].sum()


def gate_positions(
    flows: pd.DataFrame, countries: pd.DataFrame, frame=FRAME, min_gap: float = 230_000
) -> dict[str, tuple[float, float]]:
    """One gate per bloc with a faraway supplier in ``flows``, at the value-weighted mean bearing
    of that bloc's suppliers' capitals, spread along the frame."""
    c = countries.set_index("code")
    caps = _project(countries)
    far = flows[pd.Series([not _inside(caps[s]) for s in flows["supplier"]], index=flows.index, dtype=bool)]
    bearings = {}
    for bloc, g in far.groupby("bloc"):
        angles = [
            gates.bearing(*CENTRE, float(c.loc[s, "capital_lon"]), float(c.loc[s, "capital_lat"]))
            for s in g["supplier"]
        ]
        bearings[f"bloc:{bloc}"] = gates.mean_bearing(angles, [float(v) for v in g["value"]])
    return gates.place(bearings, frame, inset=GATE_INSET, min_gap=min_gap)


def _bezier(p0, p1, bend: float, n: int = 60) -> np.ndarray:
    (x0, y0), (x1, y1) = p0, p1
    c = ((x0 + x1) / 2 - bend * (y1 - y0), (y0 + y1) / 2 + bend * (x1 - x0))
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * np.array(p0) + 2 * (1 - t) * t * np.array(c) + t**2 * np.array(p1)


def route(start, end, avoid: list[tuple[float, float]], clearance: float = 40_000) -> np.ndarray:
    """A gently curved line from ``start`` to ``end`` that keeps ``clearance`` from every point
    in ``avoid`` (other capitals), trying straighter curves first."""
    best, best_gap = None, -1.0
    for bend in (0.08, -0.08, 0.18, -0.18, 0.3, -0.3, 0.45, -0.45):
        pts = _bezier(start, end, bend)
        gap = min((np.hypot(*(pts - np.array(a)).T).min() for a in avoid), default=math.inf)
        if gap >= clearance:
            return pts
        if gap > best_gap:
            best, best_gap = pts, gap
    return best


def width_for(value: float, vmax: float, max_width: float = 8.0) -> float:
    """Line width in points, proportional to the value (the largest flow gets ``max_width``)."""
    return 1.0 + (max_width - 1.0) * value / vmax if vmax > 0 else 1.0


def fmt_value(v: float, unit: str) -> str:
    """A line's number: TIV millions rounded (below 0.5 written '<1', as SIPRI's 0 means), or deals."""
    return tiv_text(v) if unit == "tiv" else f"{int(v)}"


def frame_axes(ax: plt.Axes) -> None:
    """A map's axes: no ticks, labels or grid, a thin grey frame."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#999999")


def draw_map(
    ax: plt.Axes,
    flows: pd.DataFrame,
    countries: pd.DataFrame,
    *,
    unit: str,
    vmax: float,
    boundaries=None,
    names: bool = True,
    fontsize: float = 8.5,
    min_value: float = 0.0,
    label_min: float = 0.0,
    max_width: float = 8.0,
) -> dict:
    """Draw the map on ``ax``; returns what was drawn (fills, gates, lines) for tests.

    Lines below ``min_value`` are not drawn (the fills and the bars still count them); lines below
    ``label_min`` are drawn without their number. Every text is ``fontsize`` points."""
    b = load_boundaries() if boundaries is None else boundaries
    c = countries.set_index("code")
    caps = _project(countries)
    fills = dominant_bloc(flows) if len(flows) else {}
    x0, x1, y0, y1 = FRAME
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.apply_aspect()
    fig = ax.figure
    m_per_pt = (x1 - x0) / (ax.get_position().width * fig.get_figwidth() * 72)
    focus = b[b["focus"]]
    b[~b["focus"]].plot(ax=ax, color=NEIGHBOUR, edgecolor="#BBBBBB", linewidth=0.5)
    focus.plot(
        ax=ax,
        color=[style.bloc_colour(fills[i]) if i in fills else NO_DATA for i in focus["iso3"]],
        edgecolor="white",
        linewidth=1.0,
        alpha=0.45,
    )
    obstacles = []

    def text_box(x, y, text, size, pad=0.0, char=0.6):
        lines = text.split("\n")
        w = (max(len(l) for l in lines) * char + 2 * pad) * size * m_per_pt
        h = (len(lines) * 1.2 + 2 * pad) * size * m_per_pt
        return (x - w / 2, x + w / 2, y - h / 2, y + h / 2)

    if names:
        for _, row in focus.iterrows():
            p = row.geometry.representative_point()
            dx, dy = LABEL_SHIFT.get(row["iso3"], (0, 0))
            label = c.loc[row["iso3"], "name"].replace(" and ", " and\n").replace("North ", "North\n")
            ax.annotate(
                label, (p.x + dx, p.y + dy), ha="center", va="center", fontsize=fontsize, color="#333333", zorder=6
            )
            obstacles.append(text_box(p.x + dx, p.y + dy, label, fontsize))
    for r in RECIPIENTS:
        ax.plot(*caps[r], "o", ms=4, color="black", zorder=9)
        obstacles.append((caps[r][0] - 9_000, caps[r][0] + 9_000, caps[r][1] - 9_000, caps[r][1] + 9_000))
    lines = origins(flows, countries)
    shown = lines[lines["value"] >= min_value] if len(lines) else lines
    gate_xy = {}
    widest = max([len(style.bloc_label(b_)) for b_ in BLOCS]) * 0.65 * fontsize * m_per_pt
    for key, (gx, gy) in gate_positions(flows, countries, min_gap=max(230_000, 0.8 * widest)).items():
        if key in set(shown["origin"]):  # each entry point's label wholly inside the frame
            bx = text_box(gx, gy, style.bloc_label(key.split(":", 1)[1]), fontsize, pad=0.3, char=0.65)
            hw, hh = (bx[1] - bx[0]) / 2 + 6_000, (bx[3] - bx[2]) / 2 + 6_000
            gate_xy[key] = (min(max(gx, x0 + hw), x1 - hw), min(max(gy, y0 + hh), y1 - hh))
    boxes = {k: text_box(*xy, style.bloc_label(k.split(":", 1)[1]), fontsize, 0.3, 0.65) for k, xy in gate_xy.items()}
    order = sorted(gate_xy, key=lambda k: gate_xy[k][0])
    for a_, b_ in zip(order, order[1:]):  # two labels on one edge that touch: the right one moves right
        push = overlap(boxes[a_], boxes[b_]) and boxes[a_][1] - boxes[b_][0] + 12_000
        if push:
            gx, gy = gate_xy[b_]
            gate_xy[b_] = (min(gx + push, x1 - (boxes[b_][1] - boxes[b_][0]) / 2 - 6_000), gy)
            boxes[b_] = text_box(*gate_xy[b_], style.bloc_label(b_.split(":", 1)[1]), fontsize, 0.3, 0.65)
            left = overlap(boxes[a_], boxes[b_]) and boxes[a_][1] - boxes[b_][0] + 12_000
            if left:  # the right one met the frame: the left one gives way
                gx, gy = gate_xy[a_]
                gate_xy[a_] = (gx - left, gy)
                boxes[a_] = text_box(*gate_xy[a_], style.bloc_label(a_.split(":", 1)[1]), fontsize, 0.3, 0.65)
    obstacles += list(boxes.values())
    drawn, labels = [], []
    for _, f in shown.sort_values(["value", "origin", "recipient"], ascending=[False, True, True]).iterrows():
        start = gate_xy[f["origin"]] if f["origin"].startswith("bloc:") else caps[f["origin"]]
        avoid = [caps[r] for r in RECIPIENTS if r != f["recipient"] and caps[r] != tuple(start)]
        pts = route(start, caps[f["recipient"]], avoid)
        pts = pts[np.hypot(*(pts - np.array(caps[f["recipient"]])).T) > 22_000]
        lw = width_for(f["value"], vmax, max_width)
        colour = style.bloc_colour(f["bloc"])
        dashed = f["unconfirmed"] > 0 and f["unconfirmed"] == f["value"]
        style_ = (0, (2, 1.5)) if dashed else "-"
        ax.add_patch(
            PathPatch(MPath(pts[:-1]), fc="none", ec=colour, lw=lw, alpha=0.85, ls=style_, capstyle="butt", zorder=5)
        )
        scale = 8 + 1.1 * lw
        ax.add_patch(
            FancyArrowPatch(
                pts[-4],
                pts[-1],
                arrowstyle="-|>,head_length=0.6,head_width=0.4",
                mutation_scale=scale,
                color=colour,
                lw=0,
                zorder=6,
            )
        )
        if f["value"] >= label_min:
            text = fmt_value(f["value"], unit)
            labels.append(
                {
                    "pts": pts,
                    "recipient": f["recipient"],
                    "text": text,
                    "colour": colour,
                    "w": (len(text) * 0.7 + 0.5) * fontsize * m_per_pt,
                    "h": 1.5 * fontsize * m_per_pt,
                    "head": 0.6 * scale * m_per_pt,
                }
            )
        drawn.append({"origin": f["origin"], "recipient": f["recipient"], "width": lw, "colour": colour})
    placed = place_labels(labels, obstacles, capitals={r: caps[r] for r in RECIPIENTS})
    for lab, (x, y) in zip(labels, placed):
        ax.text(
            x,
            y,
            lab["text"],
            ha="center",
            va="center",
            fontsize=fontsize,
            color=lab["colour"],
            fontweight="bold",
            zorder=8,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=lab["colour"], lw=0.6, alpha=0.95),
        )
        lab["xy"] = (x, y)
    for origin in {o for o in shown["origin"] if not o.startswith("bloc:") and o not in RECIPIENTS}:
        ax.plot(*caps[origin], "o", ms=4, color="black", zorder=9)
        ax.annotate(
            c.loc[origin, "name"], caps[origin], xytext=(4, 4), textcoords="offset points", fontsize=fontsize, zorder=9
        )
    for key, xy in gate_xy.items():
        bloc = key.split(":", 1)[1]
        ax.text(
            *xy,
            style.bloc_label(bloc),
            ha="center",
            va="center",
            fontsize=fontsize,
            zorder=10,
            color="white",
            fontweight="bold",
            bbox=dict(boxstyle="round,pad=0.3", fc=style.bloc_colour(bloc), ec="none"),
        )
    frame_axes(ax)
    ax.plot([x0 + 40_000, x0 + 240_000], [y0 + 40_000] * 2, color="black", lw=2, solid_capstyle="butt")
    ax.text(x0 + 140_000, y0 + 52_000, "200 km", ha="center", va="bottom", fontsize=fontsize)
    return {"fills": fills, "gates": gate_xy, "lines": drawn, "labels": labels}


def supplier_mix(
    ax: plt.Axes, flows: pd.DataFrame, names: dict[str, str], unit: str, fontsize: float = 8.5, title: bool = True
) -> None:
    """One 100 % bar per recipient: the share of each bloc, with the total it rests on."""
    by = flows.groupby(["recipient", "bloc"])["value"].sum() if len(flows) else pd.Series(dtype=float)
    y = np.arange(len(RECIPIENTS))[::-1]
    for yi, r in zip(y, RECIPIENTS):
        total = by[r].sum() if r in by.index.get_level_values(0) else 0
        left = 0.0
        for bloc in BLOCS:
            v = by.get((r, bloc), 0)
            if total and v:
                share = 100 * v / total
                ax.barh(yi, share, left=left, color=style.bloc_colour(bloc), height=0.7)
                if share >= 14:
                    ax.text(
                        left + share / 2,
                        yi,
                        f"{share:.0f}%",
                        ha="center",
                        va="center",
                        fontsize=fontsize,
                        color="black" if bloc in ("other", "turkey") else "white",
                    )
                left += share
        label = (
            "none recorded"
            if not total
            else f"TIV {tiv_text(total)} m"
            if unit == "tiv"
            else f"{int(total)} deal{'s' if total != 1 else ''}"
        )
        ax.text(102, yi, label, va="center", fontsize=fontsize)
    ax.set_yticks(y, [names[r].replace(" and ", " and\n") for r in RECIPIENTS], fontsize=fontsize)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 50, 100], ["0", "50", "100%"], fontsize=fontsize)
    ax.grid(False)
    if title:
        ax.set_title("Supplier mix of each country (share, and the total it rests on)", fontsize=fontsize + 1)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)


def _fill_legend(fig, flows: pd.DataFrame, y: float, blank: bool | None = None, fontsize: float = 8.5, ncols=3):
    """Legend of the blocs drawn, and of the blank fill where a country has nothing recorded."""
    present = [b for b in BLOCS if len(flows) and b in set(flows["bloc"])]
    handles = [Patch(facecolor=style.bloc_colour(b), label=style.bloc_label(b)) for b in present]
    if blank is None:
        blank = len(set(flows["recipient"]) if len(flows) else set()) < len(RECIPIENTS)
    if blank:
        handles.append(Patch(facecolor=NO_DATA, label="none recorded"))
    fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, y),
        ncols=ncols,
        fontsize=fontsize,
        title="Supplier bloc (fill: the country's largest)",
        title_fontsize=fontsize,
        handlelength=1.2,
        handletextpad=0.5,
        columnspacing=1.0,
    )


#: Text size of the map drawn for wide screens (7.2 in wide, shown from 640 px: 8.5 pt is 10.5 px there).
WIDE_PT = 8.5
#: The phone's map draws only lines of at least this value (TIV millions, or deals); the bars count all.
PHONE_MIN = {"tiv": 5.0, "deals": 2}
#: Resolution of the phone's map: three times :data:`style.PHONE_CONTENT_PX` wide.
PHONE_DPI = 170


def threshold_text(unit: str) -> str:
    v = PHONE_MIN[unit]
    return f"TIV {v:g} million" if unit == "tiv" else f"{v:g} deals"


def map_figure(flows: pd.DataFrame, countries: pd.DataFrame, *, unit: str, title: str, source: str) -> plt.Figure:
    """The map of one window with the supplier-mix bars under it, a legend and notes (for wide screens:
    shown from 640 px, every text at least 9 px there; :func:`phone_figure` is the phone's)."""
    names = dict(zip(countries["code"], countries["name"]))
    fig = plt.figure(figsize=(7.2, 10.0), dpi=DPI)
    grid = fig.add_gridspec(2, 1, height_ratios=[5.4, 2.9], hspace=0.2, left=0.26, right=0.84, top=0.95, bottom=0.16)
    ax = fig.add_subplot(grid[0])
    ax.set_position([0.02, grid[0].get_position(fig).y0, 0.96, grid[0].get_position(fig).height])
    vmax = flows["value"].max() if len(flows) else 1
    draw_map(ax, flows, countries, unit=unit, vmax=vmax, fontsize=WIDE_PT)
    style.title(ax, title, fontsize=WIDE_PT + 3)
    supplier_mix(fig.add_subplot(grid[1]), flows, names, unit, fontsize=WIDE_PT)
    _fill_legend(fig, flows, 0.115, fontsize=WIDE_PT)
    style.add_below(fig, "\n".join([source, GATE_NOTE, KOSOVO_NOTE]), fontsize=WIDE_PT, color="#555555")
    return fig


def phone_figure(flows: pd.DataFrame, countries: pd.DataFrame, *, unit: str, title: str, source: str) -> plt.Figure:
    """The map page's figure for a phone: the supplier-mix bars first (the answer), then the map with only
    the lines of at least :data:`PHONE_MIN`, each numbered at its arrowhead; every text is
    :data:`style.SMALL_PT` or more on :data:`style.FIG_WIDTH`, so 9 px or more at 390 px."""
    names = dict(zip(countries["code"], countries["name"]))
    pt = style.SMALL_PT
    fig = plt.figure(figsize=(style.FIG_WIDTH, 11.6), dpi=PHONE_DPI)
    bars = fig.add_axes([0.3, 0.70, 0.5, 0.25])
    supplier_mix(bars, flows, names, unit, fontsize=pt, title=False)
    bars.set_title(title, fontsize=style.TITLE_PT, loc="left", x=-0.56, ha="left", wrap=True, pad=10)
    ax = fig.add_axes([0.0, 0.2, 1.0, 0.44])
    vmax = flows["value"].max() if len(flows) else 1
    cut = PHONE_MIN[unit]
    draw_map(ax, flows, countries, unit=unit, vmax=vmax, fontsize=pt, min_value=cut, max_width=10.0)
    ax.set_title(f"Where it comes from: lines of {threshold_text(unit)} or more", fontsize=pt + 1, loc="left", pad=6)
    _fill_legend(fig, flows, 0.19, fontsize=pt, ncols=2)
    style.add_below(
        fig,
        f"Bars: every delivery in the window. Map: lines under {threshold_text(unit)} are left out. "
        + GATE_NOTE
        + " "
        + KOSOVO_NOTE,
        color="#333333",
    )
    style.add_source(fig, source)
    return fig


def periods_figure(
    flows_by_window: dict[str, pd.DataFrame], countries: pd.DataFrame, *, unit: str, title: str, source: str
) -> plt.Figure:
    """The map for several windows, stacked, on one width scale, drawn :data:`style.FIG_WIDTH` wide with
    :data:`style.SMALL_PT` text (9 px or more on a phone); only lines of at least :data:`PHONE_MIN` carry
    their number, and the countries are named on the map above it."""
    n = len(flows_by_window)
    vmax = max([f["value"].max() for f in flows_by_window.values() if len(f)] or [1])
    b = load_boundaries()
    pt = style.SMALL_PT
    height = 4.9 * n + 1.0
    fig, axes = plt.subplots(n, 1, figsize=(style.FIG_WIDTH, height), dpi=DPI)
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 1.0 / height, bottom=0.02, hspace=0.12)
    for ax, (label, flows) in zip(np.atleast_1d(axes), flows_by_window.items()):
        draw_map(
            ax,
            flows,
            countries,
            unit=unit,
            vmax=vmax,
            boundaries=b,
            names=False,
            fontsize=pt,
            label_min=PHONE_MIN[unit],
        )
        ax.set_title(label, fontsize=pt + 1)
    every = (
        pd.concat([f for f in flows_by_window.values() if len(f)])
        if any(len(f) for f in flows_by_window.values())
        else pd.DataFrame(columns=["bloc", "recipient"])
    )
    blank = any(len(set(f["recipient"]) if len(f) else set()) < len(RECIPIENTS) for f in flows_by_window.values())
    style.suptitle(fig, title, y=1 - 0.1 / height, va="top")
    _fill_legend(fig, every, 0.0, blank, fontsize=pt, ncols=2)
    style.add_source(
        fig,
        source + f" One width scale: the widest line is {fmt_value(vmax, unit)}; lines under "
        f"{threshold_text(unit)} carry no number.",
    )
    return fig
