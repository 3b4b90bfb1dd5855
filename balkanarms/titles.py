"""Chart titles that state the chart's finding, computed from the table the chart draws.

A title such as "Serbia: China delivered 61 % of the volume in 2021–25" must follow the data and
the reader's selection, so it is built here from the same table the chart is drawn from, never
typed in a notebook.
"""

from __future__ import annotations

import pandas as pd

from .aggregate import BLOC_LABELS, BLOCS
from .wording import capitalised, listing, plural, with_article


def _bloc(b: str) -> str:
    return "other suppliers" if b == "other" else BLOC_LABELS.get(b, b)


def _leaders(counts: pd.Series, names: dict[str, str]) -> tuple[str, int, int]:
    """(who, their number, how many tie) for the largest value of ``counts`` (largest first, ties by
    name): 'Israel and the United States'."""
    top = counts.sort_index().sort_values(ascending=False, kind="stable")
    tied = list(top[top == top.iloc[0]].index)
    return listing([with_article(names.get(s, s)) for s in tied]), int(top.iloc[0]), len(tied)


def _top(row: pd.Series) -> tuple[str, float] | None:
    """The largest group of one row of shares (ties: the fixed bloc order), or None when empty."""
    row = row.fillna(0)
    row = row[row > 0]
    if row.empty:
        return None
    order = [b for b in BLOCS if b in row.index] + [g for g in row.index if g not in BLOCS]
    row = row.reindex(order)
    return str(row.idxmax()), float(row.max())


def bloc_shift(shares: pd.DataFrame, name: str, measure: str) -> str:
    """Title of a windows x blocs chart of shares (%): who led in the latest window with data, and
    who led in the window before it when that was another bloc."""
    rows = [(w, _top(r)) for w, r in shares.iterrows()]
    rows = [(w, t) for w, t in rows if t is not None]
    if not rows:
        return f"{name}: no {measure} recorded in these windows"
    (w0, (b0, _)), (w1, (b1, s1)) = rows[-2] if len(rows) > 1 else rows[0], rows[-1]
    if len(rows) > 1 and b0 != b1:
        return f"{name}: {capitalised(_bloc(b1))} led the {measure} in {w1} ({s1:.0f} %), {_bloc(b0)} in {w0}"
    return f"{name}: {capitalised(_bloc(b1))} led the {measure} in {w1} ({s1:.0f} %)"


def top_supplier(deals: pd.DataFrame, name: str, names: dict[str, str], span: str) -> str:
    """Title of a chart of counted deals by supplier: the supplier with the most of them."""
    if deals.empty:
        return f"{name}: no counted deal in {span}"
    who, n, ties = _leaders(deals["supplier"].value_counts(), names)
    verb = "has" if ties == 1 else "have"
    return f"{name}: {who} {verb} the most counted deals, {n} of {len(deals)} in {span}"


def widest_capabilities(matrix: pd.DataFrame, who: str, names: dict[str, str]) -> str:
    """Title of a supplier x capability matrix of deals: who supplies the widest range."""
    if matrix.empty:
        return f"{who}: no counted deal in this selection"
    breadth = (matrix > 0).sum(axis=1)
    breadth = breadth.drop("Other", errors="ignore")
    if breadth.empty:
        return f"{who}: deals by supplier and capability"
    sup, n, ties = _leaders(breadth, names)
    verb = "supplies" if ties == 1 else "supply"
    return f"{who}: {sup} {verb} the widest range, {plural(n, 'kind')} of system"


def most_ties(ties: pd.DataFrame, name: str, lanes: dict[str, str]) -> str:
    """Title of the ties timeline: which partner has the most deals and military ties."""
    if ties.empty:
        return f"{name}: no deal or military tie with these partners"
    n = ties.groupby("lane").size().sort_index().sort_values(ascending=False, kind="stable")
    lead = n.index[0]
    rest = ", ".join(f"{lanes.get(k, k)} {v}" for k, v in n.iloc[1:].items())
    return f"{name}: most deals and military ties are with {lanes.get(lead, lead)} ({n.iloc[0]}" + (
        f"; {rest})" if rest else ")"
    )


def dominant_blocs(flows: pd.DataFrame, names: dict[str, str], span: str, measure: str = "volume") -> str:
    """Title of a map or overview: the bloc that leads ``measure`` in most countries, and the exceptions."""
    if flows.empty:
        return f"No arms deliveries recorded in {span}"
    lead = {r: _top(g.groupby("bloc")["value"].sum()) for r, g in flows.groupby("recipient")}
    lead = {r: t[0] for r, t in lead.items() if t is not None}
    counts = pd.Series(list(lead.values())).value_counts()
    main = _top(counts)[0] if len(counts) else None
    others = sorted(f"{names.get(r, r)} ({_bloc(b)})" for r, b in lead.items() if b != main)
    where = (
        "all of the seven countries" if counts[main] == len(lead) == 7 else f"{counts[main]} of {len(lead)} countries"
    )
    text = f"{span}: {capitalised(_bloc(main))} led the {measure} in {where}"
    return text + (f"; {listing(others)} otherwise" if others else "")


def volume_vs_deals(table: pd.DataFrame, name: str, span: str) -> str:
    """Title of the volume-against-deals chart: who leads by each measure (first column: share of
    the volume, second: share of the deals; one row per supplier)."""
    if table.empty:
        return f"{name}, {span}: nothing to compare"
    by_v = table.iloc[:, 0].fillna(0).sort_values(ascending=False, kind="stable")
    by_d = table.iloc[:, 1].fillna(0).sort_values(ascending=False, kind="stable")
    v, d = by_v.index[0], by_d.index[0]
    if v == d:
        return f"{name}, {span}: {with_article(v)} leads by volume and by deals"
    return f"{name}, {span}: {with_article(v)} leads by volume, {with_article(d)} by deals"


def split_finding(parts: dict[str, dict[str, float]], span: str) -> str:
    """Title of the even-split chart (``{country: split_part(...)}``): how much of the seven's volume
    could move across the window's edge at all."""
    total = sum(p["total"] for p in parts.values())
    edge = sum(p["edge"] for p in parts.values())
    if not total:
        return f"{span}: no volume delivered to the seven"
    return f"{span}: {edge / total * 100:.0f} % of the seven's volume could move across the window's edge"
