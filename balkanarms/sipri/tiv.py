"""SIPRI's trend-indicator value (TIV) by year, shares by window and blocs by volume.

TIV per year is exact where the per-delivery-year register lists the same deal with the same
delivery years; otherwise a deal's delivered TIV is split evenly over its listed years, and every
figure reports how much of it rests on that split. Calculations are the book's, not SIPRI's.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import DATA_DIR, data
from ..aggregate import BLOC_LABELS, BLOCS, RECIPIENTS
from .read import PER_YEAR, UNKNOWN, UNKNOWN_LABEL, _bloc_at, _per_year, _register, check_edition, coverage, per_year

#: Tolerance (TIV millions) when comparing delivered totals across the two registers.
_TOL = 0.02


def _labels(data_dir: Path) -> dict[str, str]:
    return {**data.names(data_dir), UNKNOWN: UNKNOWN_LABEL, **BLOC_LABELS}


# --------------------------------------------------------------------------- TIV by year


def _exact_years(deal: pd.Series, candidates: dict) -> dict[int, float] | None:
    """Exact TIV per year for a per-deal row, from the per-delivery-year register, or None.

    The deal must be the only one of the per-year register with the same recipient, supplier,
    order year and TIV per unit whose delivery years are the row's years from 1995 on; the row's
    delivered TIV must be at least their sum, and equal to it when no year is before 1995."""
    lo, hi = PER_YEAR["coverage"]
    years = deal["delivery_years"]
    if not years or years[-1] > hi or pd.isna(deal["tiv_unit"]) or pd.isna(deal["tiv_delivered"]):
        return None
    want = [y for y in years if y >= lo]
    match = [
        g
        for g in candidates.get((deal["recipient"], deal["supplier"], deal["order_year"]), [])
        if abs(g["tiv_unit"] - float(deal["tiv_unit"])) < 1e-9 and g["years"] == want
    ]
    if len(match) != 1:
        return None
    exact = match[0]["tiv"]
    rest = float(deal["tiv_delivered"]) - sum(exact.values())
    early = [y for y in years if y < lo]
    if rest < -_TOL or (not early and abs(rest) > _TOL):
        return None
    return exact


@lru_cache(maxsize=8)
def _tiv_by_year(edition: str, data_dir: Path, exact: bool) -> pd.DataFrame:
    reg = _register(edition, data_dir)
    cands: dict[tuple, list] = {}
    if exact:
        for _, g in _per_year(data_dir).groupby("deal_id", sort=False):
            r = g.iloc[0]
            cands.setdefault((r["recipient"], r["supplier"], r["order_year"]), []).append(
                {
                    "tiv_unit": r["tiv_unit"],
                    "years": sorted(g["year"]),
                    "tiv": dict(zip(g["year"], g["tiv"], strict=True)),
                }
            )
    rows = []
    for _, d in reg.iterrows():
        years = d["delivery_years"]
        if not years:
            continue
        total = 0.0 if pd.isna(d["tiv_delivered"]) else float(d["tiv_delivered"])
        found = _exact_years(d, cands) if exact else None
        base = (d["sipri_key"], d["recipient"], d["supplier"])
        if found is None:
            rows += [base + (y, total / len(years), True) for y in years]
            continue
        rows += [base + (y, float(v), False) for y, v in found.items()]
        early = [y for y in years if y < PER_YEAR["coverage"][0]]
        rest = max(total - sum(found.values()), 0.0)
        rows += [base + (y, rest / len(early), True) for y in early]
    out = pd.DataFrame(rows, columns=["sipri_key", "recipient", "supplier", "year", "tiv", "split"])
    out.insert(3, "bloc", _bloc_at(out["supplier"], out["year"], data_dir))  # the bloc of each delivery year
    return out.sort_values(["recipient", "supplier", "year", "sipri_key"], ignore_index=True)


def tiv_by_year(edition: str, data_dir: Path | str = DATA_DIR, *, exact: bool = True) -> pd.DataFrame:
    """TIV delivered (millions) per deal and year: sipri_key, recipient, supplier, bloc, year, tiv, split.

    ``split`` is True where the value is the deal's delivered TIV divided evenly over its listed years;
    False where SIPRI's per-delivery-year register gives the year's value. ``exact=False`` splits
    every deal (to show what the split changes)."""
    return _tiv_by_year(check_edition(edition), Path(data_dir).resolve(), exact).copy()


# --------------------------------------------------------------------------- shares


def tiv_shares(
    recipient: str,
    window: tuple[int, int],
    edition: str,
    by: str = "supplier",
    data_dir: Path | str = DATA_DIR,
    *,
    exact: bool = True,
) -> pd.DataFrame:
    """Each supplier's (or bloc's) TIV delivered to ``recipient`` in ``window`` (inclusive) and its share
    in percent: columns group, label, tiv, share, split_tiv; largest first (ties by code).

    ``.attrs["total"]`` is the denominator (TIV millions), ``.attrs["split_tiv"]`` how much of it
    rests on an even split, and ``.attrs["edge_split_tiv"]`` how much of that comes from deals that
    also delivered outside the window (only that part could move if SIPRI's years were known).
    No delivery in the window gives an empty table with total 0."""
    if by not in ("supplier", "bloc"):
        raise ValueError(f"by must be 'supplier' or 'bloc', not {by!r}")
    t = tiv_by_year(edition, data_dir, exact=exact)
    t = t[t["recipient"] == recipient]
    t = _inside(t, window)
    t = t.assign(split_tiv=t["tiv"].where(t["split"], 0.0))
    g = t.groupby(by)[["tiv", "split_tiv"]].sum()
    g = g[g["tiv"] > 0].reset_index().rename(columns={by: "group"})
    total = float(g["tiv"].sum())
    g["share"] = g["tiv"] / total * 100 if total else 0.0
    g["label"] = g["group"].map(_labels(Path(data_dir).resolve()))
    g = g.sort_values("group").sort_values("tiv", ascending=False, kind="stable", ignore_index=True)
    out = g[["group", "label", "tiv", "share", "split_tiv"]]
    out.attrs.update(
        total=total,
        split_tiv=float(g["split_tiv"].sum()),
        edge_split_tiv=float(t.loc[t["split"] & t["edge"], "tiv"].sum()),
        recipient=recipient,
        window=tuple(window),
        edition=edition,
        by=by,
    )
    return out


def _inside(t: pd.DataFrame, window: tuple[int, int]) -> pd.DataFrame:
    """Rows of a :func:`tiv_by_year` table inside ``window``, with ``edge``: True where the deal also
    delivered outside the window (only there can an even split move TIV in or out of it)."""
    y = t.groupby("sipri_key")["year"]
    edge = (y.transform("min") < window[0]) | (y.transform("max") > window[1])
    inside = (t["year"] >= window[0]) & (t["year"] <= window[1])
    return t.assign(edge=edge)[inside]


def largest_supplier(
    recipient: str, window: tuple[int, int], edition: str, by: str = "bloc", data_dir: Path | str = DATA_DIR
) -> tuple[str, float, float, float] | None:
    """(group, tiv, share in %, total) of the largest supplier or bloc by TIV, or None without TIV.
    Ties go to the group that comes first (code order)."""
    s = tiv_shares(recipient, window, edition, by, data_dir)
    if s.empty:
        return None
    top = s.iloc[0]
    return str(top["group"]), float(top["tiv"]), float(top["share"]), s.attrs["total"]


def share_table(shares: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Window label -> :func:`tiv_shares` table, as one table: a row per window, a column per group,
    shares in percent (0 where a group delivered nothing; a window without TIV is all missing).
    Bloc columns come in the fixed bloc order."""

    t = pd.DataFrame({w: s.set_index("group")["share"] for w, s in shares.items()}).T
    t = t.reindex(list(shares))
    cols = [b for b in BLOCS if b in t.columns] + sorted(c for c in t.columns if c not in BLOCS)
    t = t.reindex(columns=cols).astype("float64")
    for w, s in shares.items():
        if s.attrs.get("total"):
            t.loc[w] = t.loc[w].fillna(0.0)
    return t


def readable_shares(shares: pd.DataFrame) -> pd.DataFrame:
    """A :func:`tiv_shares` table for readers, with a total row: supplier, TIV (millions), share (%),
    of which split evenly."""
    first = "bloc" if shares.attrs.get("by") == "bloc" else "supplier"
    out = pd.DataFrame(
        {
            first: shares["label"],
            "TIV (millions)": shares["tiv"].round(1),
            "share (%)": shares["share"].round(1),
            "of which split evenly (TIV)": shares["split_tiv"].round(1),
        }
    )
    total = shares.attrs.get("total", 0.0)
    if total:
        out.loc[len(out)] = [
            "Total (the denominator)",
            round(total, 1),
            100.0,
            round(shares.attrs.get("split_tiv", 0.0), 1),
        ]
    return out.reset_index(drop=True)


def split_part(
    recipient: str | None, window: tuple[int, int], edition: str, data_dir: Path | str = DATA_DIR
) -> dict[str, float]:
    """TIV delivered in ``window`` to ``recipient`` (None: all seven): ``total``, ``exact`` (years SIPRI
    gives), ``split`` (split evenly) and ``edge`` (the split part of deals that also delivered outside
    the window: the only part an even split can move across the window's edge)."""
    t = tiv_by_year(edition, data_dir)
    if recipient is not None:
        t = t[t["recipient"] == recipient]
    t = _inside(t, window)
    split = float(t.loc[t["split"], "tiv"].sum())
    return {
        "total": float(t["tiv"].sum()),
        "exact": float(t.loc[~t["split"], "tiv"].sum()),
        "split": split,
        "edge": float(t.loc[t["split"] & t["edge"], "tiv"].sum()),
    }


# --------------------------------------------------------------------------- what the data show


def second_hand_ratios(data_dir: Path | str = DATA_DIR, tol: float = 0.03) -> pd.DataFrame:
    """Per status of the per-delivery-year register (New, Second hand, Second hand but modernized):
    deals, the median ratio of the TIV per unit to SIPRI's estimate for a new item, and how many
    deals are within ``tol`` of 1, 0.40 and 0.66 (rounded unit values move the ratio a little)."""
    py = per_year(data_dir).drop_duplicates("deal_id")
    py = py[py["tiv_new_unit"] > 0]
    ratio = py["tiv_unit"] / py["tiv_new_unit"]
    rows = []
    for status, target in (("New", 1.0), ("Second hand", 0.40), ("Second hand but modernized", 0.66)):
        r = ratio[py["status"] == status]
        rows.append(
            {
                "status": status,
                "deals": len(r),
                "median_ratio": float(r.median()) if len(r) else None,
                "target": target,
                "near_target": int(((r - target).abs() <= tol).sum()),
            }
        )
    return pd.DataFrame(rows)


def delivery_span(
    recipient: str, edition: str, supplier: str | None = None, data_dir: Path | str = DATA_DIR
) -> tuple[int, int] | None:
    """First and last year with TIV delivered to ``recipient`` (from ``supplier``), or None."""
    t = tiv_by_year(edition, data_dir)
    t = t[(t["recipient"] == recipient) & (t["tiv"] > 0)]
    if supplier is not None:
        t = t[t["supplier"] == supplier]
    return None if t.empty else (int(t["year"].min()), int(t["year"].max()))


def peak_share(
    recipient: str, group: str, edition: str, by: str = "supplier", length: int = 5, data_dir: Path | str = DATA_DIR
) -> tuple[tuple[int, int], float, float] | None:
    """The ``length``-year window (inside the edition's coverage) in which ``group`` had its largest
    share of ``recipient``'s TIV: (window, share in %, total), or None if it never delivered.
    Ties go to the earliest window."""
    lo, hi = coverage(edition)
    t = tiv_by_year(edition, data_dir)
    t = t[t["recipient"] == recipient]
    total = t.groupby("year")["tiv"].sum().reindex(range(lo, hi + 1), fill_value=0.0)
    mine = t[t[by] == group].groupby("year")["tiv"].sum().reindex(range(lo, hi + 1), fill_value=0.0)
    best = None
    for start in range(lo, hi - length + 2):
        w = (start, start + length - 1)
        tot = float(total.loc[w[0] : w[1]].sum())
        if tot <= 0:
            continue
        share = float(mine.loc[w[0] : w[1]].sum()) / tot * 100
        if share > 0 and (best is None or share > best[1] + 1e-9):
            best = (w, share, tot)
    return best


def recipients_overview(edition: str, window: tuple[int, int], data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """One row per recipient: first and last delivery year, total TIV over the edition's span, the
    largest bloc over that span and in ``window`` (with its share and the window's total)."""

    span = coverage(edition)
    rows = []
    for r in RECIPIENTS:
        years = delivery_span(r, edition, data_dir=data_dir)
        whole = largest_supplier(r, span, edition, "bloc", data_dir)
        recent = largest_supplier(r, window, edition, "bloc", data_dir)
        rows.append(
            {
                "recipient": r,
                "first": None if years is None else years[0],
                "last": None if years is None else years[1],
                "total": 0.0 if whole is None else whole[3],
                "bloc_all": None if whole is None else whole[0],
                "share_all": None if whole is None else whole[2],
                "bloc_window": None if recent is None else recent[0],
                "share_window": None if recent is None else recent[2],
                "total_window": 0.0 if recent is None else recent[3],
            }
        )
    out = pd.DataFrame(rows)
    for col in ("first", "last"):
        out[col] = out[col].astype("Int64")
    return out
