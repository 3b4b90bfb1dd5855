"""The statements the book's prose depends on, each computed from the data.

Notebooks glue what these functions return; ``tests/test_claims.py`` holds one
named test per statement, so a data change that breaks a sentence of the book
fails the test named after that sentence, in about a second and without a build.
Functions take the deal ledger (or read it) and return plain numbers, names or
booleans; none of them asserts anything itself.
"""

from __future__ import annotations

import pandas as pd

from . import aggregate as agg, data, sipri
from .tables import tiv_text

#: Capabilities that make a deal a weapon system rather than support equipment.
WEAPON_CAPABILITIES = {"air_defence", "uav", "missiles", "combat_aircraft", "armour", "artillery"}


def _ledger(transfers: pd.DataFrame | None) -> pd.DataFrame:
    return data.transfers() if transfers is None else transfers


def deal_counts(
    recipient: str, transfers: pd.DataFrame | None = None, years: tuple[int, int] = agg.YEARS, basis: str = "deal"
) -> dict[str, int]:
    """A recipient's deals: how many the deal list holds (``listed``), how many the book counts
    (``counted``, :func:`~balkanarms.aggregate.counted`), how many of those a yearly chart on
    ``basis`` can draw (``drawn``), and why the others are not counted: ``unconfirmed``,
    ``cancelled``, ``undated`` (no public year) and ``outside`` (a year outside ``years``).
    ``listed`` = ``counted`` + ``unconfirmed`` + ``cancelled`` + ``undated`` + ``outside``."""
    d = _ledger(transfers)
    d = d[d["recipient"] == recipient]
    c = agg.counted(d, years)
    unconf = (d["confidence"] == "unconfirmed") | (d["status"] == "unconfirmed")
    cancelled = (d["status"] == "cancelled") & ~unconf
    rest = d[~unconf & ~cancelled]
    y = agg.event_year(rest, "deal")
    yb = agg.event_year(c, basis)
    return {
        "listed": len(d),
        "counted": len(c),
        "drawn": int((yb.notna() & (yb >= years[0]) & (yb <= years[1])).sum()),
        "unconfirmed": int(unconf.sum()),
        "cancelled": int(cancelled.sum()),
        "undated": int(y.isna().sum()),
        "outside": int((y.notna() & ((y < years[0]) | (y > years[1]))).sum()),
    }


def first_year(
    recipient: str, suppliers: list[str], transfers: pd.DataFrame | None = None, basis: str = "deal"
) -> int | None:
    """Year of the recipient's first counted deal with any of ``suppliers`` (None if none)."""
    d = agg.counted(_ledger(transfers))
    d = d[(d["recipient"] == recipient) & d["supplier"].isin(suppliers)]
    y = agg.event_year(d, basis).dropna()
    return int(y.min()) if len(y) else None


def deal_types(recipient: str, bloc: str, transfers: pd.DataFrame | None = None) -> dict[str, int]:
    """A recipient's counted deals with one supplier bloc, by deal type (purchase, donation, ...)."""
    d = agg.counted(_ledger(transfers))
    d = d[(d["recipient"] == recipient) & (d["bloc"] == bloc)]
    return {k: int(v) for k, v in d["deal_type"].value_counts().sort_index().items()}


def pair_deals(transfers: pd.DataFrame | None = None, window: tuple[int, int] | None = None) -> pd.Series:
    """Counted deals per (recipient, supplier) pair, 2006–25 or in ``window``, largest first
    (ties by recipient, supplier)."""
    d = agg.counted(_ledger(transfers), window)
    s = d.groupby(["recipient", "supplier"], observed=True).size().rename("deals")
    return s.sort_index().sort_values(ascending=False, kind="stable")


def russia_outweighs_china_in_serbian_deals(transfers: pd.DataFrame | None = None) -> bool:
    """Claims chapter: counted in deals, Serbia's relationship with Russia is larger than its
    relationship with China."""
    p = pair_deals(transfers)
    return int(p.get(("SRB", "RUS"), 0)) > int(p.get(("SRB", "CHN"), 0))


def suppliers_and_blocs(transfers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per recipient: number of distinct supplier countries and blocs of the counted deals."""
    d = agg.counted(_ledger(transfers))
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
    """Recipients with at least one counted Chinese deal for a weapon system (not support equipment)."""
    d = agg.counted(_ledger(transfers))
    d = d[(d["supplier"] == "CHN") & d["capability"].isin(WEAPON_CAPABILITIES)]
    return [r for r in agg.RECIPIENTS if r in set(d["recipient"])]


def chinese_deals_elsewhere(transfers: pd.DataFrame | None = None) -> dict[str, int]:
    """Counted Chinese deals with the six recipients other than Serbia, by deal type."""
    d = agg.counted(_ledger(transfers))
    d = d[(d["supplier"] == "CHN") & (d["recipient"] != "SRB")]
    return {k: int(v) for k, v in d["deal_type"].value_counts().sort_index().items()}


# ---------------------------------------------------------------- volume (SIPRI TIV)


def pair_tiv(window: tuple[int, int], edition: str) -> pd.Series:
    """TIV delivered per (recipient, supplier) pair in ``window`` (millions), largest first."""

    t = sipri.tiv_by_year(edition)
    t = t[(t["year"] >= window[0]) & (t["year"] <= window[1]) & t["recipient"].isin(agg.RECIPIENTS)]
    s = t.groupby(["recipient", "supplier"])["tiv"].sum().rename("tiv")
    return s[s > 0].sort_index().sort_values(ascending=False, kind="stable")


def main_supplier_by_volume(recipient: str, window: tuple[int, int], edition: str) -> str | None:
    """The supplier country with the largest TIV delivered to ``recipient`` in ``window``."""

    top = sipri.largest_supplier(recipient, window, edition, by="supplier")
    return None if top is None else top[0]


def largest_pair_by_volume(window: tuple[int, int], edition: str) -> tuple[str, str] | None:
    """The (recipient, supplier) pair with the most TIV delivered in ``window``."""
    p = pair_tiv(window, edition)
    return None if p.empty else p.index[0]


def chinese_volume_recipients(window: tuple[int, int], edition: str) -> list[str]:
    """Recipients of any Chinese TIV delivered in ``window``."""
    p = pair_tiv(window, edition)
    return [r for r in agg.RECIPIENTS if (r, "CHN") in p.index]


def largest_table(transfers: pd.DataFrame | None, window: tuple[int, int], edition: str) -> pd.DataFrame:
    """For each recipient, the largest supplier bloc in ``window`` by TIV and by deals, each with
    its share and the denominator (TIV total, number of deals incl. unconfirmed)."""

    d = _ledger(transfers)
    names = data.names()
    rows = []
    for r in agg.RECIPIENTS:
        row = {"country": names[r]}
        top = sipri.largest_supplier(r, window, edition, by="bloc")
        if top is None:
            row.update(
                {"largest by volume": "no deliveries recorded", "share of volume (%)": None, "of TIV (millions)": 0.0}
            )
        else:
            row.update(
                {
                    "largest by volume": agg.BLOC_LABELS[top[0]],
                    "share of volume (%)": round(top[2]),
                    "of TIV (millions)": round(top[3], 1),
                }
            )
        dw = agg.in_window(agg.counted(d[d["recipient"] == r]), window)
        if dw.empty:
            row.update({"largest by deals": "no deals recorded", "share of deals (%)": None, "of deals": 0})
        else:
            bloc, n, share = agg.largest_partner(d, r, window=window)
            row.update(
                {"largest by deals": agg.BLOC_LABELS[bloc], "share of deals (%)": round(share), "of deals": len(dw)}
            )
        rows.append(row)
    out = pd.DataFrame(rows)
    for col in ["share of volume (%)", "share of deals (%)", "of deals"]:
        out[col] = out[col].astype("Int64")
    return out


# ---------------------------------------------------------------- the scorecard

#: The one scale every verdict uses.
VERDICTS = ["Supported", "Partly supported", "Not supported", "Open"]
VERDICT_MEANING = {
    "Supported": "the book's data or sources bear the claim out",
    "Partly supported": "part of the claim holds, or it holds by one measure and not another",
    "Not supported": "the data contradicts the claim",
    "Open": "no public source settles it, or arms data cannot test it",
}


def scorecard(transfers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every claim of the article: the claim (paraphrased), the verdict, the evidence in one line
    (numbers computed here) and the chapter that shows it. The claims chapter glues this table and
    its verdict counts; tests/test_claims.py holds the data statements behind each verdict."""

    d = _ledger(transfers)
    eng = data.engagements()
    n_dual_use = int(
        ((eng["type"] == "dual_use_infrastructure") & eng["parties"].map(lambda p: "SRB" in p and "CHN" in p)).sum()
    )
    n_chn = int(((d["recipient"] == "SRB") & (d["supplier"] == "CHN")).sum())
    names = data.names()
    ed, win = sipri.HEADLINE_EDITION, sipri.HEADLINE_WINDOW
    span, src = agg.window_label(win), sipri.edition_label(ed)
    srb = sipri.tiv_shares("SRB", win, ed, by="supplier").set_index("group")
    chn_share = float(srb["share"].get("CHN", 0.0))
    pairs = pair_tiv(win, ed)
    deals = pair_deals(d)
    div = suppliers_and_blocs(d)
    rows = [
        (
            "chinese_systems",
            "China supplies Serbia with the FK-3 air-defence system, CH-92A and CH-95 armed drones "
            "and FT-8C laser-guided missiles.",
            "Supported",
            f"All four are in the ledger with their sources ({n_chn} "
            "Chinese deals with Serbia in all); the number of CH-95s and the missile variant are disputed.",
            "serbia_suppliers",
        ),
        (
            "main_partner",
            "China has become Serbia's main new arms partner.",
            "Supported",
            f"China delivered {chn_share:.0f} % of the volume of Serbia's major-arms imports in {span} "
            f"(of TIV {srb.attrs.get('total', 0):,.0f} million; {src}); by deal count Russia still has more "
            f"({deals.get(('SRB', 'RUS'), 0)} against {deals.get(('SRB', 'CHN'), 0)}, confirmed and reported).",
            "serbia_suppliers",
        ),
        (
            "outpaces",
            "Chinese sales to Serbia outpace the region's other arms relationships.",
            "Supported" if largest_pair_by_volume(win, ed) == ("SRB", "CHN") else "Not supported",
            f"By volume delivered in {span}, the largest pair is {names[pairs.index[0][1]]} to "
            f"{names[pairs.index[0][0]]} ({src}); by deals it is not.",
            "region_compared",
        ),
        (
            "primary_client",
            "Serbia is China's primary military client in Europe.",
            "Partly supported",
            "Within the region, the only recipient of Chinese major arms is "
            f"{', '.join(names[r] for r in chinese_volume_recipients((2006, win[1]), ed)) or 'none'} "
            "(2006 onwards); the book does not cover the rest of Europe.",
            "region_compared",
        ),
        (
            "western_russian",
            "Serbia also buys French (Rafale, Mistral, C-295) and has long bought Russian arms.",
            "Partly supported",
            "Rafale and Mistral are French deals; the C295 aircraft came from Spain. Russian and Belarusian supplies "
            f"are {sum(deal_types('SRB', 'russia_belarus', d).values())} deals since 2006.",
            "serbia_suppliers",
        ),
        (
            "pegaz",
            "China transfers technology for the Pegaz drone, through China Aerospace Science and Technology "
            "Corporation.",
            "Partly supported",
            "Chinese help with the Pegaz drone is reported; that CASC is the partner rests on one outlet.",
            "china_footprint",
        ),
        (
            "squadron_353",
            "Pegaz will reconstitute the 353rd reconnaissance squadron for drone operations.",
            "Open",
            "No public source that states it was found.",
            "china_footprint",
        ),
        (
            "training_250",
            "China trains Serbia's 250th Air Defence Missile Brigade on Chinese systems.",
            "Supported",
            "The brigade's FK-3 battalion was trained in China before the system became operational.",
            "china_footprint",
        ),
        (
            "peace_defenders",
            "Serbia and China held the Peace Defenders exercise in Hebei in July 2025.",
            "Supported",
            "The first joint China–Serbia military exercise is in the engagements table with its sources.",
            "china_footprint",
        ),
        (
            "dual_use",
            "China builds dual-use telecommunications infrastructure in Serbia.",
            "Supported",
            f"{n_dual_use} "
            "dual-use infrastructure ties of Serbia with China are recorded (Huawei's Safe City, the state data "
            "centre).",
            "china_footprint",
        ),
        (
            "no_interference",
            "Belgrade sees China as a dependable partner that does not interfere in its politics.",
            "Open",
            "A motive: arms data cannot test it.",
            "claims",
        ),
        (
            "kosovo_1999",
            "China's stance on Kosovo and on NATO's 1999 bombing draws Serbia to it.",
            "Open",
            "China's opposition to Kosovo's independence and the 1999 embassy bombing are recorded as context; "
            "their weight as motives cannot be tested.",
            "china_footprint",
        ),
        (
            "diversify",
            "Serbia is diversifying its suppliers beyond Western and Russian sources.",
            "Partly supported",
            f"Serbia draws on {div.loc['SRB', 'suppliers']} supplier countries in {div.loc['SRB', 'blocs']} blocs "
            f"(confirmed and reported deals); Croatia draws on {div.loc['HRV', 'suppliers']} in "
            f"{div.loc['HRV', 'blocs']}. In volume, Serbia's imports turned from Russia to China.",
            "region_compared",
        ),
        (
            "dependence",
            "China gains technological dependence that could undercut NATO.",
            "Open",
            "Training, co-development and a planned drone maintenance centre are the kinds of ties that create "
            "dependence; whether it undercuts NATO is a judgement the data cannot make.",
            "china_footprint",
        ),
    ]
    out = pd.DataFrame(rows, columns=["key", "claim", "verdict", "evidence", "chapter"])
    bad = sorted(set(out["verdict"]) - set(VERDICTS))
    if bad:
        raise ValueError(f"verdicts outside the scale {VERDICTS}: {bad}")
    return out


def volume_by_window(edition: str, windows=agg.WINDOWS) -> pd.DataFrame:
    """Each recipient's largest supplier bloc by TIV in each five-year window, written as
    'China 61 % of 952' (share of the window's TIV, and that TIV in millions)."""

    last = sipri.coverage(edition)[1]
    names = data.names()
    rows = []
    for r in agg.RECIPIENTS:
        row = {"country": names[r]}
        for w in windows:
            if w[0] > last:
                continue
            w = (w[0], min(w[1], last))
            top = sipri.largest_supplier(r, w, edition, by="bloc")
            row[agg.window_label(w)] = (
                "none" if top is None else f"{agg.BLOC_LABELS[top[0]]} {top[2]:.0f} % of {tiv_text(top[3])}"
            )
        rows.append(row)
    return pd.DataFrame(rows)
