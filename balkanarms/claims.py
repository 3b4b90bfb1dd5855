"""The statements the book's prose depends on, each computed from the data.

Notebooks glue what these functions return; ``tests/test_claims.py`` holds one
named test per statement, so a data change that breaks a sentence of the book
fails the test named after that sentence, in about a second and without a build.
Functions take the deal ledger (or read it) and return plain numbers, names or
booleans; none of them asserts anything itself.
"""

from __future__ import annotations

import pandas as pd

from . import aggregate as agg, beyond, data, sipri, wording, world
from .tables import tiv_text, tiv_text as tables_tiv

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

#: The one scale every verdict uses, and what each verdict means.
VERDICTS = ["Supported", "Partly supported", "Not supported", "Open"]
#: Where a claim can be measured, its verdict follows from its measures by :func:`verdict`.
SCALE = {
    "Supported": "it holds by every measure that can test it (the volume of SIPRI's register and the number of deals)",
    "Partly supported": "it holds by one measure and not by the other, or part of it holds",
    "Not supported": "it fails by every measure that can test it",
    "Open": "no public source settles it, or arms data cannot test it",
}


def verdict(by_volume: bool | None, by_deals: bool | None) -> str:
    """The verdict of a measured claim: Supported when it holds by both measures, Not supported
    when it fails by both, Partly supported when they disagree; a measure that cannot test the
    claim (None) leaves the verdict to the other; Open when neither can."""
    tests = [m for m in (by_volume, by_deals) if m is not None]
    if not tests:
        return "Open"
    if all(tests):
        return "Supported"
    return "Not supported" if not any(tests) else "Partly supported"


def china_deals_by_recipient(window: tuple[int, int], region: str | None = None) -> pd.Series:
    """Deals in SIPRI's register of China's exports with a delivery in ``window`` (or, not yet
    delivered, ordered in it), per recipient (in SIPRI's ``region`` if given), most first."""
    d = world.deals("china")
    lo, hi = window
    hit = [
        any(lo <= y <= hi for y in ys) or (not ys and pd.notna(o) and lo <= o <= hi)
        for ys, o in zip(d["delivery_years"], d["order_year"])
    ]
    d = d[pd.Series(hit, index=d.index) & (d["recipient"] != world.UNKNOWN_RECIPIENT)]
    if region is not None:
        d = d[d["recipient"].map(world.REGIONS) == region]
    s = d.groupby("recipient").size().rename("deals")
    return s.sort_index().sort_values(ascending=False, kind="stable")


def _yes(holds: bool) -> str:
    return "yes" if holds else "no"


#: What "a small share" of China's exports means in the scorecard: under a tenth.
SMALL_SHARE = 10.0


def scorecard(transfers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every claim of the article: the claim (paraphrased), the verdict, the evidence in one line
    (numbers computed here) and the chapter that shows it. The claims chapter glues this table and
    its verdict counts; tests/test_claims.py holds the data statements behind each verdict."""

    d = _ledger(transfers)
    eng = data.engagements()
    n_dual_use = int(
        ((eng["type"] == "dual_use_infrastructure") & eng["parties"].map(lambda p: "SRB" in p and "CHN" in p)).sum()
    )
    n_chn = int(pair_deals(d).get(("SRB", "CHN"), 0))
    names = data.names()
    ed, win = sipri.HEADLINE_EDITION, sipri.HEADLINE_WINDOW
    span, src = agg.window_label(win), sipri.edition_label(ed)
    srb = sipri.tiv_shares("SRB", win, ed, by="supplier").set_index("group")
    chn_share = float(srb["share"].get("CHN", 0.0))
    pairs = pair_tiv(win, ed)
    deals_w = pair_deals(d, win)
    n_srb_w = int(deals_w.loc["SRB"].sum()) if "SRB" in deals_w.index.get_level_values(0) else 0
    top_volume = main_supplier_by_volume("SRB", win, ed)
    srb_w = deals_w.loc["SRB"] if n_srb_w else pd.Series(dtype="int64")
    top_deal_names = [names[c] for c in srb_w[srb_w == srb_w.max()].index] if n_srb_w else []
    top_deals = srb_w.index[0] if n_srb_w and len(top_deal_names) == 1 else None
    if n_srb_w and len(top_deal_names) > 1:
        top_deals = "tie"
    top_deal_text = wording.listing([wording.with_article(n) for n in top_deal_names])
    europe_rank = world.china_rank("Serbia", win, region="Europe")
    world_rank = world.china_rank("Serbia", win)
    europe_deals = china_deals_by_recipient(win, region="Europe")
    srb_of_china = world.share_of_china("Serbia", win)
    wb_of_china = world.share_of_china(world.SEVEN, win)
    china_world = world.china_world_share(win)
    div = suppliers_and_blocs(d)
    rows = [
        (
            "chinese_systems",
            "China supplies Serbia with the FK-3 air-defence system (the export version of the HQ-22), CH-92A and "
            "CH-95 armed drones "
            "and FT-8C laser-guided missiles.",
            "Supported",
            f"All four are in the book's deal list with their sources ({n_chn} counted Chinese deals with Serbia, "
            "2006–25); the number of CH-95s and the missile variant are disputed.",
            "serbia_suppliers",
        ),
        (
            "main_partner",
            "China has become Serbia's main new arms partner.",
            (top_volume == "CHN", top_deals == "CHN"),
            f"By volume, {_yes(top_volume == 'CHN')}: China delivered {chn_share:.0f} % of Serbia's major-arms "
            f"imports in {span} (of TIV {srb.attrs.get('total', 0):,.0f} million; {src}). By deals, "
            f"{_yes(top_deals == 'CHN')}: of Serbia's {n_srb_w} counted deals of {span}, China has "
            f"{deals_w.get(('SRB', 'CHN'), 0)}, and {top_deal_text} "
            f"{'has' if len(top_deal_names) == 1 else 'each have'} {srb_w.max() if n_srb_w else 0}.",
            "serbia_suppliers",
        ),
        (
            "outpaces",
            "Chinese sales to Serbia outpace the region's other arms relationships.",
            (largest_pair_by_volume(win, ed) == ("SRB", "CHN"), deals_w.index[0] == ("SRB", "CHN")),
            f"By volume delivered in {span}, the largest pair is {names[pairs.index[0][1]]} to "
            f"{names[pairs.index[0][0]]} ({src}). By deals it is {names[deals_w.index[0][1]]} to "
            f"{names[deals_w.index[0][0]]} ({deals_w.iloc[0]} counted deals of {span}).",
            "region_compared",
        ),
        (
            "primary_client",
            "Serbia is China's primary military client in Europe.",
            (europe_rank[0] == 1, europe_deals.index[0] == "Serbia" if len(europe_deals) else None),
            f"{beyond.china_answer('Serbia', span, srb_of_china, world_rank, europe_rank)} It also has the most "
            f"Chinese deals in Europe in those years ({europe_deals.get('Serbia', 0)}; {src}).",
            "beyond_the_seven",
        ),
        (
            "small_share",
            "The Western Balkans are a small share of China's arms exports.",
            (wb_of_china[0] < SMALL_SHARE, None),
            f"The seven received {beyond.pct(wb_of_china[0])} of China's exports by volume in {span} "
            f"({beyond.tiv(wb_of_china[1])} of {tables_tiv(wb_of_china[2])} million; {src}), under the tenth "
            f"the book takes as small; China itself delivered {beyond.pct(china_world[0])} of the world's arms "
            "exports.",
            "beyond_the_seven",
        ),
        (
            "western_russian",
            "Serbia also buys French (Rafale, Mistral, C-295) and has long bought Russian arms.",
            "Partly supported",
            "Rafale and Mistral are French deals; the C295 aircraft came from Spain. Russian and Belarusian supplies "
            f"are {sum(deal_types('SRB', 'russia_belarus', d).values())} counted deals of 2006–25.",
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
            "The first joint China–Serbia military exercise is in the book's list of military ties with its sources; "
            "it came while a 2022 government halt on exercises with foreign partners was still cited as in force.",
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
    measured = {r[0]: r[2] for r in rows if isinstance(r[2], tuple)}
    rows = [(k, c, verdict(*v) if isinstance(v, tuple) else v, e, ch) for k, c, v, e, ch in rows]
    out = pd.DataFrame(rows, columns=["key", "claim", "verdict", "evidence", "chapter"])
    out["by volume"] = out["key"].map(lambda k: measured.get(k, (None, None))[0])
    out["by deals"] = out["key"].map(lambda k: measured.get(k, (None, None))[1])
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
