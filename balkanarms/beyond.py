"""Charts and sentences of the chapter *Beyond the seven*, drawn from :mod:`balkanarms.world`.

Every chart is drawn for a phone as well as a desktop: 6.4 in wide, text at 10 pt or more,
values written on the bars. Each function returns a matplotlib Figure or a sentence; the
notebook adds the source line (``style.add_source(fig, sipri.credit("2026"))``) and glues the
sentences, so no number is typed into the prose.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from . import exports_map, style
from .aggregate import BLOC_LABELS, BLOCS, window_label
from .tables import tiv_text
from .wording import listing, spelled

WIDTH = 6.4
FONT = style.SMALL_PT  # 9 px or more on a phone (see style.min_font_pt)
#: SIPRI's spelling -> the book's (Türkiye, not Turkey).
DISPLAY = {
    "Turkiye": "Türkiye",
    "Bosnia-Herzegovina": "Bosnia and Herzegovina",
    "Cote d'Ivoire": "Côte d'Ivoire",
}
LABELS = {**BLOC_LABELS, "turkey": "Türkiye"}
REGION_COLOURS = {
    "Asia and Oceania": "#88CCEE",
    "Africa": "#DDCC77",
    "Middle East": "#AA4499",
    "Americas": "#44AA99",
    "Europe": "#332288",
}
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]


def name(sipri_name: str) -> str:
    """A SIPRI name as the book writes it."""
    return DISPLAY.get(sipri_name, sipri_name)


def ordinal(n: int) -> str:
    return ORDINALS[n - 1] if 1 <= n <= len(ORDINALS) else f"{n}th"


def pct(v: float) -> str:
    return f"{v:.1f} %"


def tiv(v: float) -> str:
    """'TIV 585 million'."""
    return f"TIV {tiv_text(v)} million"


# --------------------------------------------------------------------------- sentences


def china_answer(recipient: str, span: str, share: tuple, rank: tuple, rank_europe: tuple) -> str:
    """The answer on China: ``share`` from :func:`world.share_of_china`, ranks from :func:`world.china_rank`."""
    who = name(recipient)
    if rank[0] is None:
        return f"In {span}, SIPRI records no Chinese delivery of major arms to {who}."
    europe = (
        f"the largest in Europe (of {rank_europe[1]} European recipients)"
        if rank_europe[0] == 1
        else f"{ordinal(rank_europe[0])} of {rank_europe[1]} in Europe"
    )
    return (
        f"In {span}, {who} received {pct(share[0])} of China's major arms exports by volume "
        f"({tiv(share[1])} of {tiv_text(share[2])} million): {ordinal(rank[0])} of China's "
        f"{rank[1]} recipients worldwide and {europe}."
    )


def ukraine_answer(table: pd.DataFrame, since: int) -> str:
    """The answer on the region as a supplier, from :func:`world.exports_since`."""
    t = table.set_index("supplier")
    to_ua = t["to Ukraine"][t["to Ukraine"] > 0].sort_values(ascending=False, kind="stable")
    srb = t.loc["Serbia"]
    serbia = (
        f"Serbia sent Ukraine nothing SIPRI records and sold {tiv(srb['elsewhere'])} elsewhere"
        if srb["to Ukraine"] == 0
        else f"Serbia sent Ukraine {tiv(srb['to Ukraine'])} and sold {tiv(srb['elsewhere'])} elsewhere"
    )
    period = "In 2025" if since == 2025 else f"From {since} to 2025"
    if to_ua.empty:
        return f"{period}, SIPRI records no major arms from the seven to Ukraine; {serbia}."
    parts = [f"{name(s)} {tiv(v)}" for s, v in to_ua.items()]
    return f"{period} the seven delivered {tiv(to_ua.sum())} of major arms to Ukraine ({listing(parts)}); {serbia}."


def blocs_finding(table: pd.DataFrame, span: str) -> str:
    """Which of the twelve drew most of their volume from NATO/EU members in ``span`` (a chart title)."""
    t = table[table["total"] > 0]
    share = t["nato_eu"] / t["total"]
    outside = [name(r) for r in t.index[share < 0.5]]
    if not outside:
        return f"In {span} every country shown drew most of its major arms from NATO/EU members"
    if len(outside) == 1:
        return (
            f"In {span} {outside[0]} was the only country shown not to draw most of its major arms from NATO/EU members"
        )
    what = "not to draw most of their major arms from NATO/EU members"
    return f"In {span} {listing(outside)} were the countries shown {what}"


def china_title(recipients: pd.DataFrame, recipient: str, rank: tuple, rank_europe: tuple, span: str) -> str:
    """The finding of the chart of China's recipients (ranks from :func:`world.china_rank`)."""
    who = name(recipient)
    if recipients.empty:
        return f"SIPRI records no Chinese delivery of major arms in {span}"
    if rank[0] is None:
        top = name(recipients["recipient"].iloc[0])
        return f"{top} was China's largest arms client in {span}; {who} received no Chinese major arms"
    where = "the largest in Europe" if rank_europe[0] == 1 else f"{ordinal(rank_europe[0])} in Europe"
    nth = "largest" if rank[0] == 1 else f"{ordinal(rank[0])}-largest"
    return f"{who} was the {nth} of China's {rank[1]} arms clients in {span}, and {where}"


def ukraine_title(table: pd.DataFrame, since: int) -> str:
    """The finding of the chart of the seven's exports from ``since`` (:func:`world.exports_since`)."""
    total, to_ua = float(table["total"].sum()), float(table["to Ukraine"].sum())
    if not total:
        return f"SIPRI records no major arms exports from the seven from {since}"
    srb = table.set_index("supplier").loc["Serbia"]
    tail = "" if srb["total"] == 0 else ("; Serbia's went elsewhere" if srb["to Ukraine"] == 0 else "")
    period = "In 2025" if since == 2025 else f"From {since}"
    if not to_ua:
        return f"{period}, none of the seven's major arms exports went to Ukraine"
    return f"{period}, {to_ua / total * 100:.0f} % of the seven's major arms exports went to Ukraine{tail}"


def _to(dest: str) -> str:
    """Where a flow of the exports map went, in words: 'to Ukraine', 'to the Middle East'."""
    if dest == "Europe":
        return "to the rest of Europe"
    if dest in ("Middle East", "Americas"):
        return f"to the {dest}"
    if dest == exports_map.UNKNOWN:
        return "to recipients SIPRI does not name"
    return f"to {name(dest)}"


def _totals(flows: pd.DataFrame, by: str, where=None) -> pd.Series:
    t = flows if where is None else flows[where]
    return t.groupby(by)["tiv"].sum().sort_index().sort_values(ascending=False, kind="stable")


def exports_map_title(flows: pd.DataFrame, span: str) -> str:
    """The finding of the exports map (flows from :func:`exports_map.flows`), naming the largest
    exporter: the one or two exporters that sent most of the region's exports to one destination,
    else the largest exporter's share and where most of it went."""
    total = float(flows["tiv"].sum())
    if not total:
        return f"SIPRI records no major arms exports from the seven in {span}"
    exporters = _totals(flows, "exporter")
    top = exporters.index[0]
    known = flows["destination"] != exports_map.UNKNOWN
    dest = _totals(flows, "destination", known)
    if len(dest):
        senders = _totals(flows, "exporter", flows["destination"] == dest.index[0])
        for n in (1, 2):
            lead = list(senders.index[:n])
            if top in lead and senders.iloc[:n].sum() > total / 2:
                who = listing([name(e) for e in lead])
                return f"{who} sent most of the region's arms exports {_to(dest.index[0])} in {span}"
    share = f"{name(top)} sent {exporters.iloc[0] / total * 100:.0f} % of the region's arms exports in {span}"
    own = _totals(flows, "destination", known & (flows["exporter"] == top))
    if own.empty:
        return share
    most = "most of it" if own.iloc[0] > exporters.iloc[0] / 2 else "the largest part"
    return f"{share}, {most} {_to(own.index[0])}"


def exports_map_sentence(flows: pd.DataFrame, span: str) -> str:
    """How much the seven delivered in ``span`` and the largest destination's share."""
    total = float(flows["tiv"].sum())
    if not total:
        return f"SIPRI records no major arms exports from the seven in {span}."
    dest = _totals(flows, "destination", flows["destination"] != exports_map.UNKNOWN)
    if dest.empty:
        return f"In {span} the seven delivered {tiv(total)} of major arms, all to recipients SIPRI does not name."
    d, v = dest.index[0], float(dest.iloc[0])
    return (
        f"In {span} the seven delivered {tiv(total)} of major arms; {tiv(v)} ({v / total * 100:.0f} %) went {_to(d)}."
    )


def exports_map_small(flows: pd.DataFrame, span: str) -> str:
    """The flows the exports map leaves out (under the threshold, or to recipients SIPRI does not
    name), in words."""
    if flows.empty:
        return "The map therefore draws no arrow."
    unknown = flows["destination"] == exports_map.UNKNOWN
    small = flows[~flows["drawn"] & ~unknown]
    out = []
    if len(small):
        parts = [
            f"{name(e)} {_to(d)} ({tiv(v)})"
            for e, d, v in small[["exporter", "destination", "tiv"]].itertuples(index=False)
        ]
        out.append(f"The map leaves out the flows under {exports_map.THRESHOLD_TEXT}: {listing(parts)}.")
    if unknown.any():
        parts = [f"{name(e)}'s {tiv(v)}" for e, v in flows.loc[unknown, ["exporter", "tiv"]].itertuples(index=False)]
        out.append(f"The map has no direction for {listing(parts)} to recipients SIPRI does not name.")
    return " ".join(out) or f"Every flow in {span} is {exports_map.THRESHOLD_TEXT} or more, and the map draws them all."


# --------------------------------------------------------------------------- charts


def _title(ax, title: str) -> None:
    """The finding as the figure's title, wrapped to the figure's width, flush left."""
    ax.figure.suptitle(textwrap.fill(title, 48), x=0.02, ha="left", fontsize=style.TITLE_PT, fontweight="bold")


def _bar_labels(ax, y, left, vals, texts):
    xmax = ax.get_xlim()[1]
    for yi, li, v, t in zip(y, left, vals, texts, strict=True):
        ax.text(li + v + xmax * 0.01, yi, t, va="center", fontsize=FONT)


def china_top(recipients: pd.DataFrame, *, highlight: str, title: str, top: int = 8) -> plt.Figure:
    """China's largest recipients (``world.china_recipients``): bars coloured by SIPRI region,
    ``highlight`` outlined, each with its TIV and share."""
    t = recipients.head(top)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.42 * max(len(t), 3) + 2.3))
    if t.empty:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "SIPRI records no Chinese delivery in this window.", ha="center", transform=ax.transAxes)
        _title(ax, title)
        return fig
    y = np.arange(len(t))[::-1]
    colours = [REGION_COLOURS.get(r, style.OTHER_COLOUR) for r in t["region"]]
    edges = ["black" if r == highlight else "none" for r in t["recipient"]]
    ax.barh(y, t["tiv"], color=colours, edgecolor=edges, linewidth=1.5, height=0.7)
    ax.set_xlim(0, float(t["tiv"].max()) * 1.5)
    _bar_labels(ax, y, np.zeros(len(t)), t["tiv"], [f"{tiv_text(v)} ({s:.0f} %)" for v, s in zip(t["tiv"], t["share"])])
    ax.set_yticks(y, [name(r) for r in t["recipient"]], fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT)
    ax.set_xlabel("TIV delivered, millions (share of China's total)", fontsize=FONT)
    ax.grid(axis="y", visible=False)
    regions = [r for r in REGION_COLOURS if r in set(t["region"])]
    handles = [Patch(color=REGION_COLOURS[r], label=r) for r in regions]
    ax.legend(handles=handles, loc="lower right", fontsize=FONT, title="SIPRI region", title_fontsize=FONT)
    _title(ax, title)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def exports_since(table: pd.DataFrame, *, title: str) -> plt.Figure:
    """The seven's deliveries from a year (``world.exports_since``): to Ukraine and elsewhere."""
    t = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(WIDTH, 4.8))
    y = np.arange(len(t))
    ax.set_xlim(0, max(float(t["total"].max()), 1) * 1.35)
    ax.barh(y, t["to Ukraine"], color="#0072B2", height=0.65, label="to Ukraine")
    ax.barh(y, t["elsewhere"], left=t["to Ukraine"], color=style.OTHER_COLOUR, height=0.65, label="elsewhere")
    _bar_labels(ax, y, np.zeros(len(t)), t["total"], [tiv_text(v) if v else "none" for v in t["total"]])
    ax.set_yticks(y, [name(s) for s in t["supplier"]], fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT)
    ax.set_xlabel("TIV delivered, millions", fontsize=FONT)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.16), ncols=2, fontsize=FONT, frameon=False)
    _title(ax, title)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def blocs_compared(table: pd.DataFrame, *, title: str, split: int | None = None) -> plt.Figure:
    """100 % bars by supplier bloc (in the year of delivery) for the seven and the neighbours
    (``world.seven_blocs`` and ``world.neighbour_blocs`` stacked), each labelled with its TIV total;
    a dashed line after the first ``split`` rows."""
    t = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.42 * len(t) + 3.0))
    y = np.arange(len(t))
    left = np.zeros(len(t))
    tot = t["total"].replace(0, np.nan)
    for bloc in BLOCS:
        vals = (t[bloc] / tot * 100).fillna(0).to_numpy()
        if vals.any():
            ax.barh(y, vals, left=left, color=style.bloc_colour(bloc), height=0.7, label=LABELS[bloc])
            left += vals
    ax.set_xlim(0, 135)
    if split:
        ax.axhline(len(t) - split - 0.5, color="#555555", linestyle="--", linewidth=0.8)
    _bar_labels(ax, y, np.zeros(len(t)), np.full(len(t), 100.0), [tiv_text(v) if v else "none" for v in t["total"]])
    ax.text(100 + 1.35, len(t) - 0.4, "TIV total", fontsize=FONT, va="bottom")
    ax.set_yticks(y, [name(r) for r in t.index], fontsize=FONT)
    ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100 %"], fontsize=FONT)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.08), ncols=2, fontsize=FONT, frameon=False)
    _title(ax, title)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


# --------------------------------------------------------------------------- what SIPRI cannot show

#: How an official position reads in a table.
POSITION = {
    "confirmed": "confirmed",
    "acknowledged_in_part": "acknowledged in part",
    "denied": "denied",
    "not_stated": "no official statement",
}


def _years(first, last) -> str:
    if pd.isna(first) or first == last:
        return f"by {last}" if pd.isna(first) else str(last)
    return window_label((int(first), int(last)))


def unseen_table(exports: pd.DataFrame) -> pd.DataFrame:
    """The transfers SIPRI's register cannot show, as a reader's table (from :func:`balkanarms.data.exports`)."""
    via = [f"through {v}" if isinstance(v, str) and v else "direct" for v in exports["via"]]
    return pd.DataFrame(
        {
            "from": exports["supplier_name"],
            "to": exports["recipient_name"],
            "what": exports["item"],
            "years": [_years(f, last) for f, last in zip(exports["first_year"], exports["last_year"])],
            "route": via,
            "status": exports["status"].map(lambda s: s.replace("_", " ")),
            "official position": exports["official_position"].map(POSITION),
            "confidence": exports["confidence"],
        }
    )


def unseen_sentence(exports: pd.DataFrame) -> str:
    """What the book records beyond SIPRI's register, by confidence and official position."""
    if exports.empty:
        return "The book records no transfer from the seven beyond SIPRI's register."
    n = len(exports)
    conf = exports["confidence"].value_counts()
    parts = [f"{conf[c]} {c}" for c in ("confirmed", "reported", "unconfirmed") if c in conf.index]
    srb = exports[exports["supplier"] == "SRB"]
    denied = int((srb["official_position"] == "denied").sum())
    text = (
        f"Beyond SIPRI's register, the book records {n} transfers from the seven, most of them ammunition "
        f"({listing(parts)}). {spelled(len(srb), capital=True)} concern Serbian ammunition reaching Ukraine, which "
        "Serbia says it does not supply directly"
    )
    if denied:
        text += f"; Belgrade denied {spelled(denied)} of these reports outright"
    return text + "."
