"""Published figures (``statistics.csv`` rows with a ``sipri_edition``) recomputed from the extracts."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from .. import DATA_DIR
from ..aggregate import window_label
from .read import coverage
from .tiv import tiv_by_year, tiv_shares

#: Statistics measures the extracts can recompute (the others need SIPRI's whole register).
RECOMPUTABLE = ("share_of_imports", "major_arms_imports_tiv", "import_volume_change")


def rounding(text: str) -> float:
    """Half a unit of the last digit a published figure gives: '57' -> 0.5, '7.4' -> 0.05."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10**-decimals


def window_tiv(
    recipient: str, window: tuple[int, int], edition: str, supplier: str | None = None, data_dir: Path | str = DATA_DIR
) -> float:
    """TIV (millions) delivered to ``recipient`` (from ``supplier``, or from all) in ``window``."""
    t = tiv_by_year(edition, data_dir)
    t = t[(t["recipient"] == recipient) & (t["year"] >= window[0]) & (t["year"] <= window[1])]
    if supplier is not None:
        t = t[t["supplier"] == supplier]
    return float(t["tiv"].sum())


def recompute(rec: dict, data_dir: Path | str = DATA_DIR) -> tuple[float | None, str]:
    """Recompute one statistics row (a dict of its text cells) from its edition's extract:
    (value, how) or (None, why it cannot be recomputed)."""
    ed, measure = rec["sipri_edition"], rec["measure"]
    window = (int(rec["period_start"]), int(rec["period_end"]))
    if measure not in RECOMPUTABLE or not rec["recipient"]:
        return None, "needs SIPRI's whole register (other recipients or suppliers), not only the extracts"
    if window[1] > coverage(ed)[1]:
        return None, f"the period ends after the {ed} edition's last year"
    r, s = rec["recipient"], rec["supplier"] or None
    if measure == "share_of_imports":
        t = tiv_shares(r, window, ed, "supplier", data_dir)
        share = float(t.set_index("group")["share"].get(s, 0.0))
        return share, "share of the recipient's TIV in the period (%)"
    if measure == "major_arms_imports_tiv":
        return window_tiv(r, window, ed, s, data_dir), "sum of TIV delivered in the period (millions)"
    n = window[1] - window[0] + 1
    before = window_tiv(r, (window[0] - n, window[1] - n), ed, s, data_dir)
    if not before:
        return None, "no TIV in the previous period"
    return (window_tiv(r, window, ed, s, data_dir) / before - 1) * 100, "change against the previous period (%)"


def published_figures(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Every statistics row with a ``sipri_edition``: the published value, the value recomputed from
    that edition's extract, the denominator of a share (TIV millions), the rounding of the published
    figure and whether they agree within it (missing where the extracts cannot recompute the figure;
    ``how`` says why)."""
    data_dir = Path(data_dir).resolve()
    with open(data_dir / "statistics.csv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("sipri_edition")]
    out = []
    for rec in rows:
        value, how = recompute(rec, data_dir)
        published, tol = float(rec["value"]), rounding(rec["value"])
        total = None
        if value is not None and rec["measure"] == "share_of_imports":
            window = (int(rec["period_start"]), int(rec["period_end"]))
            total = tiv_shares(rec["recipient"], window, rec["sipri_edition"], data_dir=data_dir).attrs["total"]
        out.append(
            {
                "id": rec["id"],
                "recipient": rec["recipient"],
                "supplier": rec["supplier"],
                "measure": rec["measure"],
                "period": window_label((int(rec["period_start"]), int(rec["period_end"]))),
                "edition": rec["sipri_edition"],
                "published": published,
                "recomputed": value,
                "denominator": total,
                "rounding": tol,
                "agrees": None if value is None else abs(value - published) <= tol + 1e-9,
                "how": how,
                "sources": rec["sources"],
            }
        )
    df = pd.DataFrame(out)
    df["agrees"] = df["agrees"].astype("boolean")
    return df
