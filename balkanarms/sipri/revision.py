"""What changed between two editions of SIPRI's register: shares, and the deals behind them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import DATA_DIR
from ..wording import with_article
from .read import register
from .tiv import tiv_by_year, tiv_shares


def revision(
    recipient: str,
    window: tuple[int, int],
    old: str = "2025",
    new: str = "2026",
    by: str = "supplier",
    data_dir: Path | str = DATA_DIR,
) -> pd.DataFrame:
    """Shares (%) of ``recipient``'s TIV in ``window`` by supplier (or bloc) in two editions: index the
    group codes, columns ``old`` and ``new`` (0 where a group has no TIV in one edition), sorted by
    the old share. ``.attrs`` holds each edition's total. Empty when neither edition has TIV."""
    a = tiv_shares(recipient, window, old, by, data_dir).set_index("group")
    b = tiv_shares(recipient, window, new, by, data_dir).set_index("group")
    t = pd.DataFrame({old: a["share"], new: b["share"]}).fillna(0.0)
    t = t.sort_index().sort_values([old, new], ascending=False, kind="stable")
    t.index.name = by
    t.attrs.update(totals={old: a.attrs["total"], new: b.attrs["total"]})
    return t


def revised_deals(
    recipient: str,
    window: tuple[int, int],
    old: str = "2025",
    new: str = "2026",
    data_dir: Path | str = DATA_DIR,
    *,
    min_change: float = 0.05,
) -> pd.DataFrame:
    """The deals behind a revision: TIV delivered to ``recipient`` in ``window`` per deal in each
    edition, with the change, for deals whose TIV there changed by at least ``min_change``.

    SIPRI rewords designations and descriptions between editions, so a deal of one edition is
    matched to the other by supplier, order year and TIV per unit, else by supplier, order year and
    designation; an unmatched deal counts 0 in the edition that lacks it. Columns supplier,
    designation, description, order_year, tiv_<old>, tiv_<new>, change, years_<old>, years_<new>."""

    def one(ed):
        t = tiv_by_year(ed, data_dir)
        t = t[(t["recipient"] == recipient) & (t["year"] >= window[0]) & (t["year"] <= window[1])]
        reg = register(ed, data_dir)
        reg = reg[reg["recipient"] == recipient]
        return reg.assign(
            tiv=reg["sipri_key"].map(t.groupby("sipri_key")["tiv"].sum()).fillna(0.0),
            years=reg["delivery_years"].map(lambda ys: ", ".join(str(y) for y in ys if window[0] <= y <= window[1])),
        )

    a, b = one(old), one(new)
    free = set(b.index)
    pairs = []
    for keys in (["supplier", "order_year", "tiv_unit"], ["supplier", "order_year", "designation"]):
        for i, ra in a.iterrows():
            if any(i == p[0] for p in pairs):
                continue
            hit = [j for j in sorted(free) if all(b.at[j, k] == ra[k] for k in keys)]
            if hit:
                pairs.append((i, hit[0]))
                free.discard(hit[0])
    paired = {i for i, _ in pairs}
    pairs += [(i, None) for i in a.index if i not in paired] + [(None, j) for j in sorted(free)]
    rows = []
    for i, j in pairs:
        ra, rb = (a.loc[i] if i is not None else None), (b.loc[j] if j is not None else None)
        ref = rb if rb is not None else ra
        rows.append(
            {
                "supplier": ref["supplier"],
                "designation": ref["designation"],
                "description": ref["description"],
                "order_year": ref["order_year"],
                f"tiv_{old}": 0.0 if ra is None else float(ra["tiv"]),
                f"tiv_{new}": 0.0 if rb is None else float(rb["tiv"]),
                f"years_{old}": "" if ra is None else ra["years"],
                f"years_{new}": "" if rb is None else rb["years"],
            }
        )
    t = pd.DataFrame(
        rows,
        columns=[
            "supplier",
            "designation",
            "description",
            "order_year",
            f"tiv_{old}",
            f"tiv_{new}",
            f"years_{old}",
            f"years_{new}",
        ],
    )
    t["change"] = t[f"tiv_{new}"] - t[f"tiv_{old}"]
    t = t[t["change"].abs() >= min_change]
    t = t.sort_values(["supplier", "designation"]).sort_values(
        "change", key=abs, ascending=False, kind="stable", ignore_index=True
    )
    return t[
        [
            "supplier",
            "designation",
            "description",
            "order_year",
            f"tiv_{old}",
            f"tiv_{new}",
            "change",
            f"years_{old}",
            f"years_{new}",
        ]
    ]


def describe_revision(
    deals: pd.DataFrame, names: dict[str, str], old: str = "2025", new: str = "2026", n: int = 3
) -> str:
    """One sentence naming the ``n`` deals whose TIV changed most between editions
    (from :func:`revised_deals`)."""
    if deals.empty:
        return "No deal's volume in the window changed between the two editions."
    parts = []
    for _, d in deals.head(n).iterrows():
        who = (
            f"the {d['designation']} from {with_article(names.get(d['supplier'], d['supplier']))} "
            f"({d['description']}, "
            f"ordered {d['order_year']})"
        )
        a, b = d[f"tiv_{old}"], d[f"tiv_{new}"]
        if a == 0:
            parts.append(f"{who} appears in the window only in the {new} edition (TIV {b:,.1f} million)")
        elif b == 0:
            parts.append(f"{who} drops out of the window in the {new} edition (TIV {a:,.1f} million before)")
        else:
            parts.append(f"{who} goes from TIV {a:,.1f} to {b:,.1f} million")
    head = "The largest change" if len(parts) == 1 else f"The {len(parts)} largest changes"
    return f"{head}: " + "; ".join(parts) + "."
