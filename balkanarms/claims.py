"""The statements the book's prose depends on, each computed from the data.

Notebooks glue what these functions return; ``tests/test_claims.py`` holds one
named test per statement, so a data change that breaks a sentence of the book
fails the test named after that sentence, in about a second and without a build.
Functions take the deal ledger (or read it) and return plain numbers, names or
booleans; none of them asserts anything itself.
"""
from __future__ import annotations

import pandas as pd

from . import aggregate as agg
from . import data

#: Capabilities that make a deal a weapon system rather than support equipment.
WEAPON_CAPABILITIES = {"air_defence", "uav", "missiles", "combat_aircraft", "armour", "artillery"}


def _ledger(transfers: pd.DataFrame | None) -> pd.DataFrame:
    return data.transfers() if transfers is None else transfers


def deal_counts(recipient: str, transfers: pd.DataFrame | None = None,
                years: tuple[int, int] = agg.YEARS, basis: str = "deal") -> dict[str, int]:
    """How many of a recipient's deals a yearly chart can show, and what it leaves out.

    ``total`` = ``in_years`` + ``undated`` + ``outside`` (before or after ``years``)."""
    d = _ledger(transfers)
    d = d[d["recipient"] == recipient]
    y = agg.event_year(d, basis)
    inside = y.notna() & (y >= years[0]) & (y <= years[1])
    return {"total": len(d), "in_years": int(inside.sum()), "undated": int(y.isna().sum()),
            "outside": int((y.notna() & ~inside).sum()),
            "unconfirmed": int((d["confidence"] == "unconfirmed").sum())}


def first_year(recipient: str, suppliers: list[str], transfers: pd.DataFrame | None = None,
               basis: str = "deal") -> int | None:
    """Year of the recipient's first dated deal with any of ``suppliers`` (None if none)."""
    d = _ledger(transfers)
    d = d[(d["recipient"] == recipient) & d["supplier"].isin(suppliers)]
    y = agg.event_year(d, basis).dropna()
    return int(y.min()) if len(y) else None


def deal_types(recipient: str, bloc: str, transfers: pd.DataFrame | None = None) -> dict[str, int]:
    """A recipient's deals with one supplier bloc, by deal type (purchase, donation, ...)."""
    d = _ledger(transfers)
    d = d[(d["recipient"] == recipient) & (d["bloc"] == bloc)]
    return {k: int(v) for k, v in d["deal_type"].value_counts().sort_index().items()}


def pair_deals(transfers: pd.DataFrame | None = None, confirmed_only: bool = False) -> pd.Series:
    """Deals per (recipient, supplier) pair, largest first (ties by recipient, supplier)."""
    d = _ledger(transfers)
    if confirmed_only:
        d = d[d["confidence"] != "unconfirmed"]
    s = d.groupby(["recipient", "supplier"], observed=True).size().rename("deals")
    return s.sort_index().sort_values(ascending=False, kind="stable")


def russia_outweighs_china_in_serbian_deals(transfers: pd.DataFrame | None = None) -> bool:
    """Claims chapter: counted in deals (unconfirmed rows left out), Serbia's relationship with
    Russia is larger than its relationship with China."""
    p = pair_deals(transfers, confirmed_only=True)
    return int(p.get(("SRB", "RUS"), 0)) > int(p.get(("SRB", "CHN"), 0))


def suppliers_and_blocs(transfers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per recipient: number of distinct supplier countries and blocs (unconfirmed rows left out)."""
    d = _ledger(transfers)
    d = d[d["confidence"] != "unconfirmed"]
    t = d.groupby("recipient").agg(suppliers=("supplier", "nunique"), blocs=("bloc", "nunique"))
    return t.reindex(agg.RECIPIENTS, fill_value=0)


def most_diversified_buyer(transfers: pd.DataFrame | None = None) -> str | None:
    """The recipient with strictly the most suppliers *and* strictly the most blocs, else None."""
    t = suppliers_and_blocs(transfers)
    top = t["suppliers"].idxmax()
    rest = t.drop(top)
    if t.loc[top, "suppliers"] > rest["suppliers"].max() and t.loc[top, "blocs"] > rest["blocs"].max():
        return top
    return None


def chinese_weapon_buyers(transfers: pd.DataFrame | None = None) -> list[str]:
    """Recipients with at least one Chinese deal for a weapon system (not support equipment)."""
    d = _ledger(transfers)
    d = d[(d["supplier"] == "CHN") & d["capability"].isin(WEAPON_CAPABILITIES)]
    return [r for r in agg.RECIPIENTS if r in set(d["recipient"])]


def chinese_deals_elsewhere(transfers: pd.DataFrame | None = None) -> dict[str, int]:
    """Chinese deals with the six recipients other than Serbia, by deal type."""
    d = _ledger(transfers)
    d = d[(d["supplier"] == "CHN") & (d["recipient"] != "SRB")]
    return {k: int(v) for k, v in d["deal_type"].value_counts().sort_index().items()}
