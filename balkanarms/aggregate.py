"""Aggregations behind the charts and the map.

The ledger's measures are kept apart and never added to one another:

* ``deals`` -- number of rows of the ledger (one row is one deal);
* reported contract values, which stay in the currency and year the source
  gives (see :func:`reported_values`).

Volume is SIPRI's trend-indicator value, in :mod:`balkanarms.sipri`. A count of
"major systems" (units) was retired: it added snowmobiles to air-defence
batteries and counted unknown numbers as zero.
"""

from __future__ import annotations

import pandas as pd

#: Supplier blocs, in the order charts and legends use.
BLOCS = ["nato_eu", "russia_belarus", "china", "turkey", "israel", "other"]
BLOC_LABELS = {
    "nato_eu": "NATO/EU members",
    "russia_belarus": "Russia and Belarus",
    "china": "China",
    "turkey": "Türkiye",
    "israel": "Israel",
    "other": "Other",
}

#: The seven recipients, north-west to south-east, as every chart orders them.
RECIPIENTS = ["HRV", "BIH", "SRB", "MNE", "XKX", "ALB", "MKD"]

#: Capability classes in the order charts list them, with their labels.
CAPABILITY_LABELS = {
    "air_defence": "Air defence",
    "uav": "UAVs",
    "combat_aircraft": "Combat aircraft",
    "transport_aircraft": "Transport aircraft",
    "helicopters": "Helicopters",
    "trainer_aircraft": "Trainers",
    "armour": "Armour",
    "artillery": "Artillery",
    "missiles": "Missiles",
    "sensors": "Sensors",
    "naval": "Naval",
    "small_arms": "Small arms",
    "other": "Other",
}

#: The span of years the ledger's charts cover (deals outside it are counted and said).
YEARS = (2006, 2025)

#: Five-year windows used throughout the book.
WINDOWS = [(2006, 2010), (2011, 2015), (2016, 2020), (2021, 2025)]

#: The ledger's count measure (volume, "tiv", lives in :mod:`balkanarms.sipri`).
MEASURES = {"deals": "Number of deals"}
#: What year a deal counts in: "deal" is the order year, or the first delivery year
#: where no order year is published; "order" and "delivery" use one column only.
BASES = {"deal": None, "order": "order_year", "delivery": "delivery_start"}
BASIS_LABELS = {
    "deal": "Year of the deal (order, else first delivery)",
    "order": "Year of order",
    "delivery": "Year of first delivery",
}


def window_label(window: tuple[int, int]) -> str:
    """The one way the book writes a span of years, SIPRI's: (2021, 2025) -> '2021–25';
    (1950, 2024) -> '1950–2024'; (2025, 2025) -> '2025'."""
    a, b = window
    if a == b:
        return str(a)
    return f"{a}–{str(b)[-2:]}" if a // 100 == b // 100 else f"{a}–{b}"


#: The book's one default count of deals, used on every page. A deal is counted when its
#: confidence is one of these ...
COUNTED_CONFIDENCE = ("confirmed", "reported")
#: ... its status is not one of these (listed in the deal list, never counted) ...
UNCOUNTED_STATUS = ("cancelled", "unconfirmed")
#: ... and its year (order, else first delivery) falls in the book's span, :data:`YEARS`.
#: Every kind of deal counts (purchase, donation, co-production, licence), and a missile or
#: engine deal that SIPRI lists on its own is a deal of its own, as in SIPRI's register.
COUNT_RULE = (
    "confirmed and reported deals of every kind (purchases, donations, co-production and licences), "
    "not cancelled, in the year of order (else of first delivery), 2006–25; a missile or engine deal "
    "that SIPRI lists on its own counts as one deal, as in SIPRI's register"
)


def counted(df: pd.DataFrame, years: tuple[int, int] = None) -> pd.DataFrame:
    """The deals the book counts (see :data:`COUNT_RULE`): every page's number of deals is a
    number of these rows. Unconfirmed and cancelled deals stay in the deal list and its tables."""
    years = YEARS if years is None else years
    y = event_year(df, "deal")
    keep = (
        df["confidence"].isin(COUNTED_CONFIDENCE)
        & ~df["status"].isin(UNCOUNTED_STATUS)
        & y.notna()
        & (y >= years[0])
        & (y <= years[1])
    )
    return df[keep.fillna(False).astype(bool)]


def event_year(df: pd.DataFrame, basis: str) -> pd.Series:
    """The year a deal counts in (see :data:`BASES`)."""
    if basis == "deal":
        return df["order_year"].fillna(df["delivery_start"])
    return df[BASES[basis]]


def tally(df: pd.DataFrame, by: list[str], basis: str = "deal", measure: str = "deals") -> pd.Series:
    """Count the counted deals (:func:`counted`) per group.

    Rows without a year for ``basis`` are left out of a yearly tally and
    reported by :func:`undated`."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {list(MEASURES)}, not {measure!r}")
    df = counted(df)
    d = df.assign(year=event_year(df, basis))
    if "year" in by:
        d = d[d["year"].notna()]
    return d.groupby(by, observed=True).size().rename("deals")


def undated(df: pd.DataFrame, basis: str) -> pd.DataFrame:
    """Deals that have no year for ``basis`` (so no place on a time axis)."""
    return df[event_year(df, basis).isna()]


def in_window(df: pd.DataFrame, window: tuple[int, int], basis: str = "deal") -> pd.DataFrame:
    y = event_year(df, basis)
    return df[y.notna() & (y >= window[0]) & (y <= window[1])]


def assign_window(df: pd.DataFrame, basis: str = "deal", windows=WINDOWS) -> pd.DataFrame:
    """Add a ``window`` column (ordered categorical); rows outside every window are dropped
    from the result only, never from the data."""
    y = event_year(df, basis)
    labels = [window_label(w) for w in windows]
    win = pd.Series(pd.NA, index=df.index, dtype="object")
    for w, lab in zip(windows, labels):
        win[y.notna() & (y >= w[0]) & (y <= w[1])] = lab
    out = df.assign(window=pd.Categorical(win, categories=labels, ordered=True))
    return out[out["window"].notna()]


def window_table(
    df: pd.DataFrame,
    group: str = "bloc",
    basis: str = "deal",
    measure: str = "deals",
    windows=WINDOWS,
    share: bool = False,
) -> pd.DataFrame:
    """Windows × groups table of counts (or of shares in percent, rows summing to 100)."""
    d = assign_window(df, basis, windows)
    t = tally(d, ["window", group], basis, measure).unstack(group, fill_value=0)
    t = t.reindex(index=[window_label(w) for w in windows], fill_value=0)
    if group == "bloc":
        t = t.reindex(columns=[b for b in BLOCS if b in t.columns])
    t = t.fillna(0).astype("int64")
    if share:
        totals = t.sum(axis=1)
        t = (t.div(totals.where(totals > 0), axis=0) * 100).astype("float64")
    return t


def pool_suppliers(df: pd.DataFrame, min_deals: int) -> pd.DataFrame:
    """The deals with every supplier that has fewer than ``min_deals`` of them renamed 'Other'."""
    counts = df["supplier"].value_counts()
    keep = set(counts[counts >= min_deals].index)
    return df.assign(supplier=df["supplier"].where(df["supplier"].isin(keep), "Other"))


def capability_matrix(df: pd.DataFrame, suppliers: list[str] | None = None) -> pd.DataFrame:
    """Supplier x capability: number of deals. Rows by number of deals (largest first, 'Other'
    last) or in the order of ``suppliers``; columns in the order of :data:`CAPABILITY_LABELS`."""
    df = counted(df)
    if df.empty:
        return pd.DataFrame(dtype="int64")
    t = df.groupby(["supplier", "capability"], observed=True).size().unstack(fill_value=0)
    total = t.sum(axis=1)
    rows = sorted((s for s in t.index if s != "Other"), key=lambda s: (-total[s], s))
    rows += ["Other"] if "Other" in t.index else []
    t = t.reindex(index=suppliers if suppliers is not None else rows, fill_value=0)
    return t.loc[:, [c for c in CAPABILITY_LABELS if c in t.columns]].astype("int64")


def coverage(df: pd.DataFrame) -> pd.DataFrame:
    """Recipient × supplier: number of deals, with totals."""
    t = pd.crosstab(df["recipient"], df["supplier"], margins=True, margins_name="Total")
    order = [r for r in RECIPIENTS if r in t.index] + ["Total"]
    return t.reindex(order)


def reported_values(df: pd.DataFrame) -> pd.DataFrame:
    """Deals with a reported value, in the source's currency and year, never converted."""
    cols = ["id", "recipient", "supplier", "designation", "order_year", "value", "value_currency", "value_year"]
    return df.loc[df["value"].notna(), cols].sort_values(["value_currency", "value"], ascending=[True, False])


def top_group(values: pd.Series, order: list[str] | None = None) -> str:
    """The index label with the largest value; ties go to the first in ``order`` (default:
    the fixed bloc order for blocs, else alphabetical)."""
    order = order or (BLOCS if set(values.index) <= set(BLOCS) else sorted(values.index))
    v = values.reindex([g for g in order if g in values.index])
    return v.idxmax()


def largest_partner(
    df: pd.DataFrame,
    recipient: str,
    group: str = "bloc",
    basis: str = "deal",
    measure: str = "deals",
    window: tuple[int, int] | None = None,
) -> tuple[str, int, float]:
    """The group with the most deals for one recipient: (group, count, share in %).

    Ties are broken by the fixed bloc order (or alphabetically for suppliers)."""
    d = df[df["recipient"] == recipient]
    if window is not None:
        d = in_window(d, window, basis)
    t = tally(d, [group], basis, measure)
    if t.empty or t.sum() == 0:
        raise ValueError(f"no deals for {recipient} in {window}")
    top = top_group(t)
    return top, int(t[top]), float(t[top] / t.sum() * 100)


FLOW_COLUMNS = ["recipient", "supplier", "bloc", "value", "unconfirmed"]


def _flows(rows: pd.DataFrame, window: tuple[int, int] | None, recipients: list[str]) -> pd.DataFrame:
    """Sum ``value`` (and its unconfirmed part) per (recipient, supplier, bloc) for rows whose
    ``year`` is in the window; pairs summing to 0 are left out."""
    d = rows[rows["recipient"].isin(recipients) & rows["year"].notna()]
    if window is not None:
        d = d[(d["year"] >= window[0]) & (d["year"] <= window[1])]
    if d.empty:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    g = d.groupby(["recipient", "supplier", "bloc"], observed=True)
    out = pd.DataFrame({"value": g["value"].sum(), "unconfirmed": g["unconf_value"].sum()}).reset_index()
    return out[out["value"] > 0].sort_values(["recipient", "supplier"], ignore_index=True)[FLOW_COLUMNS]


def ledger_flows(
    df: pd.DataFrame, window: tuple[int, int] | None = None, *, basis: str = "deal", recipients: list[str] = RECIPIENTS
) -> pd.DataFrame:
    """Supplier -> recipient flows measured in counted deals (the unconfirmed part is 0)."""
    df = counted(df)
    unconf = df["confidence"].eq("unconfirmed").astype("int64")
    rows = df.assign(year=event_year(df, basis), value=1, unconf_value=unconf)
    out = _flows(rows, window, recipients)
    return out.astype({"value": "int64", "unconfirmed": "int64"}) if len(out) else out


def tiv_flows(
    tiv: pd.DataFrame, window: tuple[int, int] | None = None, *, recipients: list[str] = RECIPIENTS
) -> pd.DataFrame:
    """Supplier -> recipient flows measured in TIV, from a long table (recipient, supplier, bloc,
    year, tiv) such as :func:`balkanarms.sipri.tiv_by_year` returns. SIPRI has no confidence
    level: the unconfirmed part is 0."""
    return _flows(tiv.assign(value=tiv["tiv"], unconf_value=0.0), window, recipients)


def dominant_bloc(flows: pd.DataFrame) -> dict[str, str]:
    """The bloc with the largest value for each recipient (ties: fixed bloc order)."""
    return {r: top_group(g.groupby("bloc")["value"].sum()) for r, g in flows.groupby("recipient")}


#: Engagement types that are military ties (police cooperation, suspensions, visits,
#: agreements and context are left out of a count of military ties).
MILITARY_TIE_TYPES = ["exercise", "training", "co_development", "technology_transfer"]


def military_ties(
    transfers: pd.DataFrame,
    engagements: pd.DataFrame,
    recipient: str,
    lanes: dict[str, list[str]],
    types=MILITARY_TIE_TYPES,
) -> pd.DataFrame:
    """One row per deal or military tie between ``recipient`` and the suppliers of each lane:
    columns lane, year, kind ('deal' or the engagement type), title, confidence, id.
    Undated deals are left out (they have no place on a time axis)."""
    out = []
    for lane, codes in lanes.items():
        t = counted(transfers)
        t = t[(t["recipient"] == recipient) & t["supplier"].isin(codes)]
        t = t.assign(year=event_year(t, "deal"), kind="deal", title=t["designation"])
        has = engagements["parties"].map(lambda p, c=codes: recipient in p and any(x in p for x in c))
        e = engagements[has & engagements["type"].isin(types)].assign(kind=lambda d: d["type"])
        cols = ["id", "year", "kind", "title", "confidence"]
        out.append(pd.concat([t[cols], e[cols]]).assign(lane=lane))
    ties = pd.concat(out, ignore_index=True).dropna(subset=["year"])
    return ties.assign(year=ties["year"].astype(int)).sort_values(["lane", "year", "id"], ignore_index=True)
