"""Charts of SIPRI's trend-indicator value (TIV), drawn with :mod:`balkanarms.style`.

Each function takes tables that :mod:`balkanarms.sipri` returns and gives back a
matplotlib Figure; the caller adds the source line (``style.add_source(fig,
sipri.credit(edition))``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from . import style
from .aggregate import BLOCS, RECIPIENTS

#: Bloc labels for charts that reach back before 1992, when the Soviet Union was the supplier.
HISTORY_BLOC_LABELS = {**{b: style.bloc_label(b) for b in BLOCS}, "russia_belarus": "Soviet Union, Russia, Belarus"}


def edition_revision(rev: pd.DataFrame, names: dict[str, str], *, title: str = "", top: int = 6) -> plt.Figure:
    """Grouped horizontal bars: each supplier's share (%) in two editions (``rev`` from
    :func:`balkanarms.sipri.revision`: columns old, new), largest ``top`` suppliers, values written."""
    rev = rev.head(top)
    old, new = rev.columns[:2]
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 0.75 * max(len(rev), 2) + 2.4))
    if rev.empty:
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            "SIPRI records no delivery in this window in either edition.",
            ha="center",
            va="center",
            wrap=True,
            transform=ax.transAxes,
        )
        style.title(ax, title)
        return fig
    y = np.arange(len(rev))[::-1]
    h = 0.38
    for k, (col, colour) in enumerate(((old, "#88CCEE"), (new, "#332288"))):
        pos = y + h / 2 - k * h
        vals = rev[col].to_numpy(dtype=float)
        ax.barh(pos, vals, height=h * 0.92, color=colour, label=f"SIPRI, {col} edition")
        for p, v in zip(pos, vals, strict=True):
            ax.text(v + 0.8, p, f"{v:.1f}%", va="center", fontsize=style.SMALL_PT)
    ax.set_yticks(y, [names.get(c, c) for c in rev.index])
    ax.set_xlim(0, max(float(rev.to_numpy().max()), 1) * 1.25)
    ax.set_xlabel("Share of the volume delivered (%)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=style.SMALL_PT)
    style.title(ax, title)
    fig.tight_layout()
    return fig


def bloc_history(
    tiv: pd.DataFrame,
    names: dict[str, str],
    *,
    recipients: list[str] = RECIPIENTS,
    years: tuple[int, int] = (1950, 2025),
    title: str = "",
) -> plt.Figure:
    """One panel per recipient: TIV delivered per year (millions), stacked by supplier bloc.

    ``tiv`` is :func:`balkanarms.sipri.tiv_by_year`. Each panel has its own vertical scale (Serbia's
    volumes dwarf Kosovo's), so panels compare shapes over time, not sizes."""
    t = tiv.groupby(["recipient", "year", "bloc"])["tiv"].sum().to_dict()
    ncols, nrows = 2, int(np.ceil((len(recipients) + 1) / 2))
    fig, axes = plt.subplots(nrows, ncols, figsize=(style.FIG_WIDTH, 2.2 * nrows + 1.4), sharex=True)
    axes = axes.ravel()
    x = np.arange(years[0], years[1] + 1)
    edges = np.append(x - 0.5, x[-1] + 0.5)  # each year's bar spans it whole, as bars of width 1
    for ax, r in zip(axes, recipients, strict=False):
        bottom = np.zeros(len(x))
        for bloc in BLOCS:
            vals = np.array([t.get((r, int(yr), bloc), 0.0) for yr in x])
            if vals.any():  # one filled step outline per bloc: the stacked bars without 76 patches each
                ax.stairs(
                    bottom + vals, edges, baseline=bottom.copy(), fill=True, color=style.bloc_colour(bloc), linewidth=0
                )
                bottom += vals
        ax.set_title(names.get(r, r), fontsize=style.TEXT_PT)
        ax.set_xlim(years[0] - 1, years[1] + 1)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.tick_params(labelsize=style.SMALL_PT)
        if not bottom.any():
            ax.text(
                0.5,
                0.5,
                "no deliveries recorded",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=style.SMALL_PT,
                color="#555555",
            )
            ax.set_yticks([])
    for ax in axes[len(recipients) :]:
        ax.set_axis_off()
    handles = [Patch(color=style.bloc_colour(b), label=HISTORY_BLOC_LABELS[b]) for b in BLOCS]
    axes[len(recipients)].legend(
        handles=handles,
        loc="center",
        fontsize=style.SMALL_PT,
        title="Supplier bloc",
        handlelength=1.2,
        handletextpad=0.5,
        borderaxespad=0,
    )
    for ax in axes[max(0, len(recipients) - 2) : len(recipients)]:
        ax.tick_params(labelbottom=True)
    fig.supylabel("TIV delivered per year (millions)", fontsize=style.TEXT_PT)
    style.suptitle(fig, title)
    fig.tight_layout(rect=(0, 0, 1, 0.95 if title else 1))
    return fig


def split_bars(table: pd.DataFrame, *, title: str = "") -> plt.Figure:
    """Horizontal stacked bars per row of ``table`` (columns 'exact', 'split', 'edge' in TIV millions, as
    :func:`balkanarms.sipri.split_part` returns): the volume whose years SIPRI gives, the volume split
    evenly over deals wholly inside the window (the window's total does not depend on it), and the
    split volume of deals that cross the window's edge (the only part that could move)."""
    parts = pd.DataFrame(
        {"exact": table["exact"], "inside": table["split"] - table["edge"], "edge": table["edge"]}
    ).astype(float)
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 0.55 * len(parts) + 2.6))
    y = np.arange(len(parts))[::-1]
    left = np.zeros(len(parts))
    for col, colour, label in (
        ("exact", "#332288", "year given by SIPRI"),
        ("inside", "#DDCC77", "split evenly, deal wholly inside the window"),
        ("edge", "#CC6677", "split evenly, deal crosses the window's edge"),
    ):
        vals = parts[col].to_numpy()
        ax.barh(y, vals, left=left, color=colour, height=0.65, label=label)
        left += vals
    for yi, tot, e in zip(y, left, parts["edge"].to_numpy(), strict=True):
        ax.text(
            tot + max(left.max(), 1) * 0.01,
            yi,
            f"{e / tot * 100:.0f}% could move" if tot else "none",
            va="center",
            fontsize=style.SMALL_PT,
        )
    ax.set_yticks(y, parts.index)
    ax.set_xlim(0, max(left.max(), 1) * 1.45)
    ax.set_xlabel("TIV delivered (millions)")
    ax.grid(axis="y", visible=False)
    style.title(ax, title)
    style.legend_below(fig, ax, left=True)
    return fig


def volume_vs_deals(table: pd.DataFrame, *, title: str = "") -> plt.Figure:
    """Grouped horizontal bars: per supplier (rows of ``table``), its share of the volume (first
    column) and of the deals (second column), in percent; the column names (with their denominators)
    make the legend, under the bars."""
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 0.7 * len(table) + 2.2))
    y = np.arange(len(table))[::-1]
    h = 0.38
    for k, (col, colour) in enumerate(zip(table.columns[:2], ("#332288", "#88CCEE"), strict=False)):
        pos = y + h / 2 - k * h
        vals = table[col].to_numpy(dtype=float)
        ax.barh(pos, vals, height=h * 0.92, color=colour, label=col)
        for p, v in zip(pos, vals, strict=True):
            ax.text(v + 0.8, p, f"{v:.0f}%", va="center", fontsize=style.SMALL_PT)
    ax.set_yticks(y, table.index)
    ax.set_xlim(0, 108)
    ax.set_xlabel("Share (%)")
    ax.grid(axis="y", visible=False)
    style.title(ax, title)
    style.legend_below(fig, ax, left=True)  # the column names, with their denominators
    return fig
