"""The map of regional arms relationships.

Recipients are filled by their dominant supplier bloc in a window; supply lines
run from a supplier "gate" on the edge of the map, placed in the true
great-circle direction of that supplier's capital as seen from the region, to
the recipient's capital. Line width is proportional to the chosen measure.
"""
from __future__ import annotations

import math

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, PathPatch
from matplotlib.path import Path as MPath
from pyproj import Transformer

from . import DATA_DIR, style
from .aggregate import BLOCS, MEASURES, RECIPIENTS, in_window, tally, window_label

#: Lambert azimuthal equal-area projection centred on the region.
CRS = "+proj=laea +lat_0=43.5 +lon_0=19.5 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
CENTRE = (19.5, 43.5)
#: Map frame in projected metres (x0, x1, y0, y1).
FRAME = (-560_000, 520_000, -420_000, 390_000)
BOUNDARIES = DATA_DIR / "geo" / "western_balkans.geojson"
NO_DATA = "#EEEEEE"
NEIGHBOUR = "#F7F7F7"
SOURCE_MAP = ("Sources: the book's deal ledger (data/transfers.csv); boundaries: Natural Earth "
              "(public domain). Lines start at a gate in the direction of the supplier's capital.")
KOSOVO_NOTE = ("Kosovo declared independence from Serbia in 2008; Serbia does not recognise it. "
               "It is drawn as its own territory because it buys and receives arms in its own name.")


def load_boundaries(path=BOUNDARIES) -> gpd.GeoDataFrame:
    """Regional Natural Earth boundaries in the map projection."""
    return gpd.read_file(path).to_crs(CRS)


def bearing(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360


def build_flows(df: pd.DataFrame, window: tuple[int, int] | None = None, *, basis: str = "deal",
                measure: str = "deals", recipients: list[str] = RECIPIENTS,
                suppliers: list[str] | None = None) -> pd.DataFrame:
    """Supplier → recipient flows in a window: one row per pair with ``value``
    (deals or major systems), the supplier's ``bloc`` and the ``unconfirmed``
    part of the value. Pairs with a value of 0 are not returned."""
    d = df[df["recipient"].isin(recipients)]
    if suppliers is not None:
        d = d[d["supplier"].isin(suppliers)]
    if window is not None:
        d = in_window(d, window, basis)
    cols = ["supplier", "recipient", "bloc", "value", "unconfirmed"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    total = tally(d, ["supplier", "recipient", "bloc"], basis, measure).rename("value")
    unconf = tally(d[d["confidence"] == "unconfirmed"], ["supplier", "recipient", "bloc"], basis, measure)
    out = total.to_frame().join(unconf.rename("unconfirmed")).fillna({"unconfirmed": 0}).reset_index()
    out["unconfirmed"] = out["unconfirmed"].astype("int64")
    out = out[out["value"] > 0]
    return out.sort_values(["recipient", "supplier"], ignore_index=True)[cols]


def dominant_bloc(flows: pd.DataFrame) -> dict[str, str]:
    """The bloc with the largest value for each recipient (ties: fixed bloc order)."""
    out = {}
    for r, g in flows.groupby("recipient"):
        by = g.groupby("bloc")["value"].sum()
        by = by.reindex([b for b in BLOCS if b in by.index])
        out[r] = by.idxmax()
    return out


def spread(values: dict[str, float], period: float, min_sep: float) -> dict[str, float]:
    """Spread positions on a circle of length ``period`` so that no two are closer than
    ``min_sep``, moving each as little as possible and keeping their order."""
    items = sorted(values.items(), key=lambda kv: (kv[1], kv[0]))
    pos = [v for _, v in items]
    for _ in range(400):
        moved = False
        for i in range(len(pos)):
            j = (i + 1) % len(pos)
            if len(pos) < 2:
                break
            gap = (pos[j] - pos[i]) % period
            if gap < min_sep:
                push = (min_sep - gap) / 2 + 1e-6
                pos[i] = (pos[i] - push) % period
                pos[j] = (pos[j] + push) % period
                moved = True
        if not moved:
            break
    return {k: v for (k, _), v in zip(items, pos)}


def _gate_xy(angle: float, frame=FRAME, inset: float = 45_000) -> tuple[float, float]:
    """Where a ray from the frame's centre at ``angle`` (bearing) meets the frame, pulled in by ``inset``."""
    x0, x1, y0, y1 = frame
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = math.sin(math.radians(angle)), math.cos(math.radians(angle))
    tx = ((x1 - inset - cx) / dx) if dx > 1e-9 else ((x0 + inset - cx) / dx) if dx < -1e-9 else math.inf
    ty = ((y1 - inset - cy) / dy) if dy > 1e-9 else ((y0 + inset - cy) / dy) if dy < -1e-9 else math.inf
    t = min(tx, ty)
    return cx + t * dx, cy + t * dy


def _ring(frame=FRAME, inset: float = 45_000) -> list[tuple[float, float]]:
    """Corners of the gate ring, clockwise from the top-left."""
    x0, x1, y0, y1 = frame
    return [(x0 + inset, y1 - inset), (x1 - inset, y1 - inset), (x1 - inset, y0 + inset), (x0 + inset, y0 + inset)]


def _to_ring(xy) -> float:
    """Distance along the gate ring (clockwise from the top-left corner) of a point on it."""
    corners = _ring()
    s = 0.0
    for a, b in zip(corners, corners[1:] + corners[:1]):
        seg = math.dist(a, b)
        if math.isclose(math.dist(a, xy) + math.dist(xy, b), seg, rel_tol=1e-9, abs_tol=1.0):
            return s + math.dist(a, xy)
        s += seg
    raise ValueError(f"{xy} is not on the gate ring")


def _from_ring(s: float) -> tuple[float, float]:
    corners = _ring()
    for a, b in zip(corners, corners[1:] + corners[:1]):
        seg = math.dist(a, b)
        if s <= seg:
            f = s / seg
            return a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
        s -= seg
    return corners[0]


def place_gates(bearings: dict[str, float], min_gap: float) -> dict[str, tuple[float, float]]:
    """Gate positions on the frame: each where its true bearing meets the frame, then
    spread along the frame so that no two gates are closer than ``min_gap`` metres."""
    corners = _ring()
    perimeter = sum(math.dist(a, b) for a, b in zip(corners, corners[1:] + corners[:1]))
    along = spread({k: _to_ring(_gate_xy(a)) for k, a in bearings.items()}, perimeter, min_gap)
    return {k: _from_ring(v) for k, v in along.items()}


def _arc(p0, p1, bend: float) -> MPath:
    """A quadratic Bézier from p0 to p1 bowed sideways by ``bend`` × length."""
    (x0, y0), (x1, y1) = p0, p1
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    nx, ny = -(y1 - y0), (x1 - x0)
    return MPath([(x0, y0), (mx + bend * nx, my + bend * ny), (x1, y1)],
                 [MPath.MOVETO, MPath.CURVE3, MPath.CURVE3])


def width_for(value: float, vmax: float, max_width: float = 9.0) -> float:
    """Line width in points, proportional to the value (the largest flow gets ``max_width``)."""
    return 0.8 + (max_width - 0.8) * value / vmax if vmax > 0 else 0.8


def _inside(x: float, y: float, frame=FRAME, margin: float = 30_000) -> bool:
    x0, x1, y0, y1 = frame
    return x0 + margin < x < x1 - margin and y0 + margin < y < y1 - margin


def line_origins(flows: pd.DataFrame, countries: pd.DataFrame, *, min_deals: int = 2,
                 compact: bool = False) -> tuple[dict, dict, dict]:
    """Where each supplier's lines start.

    Returns ``origin_of`` (supplier -> origin key), ``gates`` (key -> xy, label, bloc) for
    suppliers outside the frame, and ``points`` (supplier -> xy of its capital) for suppliers
    inside it. Outside suppliers with fewer than ``min_deals`` in total are pooled into one
    gate per bloc ("pool:<bloc>"), placed at the mean bearing of their capitals."""
    to_map = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    totals = flows.groupby("supplier")["value"].sum() if len(flows) else pd.Series(dtype=float)
    origin_of, points, bearings, members = {}, {}, {}, {}
    for s in style.sort_suppliers(totals.index):
        lon, lat = float(countries.loc[s, "capital_lon"]), float(countries.loc[s, "capital_lat"])
        x, y = to_map.transform(lon, lat)
        if _inside(x, y):
            points[s] = (x, y)
            origin_of[s] = s
            continue
        key = s if totals[s] >= min_deals else f"pool:{countries.loc[s, 'bloc']}"
        origin_of[s] = key
        members.setdefault(key, []).append(s)
        bearings.setdefault(key, []).append(bearing(*CENTRE, lon, lat))
    mean = {k: math.degrees(math.atan2(sum(math.sin(math.radians(a)) for a in v),
                                       sum(math.cos(math.radians(a)) for a in v))) % 360
            for k, v in bearings.items()}
    gates = {}
    xy = place_gates(mean, min_gap=300_000 if compact else 190_000)
    for k in xy:
        if k.startswith("pool:"):
            bloc = k.split(":", 1)[1]
            n = len(members[k])
            group = "others" if bloc == "other" else f"other {style.bloc_label(bloc).replace(' members', '')}"
            label = f"+{n}" if compact else (f"{n} {group}" if n > 1 else countries.loc[members[k][0], "name"])
            if n == 1 and compact:
                label = members[k][0]
        else:
            bloc = countries.loc[k, "bloc"]
            label = k if compact else countries.loc[k, "name"]
        gates[k] = {"xy": xy[k], "label": label, "bloc": bloc, "members": members[k]}
    return origin_of, gates, points


def draw_map(ax: plt.Axes, flows: pd.DataFrame, countries: pd.DataFrame, *, boundaries=None,
             title: str = "", vmax: float | None = None, legends: bool = True,
             measure: str = "deals", compact: bool = False, min_deals: int = 2) -> dict:
    """Draw one map on ``ax``. Suppliers outside the frame with fewer than ``min_deals``
    in total share one gate per bloc. Returns what was drawn (gates, fills, widths) for tests."""
    b = load_boundaries() if boundaries is None else boundaries
    c = countries.set_index("code")
    to_map = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    fills = dominant_bloc(flows) if len(flows) else {}
    focus = b[b["focus"]]
    b[~b["focus"]].plot(ax=ax, color=NEIGHBOUR, edgecolor="#BBBBBB", linewidth=0.5)
    colours = [style.bloc_colour(fills[i]) if i in fills else NO_DATA for i in focus["iso3"]]
    focus.plot(ax=ax, color=colours, edgecolor="white", linewidth=1.0, alpha=0.55)
    # labels at a representative point of each recipient
    for _, row in focus.iterrows():
        p = row.geometry.representative_point()
        name = c.loc[row["iso3"], "name"] if row["iso3"] in c.index else row["iso3"]
        if compact:
            name = row["iso3"]
        dx = {"HRV": -60_000, "MNE": -25_000, "XKX": 10_000, "ALB": -10_000, "BIH": 0}.get(row["iso3"], 0)
        dy = {"HRV": 60_000, "XKX": -8_000, "MKD": -25_000, "ALB": -40_000}.get(row["iso3"], 0)
        ax.annotate(name.replace(" and ", " and\n") if not compact else name, (p.x + dx, p.y + dy),
                    ha="center", va="center", fontsize=7.5 if compact else 8.5, color="#222222",
                    fontweight="bold", zorder=6)
    # capitals
    cap = {}
    for r in RECIPIENTS:
        x, y = to_map.transform(float(c.loc[r, "capital_lon"]), float(c.loc[r, "capital_lat"]))
        cap[r] = (x, y)
        ax.plot(x, y, "o", ms=3.5, color="black", zorder=7)
    # where each supplier's lines start: its capital when inside the frame, else a gate on the edge
    origin_of, gates, points = line_origins(flows, c, min_deals=min_deals, compact=compact)
    vmax = vmax if vmax is not None else (flows["value"].max() if len(flows) else 1)
    widths = {}
    drawn = flows.assign(origin=flows["supplier"].map(origin_of))
    drawn = drawn.groupby(["origin", "recipient", "bloc"], as_index=False)[["value", "unconfirmed"]].sum()
    for _, f in drawn.sort_values(["value", "origin", "recipient"], ascending=[False, True, True]).iterrows():
        colour = style.bloc_colour(f["bloc"])
        lw = width_for(f["value"], vmax, 7 if compact else 9)
        widths[(f["origin"], f["recipient"])] = lw
        start = gates[f["origin"]]["xy"] if f["origin"] in gates else points[f["origin"]]
        path = _arc(start, cap[f["recipient"]], 0.12)
        unconf_only = f["unconfirmed"] == f["value"]
        ax.add_patch(PathPatch(path, facecolor="none", edgecolor=colour, linewidth=lw, alpha=0.8,
                               capstyle="round", linestyle=(0, (2, 1.5)) if unconf_only else "-", zorder=4))
    for code, (x, y) in points.items():
        if code not in RECIPIENTS:
            ax.plot(x, y, "o", ms=3.5, color="black", zorder=7)
            ax.annotate(code if compact else c.loc[code, "name"], (x, y), xytext=(4, 4),
                        textcoords="offset points", fontsize=7 if compact else 8, zorder=8)
    for key, g in gates.items():
        ax.text(*g["xy"], g["label"], ha="center", va="center", fontsize=7 if compact else 8, zorder=8,
                color="white", fontweight="bold",
                bbox=dict(boxstyle="round,pad=0.25", fc=style.bloc_colour(g["bloc"]), ec="none"))
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
    _scale_bar(ax, 100_000 if compact else 200_000)
    if title:
        ax.set_title(title, fontsize=10 if compact else 12)
    if legends:
        _legends(ax, flows, vmax, measure)
    return {"gates": {k: g["xy"] for k, g in gates.items()}, "points": points, "fills": fills, "widths": widths}


def _scale_bar(ax, length: float) -> None:
    x0, x1, y0, y1 = FRAME
    x, y = x0 + 40_000, y0 + 40_000
    ax.plot([x, x + length], [y, y], color="black", linewidth=2, solid_capstyle="butt", zorder=8)
    ax.text(x + length / 2, y + 14_000, f"{length / 1000:.0f} km", ha="center", va="bottom", fontsize=7.5)


def _fill_handles() -> list[Patch]:
    """Legend entries for the country fills: one per bloc, plus 'no recorded deals'."""
    handles = [Patch(facecolor=style.bloc_colour(b), alpha=0.55, label=style.bloc_label(b)) for b in BLOCS]
    return handles + [Patch(facecolor=NO_DATA, label="no recorded deals")]


def _legends(ax, flows, vmax, measure) -> None:
    leg1 = ax.legend(handles=_fill_handles(), title="Largest supplier bloc", loc="upper left",
                     bbox_to_anchor=(1.01, 1.0), fontsize=8, title_fontsize=8.5)
    ax.add_artist(leg1)
    steps = sorted({max(1, round(vmax / 4)), max(1, round(vmax / 2)), int(vmax)})
    w_handles = [Line2D([], [], color="#555555", linewidth=width_for(v, vmax), label=f"{v}") for v in steps]
    w_handles.append(Line2D([], [], color="#555555", linewidth=2, linestyle=(0, (2, 1.5)),
                            label="only unconfirmed"))
    ax.legend(handles=w_handles, title=MEASURES[measure], loc="upper left", bbox_to_anchor=(1.01, 0.48),
              fontsize=8, title_fontsize=8.5, handlelength=3)


def map_figure(df: pd.DataFrame, countries: pd.DataFrame, window: tuple[int, int], *, basis: str = "deal",
               measure: str = "deals", recipients: list[str] = RECIPIENTS,
               suppliers: list[str] | None = None, title: str = "") -> plt.Figure:
    """The map for one window, with legends, source line and Kosovo note."""
    flows = build_flows(df, window, basis=basis, measure=measure, recipients=recipients, suppliers=suppliers)
    fig, ax = plt.subplots(figsize=(9, 6.2))
    draw_map(ax, flows, countries, title=title or f"Arms supply lines, {window_label(window)}", measure=measure)
    fig.subplots_adjust(left=0.01, right=0.76, top=0.94, bottom=0.1)
    style.add_source(fig, SOURCE_MAP + "\n" + KOSOVO_NOTE)
    return fig


def periods_figure(df: pd.DataFrame, countries: pd.DataFrame, windows: list[tuple[int, int]], *,
                   basis: str = "deal", measure: str = "deals", title: str = "") -> plt.Figure:
    """The same map for several windows side by side, on one width scale."""
    all_flows = [build_flows(df, w, basis=basis, measure=measure) for w in windows]
    vmax = max([f["value"].max() for f in all_flows if len(f)] or [1])
    b = load_boundaries()
    fig, axes = plt.subplots(1, len(windows), figsize=(4.2 * len(windows), 4.4))
    for ax, w, flows in zip(np.atleast_1d(axes), windows, all_flows):
        draw_map(ax, flows, countries, boundaries=b, title=window_label(w), vmax=vmax,
                 legends=False, measure=measure, compact=True)
    fig.legend(handles=_fill_handles(), loc="lower center", ncols=4, fontsize=8.5, bbox_to_anchor=(0.5, 0.06))
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.86, bottom=0.2, wspace=0.04)
    style.add_source(fig, SOURCE_MAP + f" Widths on one scale: the widest line is {vmax:g} "
                     f"{MEASURES[measure].lower().replace('number of ', '')}.")
    return fig
