"""The introduction's key findings and the sentences several pages share, each computed once.

The introduction, the chapters and the claims page glue what these return; ``SAME_FACT`` names the
glued values that state the same fact on different pages, and a test over the built book fails when
they disagree.
"""

from __future__ import annotations

import pandas as pd

from . import aggregate as agg, beyond, data, sipri, wording, world
from .claims import _ledger, pair_deals, pair_tiv


def pending_orders(recipient: str, edition: str) -> pd.DataFrame:
    """Deals in SIPRI's register for ``recipient`` with TIV ordered but not yet delivered: supplier,
    designation, order year, TIV ordered, delivered and pending (millions), largest pending first."""
    r = sipri.register(edition)
    r = r[r["recipient"] == recipient]
    r = r.assign(pending=r["tiv_order"].fillna(0) - r["tiv_delivered"].fillna(0))
    cols = ["supplier", "designation", "order_year", "tiv_order", "tiv_delivered", "pending"]
    return r.loc[r["pending"] > 0, cols].sort_values("pending", ascending=False, ignore_index=True)


def bloc_share(recipient: str, bloc: str, window: tuple[int, int], edition: str) -> tuple[float, float]:
    """(share %, window's total TIV) of one supplier bloc in a recipient's imports."""
    t = sipri.tiv_shares(recipient, window, edition, by="bloc").set_index("group")
    return float(t["share"].get(bloc, 0.0)), float(t.attrs.get("total", 0.0))


def key_findings(transfers: pd.DataFrame | None = None) -> dict[str, str]:
    """The introduction's findings, each a sentence computed here once (the same window and basis
    as the chapters that show them)."""
    d = _ledger(transfers)
    names = data.names()
    ed, win = sipri.HEADLINE_EDITION, sipri.HEADLINE_WINDOW
    span, src = agg.window_label(win), sipri.edition_label(ed)
    prev = (win[0] - 5, win[1] - 5)
    out = {}
    pw = pair_deals(d, win)
    srb_w = pw.loc["SRB"] if "SRB" in pw.index.get_level_values(0) else pd.Series(dtype="int64")
    n_w = int(srb_w.sum())
    srb = sipri.tiv_shares("SRB", win, ed, by="supplier").set_index("group")
    out["deals"] = (
        f"In {span}, China delivered {srb['share'].get('CHN', 0):.0f} % of Serbia's volume and Russia "
        f"{srb['share'].get('RUS', 0):.0f} % ({src}); of Serbia's {n_w} counted deals of the same years, China "
        f"has {srb_w.get('CHN', 0)} and Russia {srb_w.get('RUS', 0)}."
    )
    rb_prev, tot_prev = bloc_share("SRB", "russia_belarus", prev, ed)
    rb_now, tot_now = bloc_share("SRB", "russia_belarus", win, ed)
    out["russia"] = (
        f"Russia and Belarus supplied {rb_prev:.0f} % of Serbia's volume in {agg.window_label(prev)} (of TIV "
        f"{tot_prev:,.0f} million) and {rb_now:.0f} % in {span} (of TIV {tot_now:,.0f} million; {src})."
    )
    pairs = pair_tiv(win, ed)
    region = float(pairs.sum())
    chn_srb = float(pairs.get(("SRB", "CHN"), 0.0))
    out["region_share"] = (
        f"China's deliveries to Serbia were {chn_srb / region * 100 if region else 0:.0f} % of everything the "
        f"seven countries imported in {span} (TIV {chn_srb:,.0f} million of {region:,.0f} million; {src})."
    )
    pend = pending_orders("SRB", ed)
    if len(pend):
        top = pend.iloc[0]
        out["pending"] = (
            f"Orders still to come will move the shares: {names.get(top['supplier'], top['supplier'])}'s "
            f"{top['designation']} order of {top['order_year']} alone is TIV {top['pending']:,.0f} million not yet "
            f"delivered, against TIV {srb['tiv'].get('CHN', 0):,.0f} million that China delivered in {span} ({src})."
        )
    else:
        out["pending"] = f"SIPRI's register holds no undelivered order for Serbia ({src})."
    return out


#: How a military tie reads in a sentence.
TIE_WORDS = {
    "technology_transfer": "technology transfer",
    "co_development": "co-development",
    "training": "training",
    "exercise": "a joint exercise",
}


def ties_beyond_sales(recipient: str = "SRB", partner: str = "CHN", transfers: pd.DataFrame | None = None) -> str:
    """The military ties (not deals) between a recipient and a partner, by kind and year."""
    t = agg.military_ties(_ledger(transfers), data.engagements(), recipient, {"p": [partner]})
    ties = t[t["kind"] != "deal"]
    n_deals = int((t["kind"] == "deal").sum())
    names = data.names()
    if ties.empty:
        return f"{names[recipient]} has no military tie with {names[partner]} beyond its {plural_deals(n_deals)}."
    kinds = [f"{TIE_WORDS.get(k, k.replace('_', ' '))} ({y})" for k, y in zip(ties["kind"], ties["year"])]
    return (
        f"Beyond its {plural_deals(n_deals)} with {names[partner]}, {names[recipient]} has "
        f"{len(ties)} military {'tie' if len(ties) == 1 else 'ties'} with it: {wording.listing(kinds)}."
    )


def plural_deals(n: int) -> str:
    return wording.plural(n, "counted deal")


#: Glued names on different pages that state the same fact (page:name), so a built book in
#: which they disagree fails its test. A name glued on several pages must take one value.
SAME_FACT = [
    {"book/intro:f_volume", "notebooks/serbia_suppliers:tiv_top_sentence", "book/claims:srb_volume_sentence"},
    {"book/intro:f_card", "book/claims:claims_answer"},
    {"book/intro:f_china_client", "notebooks/beyond_the_seven:bt_answer_china"},
]


def china_client_sentence(window: tuple[int, int] = sipri.HEADLINE_WINDOW) -> str:
    """Serbia's place among China's arms clients (the same sentence as the 'Beyond the seven' chapter's answer)."""
    return beyond.china_answer(
        "Serbia",
        agg.window_label(window),
        world.share_of_china("Serbia", window),
        world.china_rank("Serbia", window),
        world.china_rank("Serbia", window, region="Europe"),
    )
