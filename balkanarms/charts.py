"""The book's charts. Each function takes tidy data, returns a matplotlib Figure,
and draws with :mod:`balkanarms.style`, so the same supplier has the same colour
everywhere; only counted deals (confirmed and reported) are drawn."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from . import style
from .aggregate import (
    BASIS_LABELS,
    BLOCS,
    MEASURES,
    RECIPIENTS,
    WINDOWS,
    YEARS,
    assign_window,
    counted,
    event_year,
    tally,
    window_label,
)


def no_data(message: str, *, title: str = "", figsize: tuple[float, float] = (style.FIG_WIDTH, 2.6)) -> plt.Figure:
    """A figure that says, in words, that the selection holds nothing to draw."""
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_axis_off()
    ax.text(
        0.5, 0.5, message, ha="center", va="center", fontsize=13, color="#444444", wrap=True, transform=ax.transAxes
    )
    style.title(ax, title)
    return fig


def _top_suppliers(df: pd.DataFrame, top: int | None) -> pd.Series:
    """Supplier codes, with all but the ``top`` most frequent mapped to 'Other'."""
    if top is None:
        return df["supplier"].astype(str)
    keep = df["supplier"].value_counts().sort_index().sort_values(ascending=False, kind="stable").index[:top]
    return df["supplier"].astype(str).where(df["supplier"].isin(keep), "Other")


def stacked_by_year(
    df: pd.DataFrame,
    *,
    basis: str = "deal",
    measure: str = "deals",
    top: int | None = 6,
    years: tuple[int, int] = YEARS,
    names: dict[str, str] | None = None,
    title: str = "",
    ax: plt.Axes | None = None,
) -> plt.Figure:
    """Bars per year of the counted deals, stacked by supplier (named in the legend by ``names``)."""
    df = counted(df)
    y = event_year(df, basis)
    if not (y.notna() & (y >= years[0]) & (y <= years[1])).any():
        return no_data(f"No dated deal in {years[0]}–{years[1]} in this selection.", title=title)
    d = df.assign(group=_top_suppliers(df, top))
    t = tally(d, ["year", "group"], basis, measure)
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 4.8)) if ax is None else (ax.figure, ax)
    x = np.arange(years[0], years[1] + 1)
    bottom = np.zeros(len(x))
    groups = style.sort_suppliers([g for g in t.index.get_level_values("group").unique() if g != "Other"])
    if "Other" in t.index.get_level_values("group"):
        groups.append("Other")
    handles = []
    for g in groups:
        colour = style.supplier_colour(g)
        vals = np.array([t.get((int(y), g), 0) for y in x], dtype=float)
        if vals.any():
            ax.bar(x, vals, bottom=bottom, color=colour, width=0.8, linewidth=0, label=None)
            bottom += vals
        handles.append(Patch(color=colour, label=(names or {}).get(g, "Other suppliers" if g == "Other" else g)))
    ax.set_xlim(years[0] - 0.7, years[1] + 0.7)
    ax.set_xticks(np.arange(years[0] + (years[0] % 2), years[1] + 1, 4))
    ax.set_xticks(np.arange(years[0], years[1] + 1), minor=True)
    ax.set_ylabel(MEASURES[measure])
    ax.set_xlabel(BASIS_LABELS[basis])
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(
        handles=handles,
        ncols=3,
        loc="upper left",
        fontsize=style.SMALL_PT,
        handlelength=1.2,
        columnspacing=1.0,
        handletextpad=0.5,
    )
    ax.set_ylim(0, max(bottom.max(), 1) * (1.35 + 0.12 * int(np.ceil(len(handles) / 3))))
    style.title(ax, title)
    fig.tight_layout()
    return fig


#: A window whose volume is below this (TIV, millions) is too small to read as shares of 100 %.
THIN_TIV = 5.0


def thin_windows(shares: dict) -> set[str]:
    """Windows of ``{window: tiv_shares table}`` whose total TIV is above zero and below :data:`THIN_TIV`."""
    return {w for w, t in shares.items() if 0 < t.attrs.get("total", 0) < THIN_TIV}


def bloc_shares(
    table: pd.DataFrame,
    *,
    counts: pd.Series | None = None,
    title: str = "",
    xlabel: str = "Share of deals (%)",
    count_fmt: str = "n = {:.0f}",
    thin: set[str] | frozenset[str] = frozenset(),
) -> plt.Figure:
    """Horizontal 100 % bars: one bar per window (rows of ``table``), segments by bloc.
    With ``counts``, each bar's label gives the denominator (``count_fmt``, e.g. "n = {:.0f}").
    Windows in ``thin`` rest on a total too small to read as shares (see :data:`THIN_TIV`): their
    bars are hatched and pale, and their label says so."""
    if table.empty or not table.fillna(0).to_numpy().any():
        return no_data("Nothing to share out in this selection.", title=title)
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 0.75 * len(table) + 2.6 + 0.3 * bool(thin)))
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    for bloc in [b for b in BLOCS if b in table.columns]:
        vals = table[bloc].fillna(0).to_numpy(dtype=float)
        if not vals.any():
            continue
        ax.barh(y, vals, left=left, color=style.bloc_colour(bloc), label=style.bloc_label(bloc), height=0.7)
        for yi, li, v, w in zip(y, left, vals, table.index):
            if w in thin and v:
                ax.barh(yi, v, left=li, height=0.7, facecolor="white", alpha=0.55, hatch="///", edgecolor="#555555")
        for yi, li, v in zip(y, left, vals):
            if v >= 11:
                ax.text(
                    li + v / 2,
                    yi,
                    f"{v:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=style.SMALL_PT,
                    color="white" if bloc not in ("other", "turkey") else "black",
                )
        left += vals
    labels = [f"{w}\n({count_fmt.format(counts[w])})" for w in table.index] if counts is not None else list(table.index)
    labels = [lab + ("\nsmall total:\nread with care" if w in thin else "") for lab, w in zip(labels, table.index)]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    style.title(ax, title)
    style.legend_below(fig, ax, ncols=3)
    return fig


def small_multiples(
    df: pd.DataFrame,
    *,
    basis: str = "deal",
    measure: str = "deals",
    recipients: list[str] = RECIPIENTS,
    names: dict[str, str] | None = None,
    windows=WINDOWS,
    title: str = "",
) -> plt.Figure:
    """One panel per recipient, bars per window stacked by bloc, shared y scale."""
    n = len(recipients)
    ncols = 2
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(style.FIG_WIDTH, 2.4 * nrows + 1.4), sharex=True, sharey=True)
    axes = np.atleast_1d(axes).ravel()
    labels = [window_label(w) for w in windows]
    d = assign_window(df, basis, windows)
    t = tally(d, ["recipient", "window", "bloc"], basis, measure)
    for ax, r in zip(axes, recipients):
        bottom = np.zeros(len(labels))
        for bloc in BLOCS:
            vals = np.array([t.get((r, lab, bloc), 0) for lab in labels], dtype=float)
            if vals.any():
                ax.bar(labels, vals, bottom=bottom, color=style.bloc_colour(bloc), width=0.75)
                bottom += vals
        ax.set_title((names or {}).get(r, r), fontsize=style.TEXT_PT)
        ax.tick_params(axis="x", labelsize=style.SMALL_PT, labelrotation=35)
        for lab in ax.get_xticklabels():
            lab.set_ha("right")
            lab.set_rotation_mode("anchor")
        ax.yaxis.get_major_locator().set_params(integer=True)
    for ax in axes[n:]:
        ax.set_axis_off()
    for ax in axes[max(0, n - ncols) : n]:  # a panel with none under it shows its window labels
        ax.tick_params(labelbottom=True)
    handles = [Patch(color=style.bloc_colour(b), label=style.bloc_label(b)) for b in BLOCS]
    if n < len(axes):
        axes[n].legend(
            handles=handles,
            loc="center",
            fontsize=style.SMALL_PT,
            title="Supplier bloc",
            handlelength=1.2,
            handletextpad=0.5,
        )
    else:
        fig.legend(handles=handles, loc="lower center", ncols=2, fontsize=style.SMALL_PT)
    fig.supylabel(MEASURES[measure], fontsize=style.TEXT_PT)
    style.suptitle(fig, title)
    fig.tight_layout(rect=(0, 0, 1, 0.97 if title else 1))
    return fig


def capability_heatmap(
    matrix: pd.DataFrame,
    *,
    row_labels: dict[str, str] | None = None,
    col_labels: dict[str, str] | None = None,
    title: str = "",
) -> plt.Figure:
    """Supplier × capability matrix of deal counts, numbers written in each cell."""
    if matrix.empty or not matrix.to_numpy().any():
        return no_data("No deal in this selection.", title=title)
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 0.5 * len(matrix) + 2.8))
    vals = matrix.to_numpy(dtype=float)
    ax.imshow(np.where(vals > 0, vals, np.nan), cmap="Blues", aspect="auto", vmin=0, vmax=max(vals.max(), 1) * 1.15)
    for (i, j), v in np.ndenumerate(vals):
        if v > 0:
            ax.text(
                j,
                i,
                f"{v:.0f}",
                ha="center",
                va="center",
                fontsize=style.SMALL_PT,
                color="white" if v > vals.max() * 0.6 else "black",
            )
    ax.set_xticks(
        range(matrix.shape[1]), [(col_labels or {}).get(c, c) for c in matrix.columns], rotation=40, ha="right"
    )
    ax.set_yticks(range(matrix.shape[0]), [(row_labels or {}).get(r, r) for r in matrix.index])
    ax.grid(False)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    style.title(ax, title)
    fig.tight_layout()
    return fig


TIE_MARKERS = {
    "deal": "s",
    "delivery": "s",
    "exercise": "^",
    "training": "D",
    "technology_transfer": "P",
    "co_development": "*",
    "agreement": "o",
    "dual_use_infrastructure": "X",
    "visit": "v",
    "military_aid": "p",
    "basing": "h",
}


def _context_text(ev) -> str:
    return f"{ev['label']} ({ev['year']})"


def _pack_labels(events: pd.DataFrame, years: tuple[int, int], chars_per_year: float) -> list[tuple[int, str]]:
    """Give each event's number a level so that no two numbers on a level overlap.

    Numbers left of the middle of the axis are written to the right of their line,
    the others to the left. Returns (level, alignment) per event, in order."""
    middle = (years[0] + years[1]) / 2
    placed: list[list[tuple[float, float]]] = []
    out = []
    for k, (_, ev) in enumerate(events.iterrows(), start=1):
        width = len(str(k)) / chars_per_year + 0.6
        x = float(ev["year"])
        span = (x, x + width) if x < middle else (x - width, x)
        level = 0
        while level < len(placed) and any(a < span[1] and span[0] < b for a, b in placed[level]):
            level += 1
        if level == len(placed):
            placed.append([])
        placed[level].append(span)
        out.append((level, "left" if x < middle else "right"))
    return out


def ties_timeline(
    ties: pd.DataFrame,
    context: pd.DataFrame,
    *,
    lanes: list[str],
    lane_labels: dict[str, str],
    years: tuple[float, float] = (1998, 2026.6),
    title: str = "",
) -> plt.Figure:
    """A timeline: one lane per partner (``ties['lane']``, a bloc or a supplier code), a marker per tie by ``kind``
    (ties of one lane and year stacked in a column), and context events
    (``context['year']``, ``context['label']``) as numbered dotted lines, named in a key under the chart
    (numbers, not names, sit on the lines, so the chart reads at a phone's width)."""
    if ties.empty:
        return no_data("No deal or military tie in this selection.", title=title)
    context = context.sort_values(["year", "label"])
    levels = _pack_labels(context, years, chars_per_year=1.6)
    n_levels = max([l for l, _ in levels], default=-1) + 1
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 2.4 + 0.8 * len(lanes) + 0.3 * n_levels))
    ypos = {lane: i for i, lane in enumerate(reversed(lanes))}
    t = ties.sort_values(["lane", "year", "kind"]).copy()
    rank = t.groupby(["lane", "year"]).cumcount()
    size = t.groupby(["lane", "year"])["kind"].transform("size")
    # ties of one lane and year are stacked in a small column, so no marker hides another
    t["y"] = t["lane"].map(ypos) + (rank - (size - 1) / 2) * 0.16
    for kind in [k for k in TIE_MARKERS if k in set(t["kind"])]:
        sub = t[t["kind"] == kind]
        ax.scatter(
            sub["year"],
            sub["y"],
            marker=TIE_MARKERS[kind],
            s=45,
            c=[style.bloc_colour(l) if l in BLOCS else style.supplier_colour(l) for l in sub["lane"]],
            edgecolors="black",
            linewidths=0.4,
            label=kind.replace("_", " "),
            zorder=3,
        )
    top = len(lanes) - 0.5
    step = 0.36
    for k, ((_, ev), (level, align)) in enumerate(zip(context.iterrows(), levels), start=1):
        ax.axvline(ev["year"], color="#999999", linestyle=":", linewidth=1, zorder=1)
        dx = 0.2 if align == "left" else -0.2
        ax.text(
            ev["year"] + dx,
            top + 0.1 + step * level,
            str(k),
            fontsize=style.SMALL_PT,
            fontweight="bold",
            color="#333333",
            va="bottom",
            ha=align,
        )
    ax.set_yticks(list(ypos.values()), [lane_labels[l] for l in ypos])
    ax.set_ylim(-0.6, top + 0.2 + step * max(n_levels, 1))
    ax.set_xlim(*years)
    ax.set_xlabel("Year")
    ax.grid(axis="x", color="#eeeeee")
    ax.grid(axis="y", visible=False)
    style.title(ax, title)
    fig.tight_layout()
    kinds = len(set(t["kind"]))
    leg = fig.legend(
        *ax.get_legend_handles_labels(),
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        ncols=min(kinds, 3),
        fontsize=style.SMALL_PT,
        title="Kind of tie",
        alignment="left",
        handletextpad=0.3,
        columnspacing=1.0,
    )
    for h in leg.legend_handles:
        h.set_facecolor("#999999")
    if len(context):
        key = "   ".join(f"{k}\u00a0{_context_text(ev)}" for k, (_, ev) in enumerate(context.iterrows(), start=1))
        style.add_below(fig, "Key events: " + key, color="#333333")
    return fig
