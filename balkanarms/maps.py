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


def label_point(pts: np.ndarray, min_from_start: float = 150_000) -> np.ndarray:
    """Where a line's number goes: 60 % of the way along, but clear of the gate it starts at."""
    along = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
    target = max(0.6 * along[-1], min(0.85 * along[-1], min_from_start))
    return pts[int(np.searchsorted(along, target).clip(0, len(pts) - 1))]


def draw_map(
    ax: plt.Axes,
    flows: pd.DataFrame,
    countries: pd.DataFrame,
    *,
    unit: str,
    vmax: float,
    boundaries=None,
    names: bool = True,
) -> dict:
    """Draw the map on ``ax``; returns what was drawn (fills, gates, lines) for tests."""
    b = load_boundaries() if boundaries is None else boundaries
    c = countries.set_index("code")
    caps = _project(countries)
    fills = dominant_bloc(flows) if len(flows) else {}
    focus = b[b["focus"]]
    b[~b["focus"]].plot(ax=ax, color=NEIGHBOUR, edgecolor="#BBBBBB", linewidth=0.5)
    focus.plot(
        ax=ax,
        color=[style.bloc_colour(fills[i]) if i in fills else NO_DATA for i in focus["iso3"]],
        edgecolor="white",
        linewidth=1.0,
        alpha=0.45,
    )
    if names:
        for _, row in focus.iterrows():
            p = row.geometry.representative_point()
            dx, dy = LABEL_SHIFT.get(row["iso3"], (0, 0))
            ax.annotate(
                c.loc[row["iso3"], "name"].replace(" and ", " and\n"),
                (p.x + dx, p.y + dy),
                ha="center",
                va="center",
                fontsize=8,
                color="#333333",
                zorder=6,
            )
    for r in RECIPIENTS:
        ax.plot(*caps[r], "o", ms=4, color="black", zorder=9)
    lines = origins(flows, countries)
    gate_xy = gate_positions(flows, countries)
    drawn = []
    for _, f in lines.sort_values(["value", "origin", "recipient"], ascending=[False, True, True]).iterrows():
        start = gate_xy[f["origin"]] if f["origin"].startswith("bloc:") else caps[f["origin"]]
        avoid = [caps[r] for r in RECIPIENTS if r != f["recipient"] and caps[r] != tuple(start)]
        pts = route(start, caps[f["recipient"]], avoid)
        pts = pts[np.hypot(*(pts - np.array(caps[f["recipient"]])).T) > 22_000]
        lw = width_for(f["value"], vmax)
        colour = style.bloc_colour(f["bloc"])
        dashed = f["unconfirmed"] > 0 and f["unconfirmed"] == f["value"]
        style_ = (0, (2, 1.5)) if dashed else "-"
        ax.add_patch(
            PathPatch(MPath(pts[:-1]), fc="none", ec=colour, lw=lw, alpha=0.85, ls=style_, capstyle="butt", zorder=5)
        )
        ax.add_patch(
            FancyArrowPatch(
                pts[-4],
                pts[-1],
                arrowstyle="-|>,head_length=0.6,head_width=0.4",
                mutation_scale=8 + 1.1 * lw,
                color=colour,
                lw=0,
                zorder=6,
            )
        )
        mid = label_point(pts)
        ax.text(
            *mid,
            fmt_value(f["value"], unit),
            ha="center",
            va="center",
            fontsize=7.5,
            color=colour,
            fontweight="bold",
            zorder=8,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=colour, lw=0.6, alpha=0.95),
        )
        drawn.append({"origin": f["origin"], "recipient": f["recipient"], "width": lw, "colour": colour})
    for origin in {o for o in lines["origin"] if not o.startswith("bloc:") and o not in RECIPIENTS}:
        ax.plot(*caps[origin], "o", ms=4, color="black", zorder=9)
        ax.annotate(
            c.loc[origin, "name"], caps[origin], xytext=(4, 4), textcoords="offset points", fontsize=7.5, zorder=9
        )
    for key, xy in gate_xy.items():
        bloc = key.split(":", 1)[1]
        ax.text(
            *xy,
            style.bloc_label(bloc),
            ha="center",
            va="center",
            fontsize=8,
            zorder=10,
            color="white",
            fontweight="bold",
            bbox=dict(boxstyle="round,pad=0.3", fc=style.bloc_colour(bloc), ec="none"),
        )
    x0, x1, y0, y1 = FRAME
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(True)
        s.set_color("#999999")
    ax.plot([x0 + 40_000, x0 + 240_000], [y0 + 40_000] * 2, color="black", lw=2, solid_capstyle="butt")
    ax.text(x0 + 140_000, y0 + 52_000, "200 km", ha="center", va="bottom", fontsize=7.5)
    return {"fills": fills, "gates": gate_xy, "lines": drawn}


def supplier_mix(ax: plt.Axes, flows: pd.DataFrame, names: dict[str, str], unit: str) -> None:
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
                if share >= 12:
                    ax.text(
                        left + share / 2,
                        yi,
                        f"{share:.0f}%",
                        ha="center",
                        va="center",
                        fontsize=7.5,
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
        ax.text(102, yi, label, va="center", fontsize=8)
    ax.set_yticks(y, [names[r] for r in RECIPIENTS], fontsize=8.5)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 50, 100], ["0", "50", "100%"], fontsize=8)
    ax.grid(False)
    ax.set_title("Supplier mix of each country (share, and the total it rests on)", fontsize=9.5)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)


def _fill_legend(fig, flows: pd.DataFrame, y: float, blank: bool | None = None) -> None:
    """Legend of the blocs drawn, and of the blank fill where a country has nothing recorded."""
    present = [b for b in BLOCS if len(flows) and b in set(flows["bloc"])]
    handles = [Patch(facecolor=style.bloc_colour(b), label=style.bloc_label(b)) for b in present]
    if blank is None:
        blank = len(set(flows["recipient"]) if len(flows) else set()) < len(RECIPIENTS)
    if blank:
        handles.append(Patch(facecolor=NO_DATA, label="none recorded"))
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, y),
        ncols=3,
        fontsize=8,
        title="Supplier bloc (fill: the country's largest)",
        title_fontsize=8.5,
    )


def map_figure(flows: pd.DataFrame, countries: pd.DataFrame, *, unit: str, title: str, source: str) -> plt.Figure:
    """The map of one window with the supplier-mix bars under it, a legend and notes."""
    names = dict(zip(countries["code"], countries["name"]))
    fig = plt.figure(figsize=(7.2, 10.2), dpi=DPI)
    grid = fig.add_gridspec(2, 1, height_ratios=[5.4, 2.6], hspace=0.22, left=0.28, right=0.84, top=0.95, bottom=0.2)
    ax = fig.add_subplot(grid[0])
    ax.set_position([0.02, grid[0].get_position(fig).y0, 0.96, grid[0].get_position(fig).height])
    vmax = flows["value"].max() if len(flows) else 1
    draw_map(ax, flows, countries, unit=unit, vmax=vmax)
    ax.set_title(title, fontsize=11.5)
    supplier_mix(fig.add_subplot(grid[1]), flows, names, unit)
    _fill_legend(fig, flows, 0.085)
    fig.text(
        0.02, 0.005, "\n".join([source, GATE_NOTE, KOSOVO_NOTE]), fontsize=6.5, color="#555555", va="bottom", wrap=True
    )
    return fig


def periods_figure(
    flows_by_window: dict[str, pd.DataFrame], countries: pd.DataFrame, *, unit: str, title: str, source: str
) -> plt.Figure:
    """The map for several windows, stacked, on one width scale."""
    n = len(flows_by_window)
    vmax = max([f["value"].max() for f in flows_by_window.values() if len(f)] or [1])
    b = load_boundaries()
    fig, axes = plt.subplots(n, 1, figsize=(7.2, 5.0 * n + 1.4), dpi=DPI)
    for ax, (label, flows) in zip(np.atleast_1d(axes), flows_by_window.items()):
        draw_map(ax, flows, countries, unit=unit, vmax=vmax, boundaries=b)
        ax.set_title(label, fontsize=11)
    every = (
        pd.concat([f for f in flows_by_window.values() if len(f)])
        if any(len(f) for f in flows_by_window.values())
        else pd.DataFrame(columns=["bloc", "recipient"])
    )
    blank = any(len(set(f["recipient"]) if len(f) else set()) < len(RECIPIENTS) for f in flows_by_window.values())
    _fill_legend(fig, every, 0.5 / (5.0 * n + 1.4), blank)
    fig.suptitle(title, x=0.02, ha="left", fontweight="bold", fontsize=12)
    fig.subplots_adjust(left=0.02, right=0.98, top=1 - 0.7 / (5.0 * n + 1.4), bottom=1.5 / (5.0 * n + 1.4), hspace=0.12)
    fig.text(
        0.02,
        0.003,
        source + f" One width scale: the widest line is {fmt_value(vmax, unit)}.",
        fontsize=6.5,
        color="#555555",
        va="bottom",
        wrap=True,
    )
    return fig
