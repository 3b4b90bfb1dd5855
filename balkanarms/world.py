"""Beyond the seven: China as a supplier, the region as a supplier, the neighbours.

Reads four files of ``data/sipri/`` (SIPRI's 18 May 2026 export, 2026 edition; provenance and
sha256 in ``data/sipri/README.md`` and ``data/datapackage.json``):

* China's exports to every recipient, the seven's exports, the neighbours' imports: rows of
  SIPRI's per-deal register, same 16-column header; SIPRI's names are kept as SIPRI spells
  them, and a recipient or supplier that is not one of the book's countries is fine here;
* a derived table of TIV delivered by supplier and year over the whole register (not a SIPRI
  file), the denominator of a supplier's share of world exports.

A multi-year delivery's delivered TIV is split evenly over its listed delivery years (SIPRI's
per-year values exist only for the seven's imports). Sums, shares, ranks and splits are the
book's calculations, not SIPRI's. Time is cut in SIPRI's five-year windows
(:data:`balkanarms.aggregate.WINDOWS`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import DATA_DIR, sipri as _sipri, world_files as _files
from .aggregate import BLOCS, WINDOWS, window_label
from .problems import DataError, Problem

#: The seven's own imports, same export (read here for Albania's imports by decade).
IMPORTS = "wb_trade_register_sipri_2026-05-18.csv"
EDITION = "2026"
CHINA = "China"
UNKNOWN_RECIPIENT = "unknown recipient(s)"
#: The seven and the five neighbours, in SIPRI's spelling; the seven in the order of the book's
#: charts (balkanarms.aggregate.RECIPIENTS).
SEVEN = ["Croatia", "Bosnia-Herzegovina", "Serbia", "Montenegro", "Kosovo", "Albania", "North Macedonia"]
NEIGHBOURS = ["Bulgaria", "Romania", "Greece", "Hungary", "Slovenia"]

#: SIPRI's regions. SIPRI counts Russia, Türkiye, Armenia, Azerbaijan, Georgia, Belarus and Ukraine
#: as Europe, and the Central Asian states as Asia (to be sourced by the lead). Non-state actors
#: (SIPRI's ``*``) go with the country named in brackets; SIPRI's ``**`` marks organisations.
REGIONS_ORDER = ["Africa", "Americas", "Asia and Oceania", "Europe", "Middle East"]
_R = {
    "Africa": "African Union**; Algeria; Angola; Benin; Burkina Faso; Burundi; Cameroon; Central African Republic; "
    "Chad; Congo; Cote d'Ivoire; DR Congo; Djibouti; Equatorial Guinea; Eritrea; Ethiopia; FNLA (Angola)*; Gabon; "
    "Gambia; Ghana; Guinea; Guinea-Bissau; Kenya; Libya; Malawi; Mali; Mauritania; Morocco; Mozambique; Namibia; "
    "Niger; Nigeria; Rwanda; Senegal; Seychelles; Sierra Leone; Somalia; South Sudan; Sudan; Tanzania; Tunisia; "
    "Uganda; Zambia; Zimbabwe",
    "Americas": "Argentina; Bahamas; Bolivia; Ecuador; Guyana; Mexico; Nicaragua; Peru; Trinidad and Tobago; Venezuela",
    "Asia and Oceania": "Afghanistan; Australia; Bangladesh; Cambodia; Indonesia; Kazakhstan; Khmer Rouge (Cambodia)*; "
    "Laos; Malaysia; Mujahedin (Afghanistan)*; Myanmar; Nepal; North Korea; Pakistan; Papua New Guinea; Sri Lanka; "
    "Tajikistan; Thailand; Timor-Leste; Turkmenistan; United Wa State (Myanmar)*; Uzbekistan; Viet Minh (France)*; "
    "Viet Nam",
    "Europe": "Albania; Armenia; Azerbaijan; Belarus; Bosnia-Herzegovina; Croatia; Cyprus; Germany; Kosovo; "
    "Montenegro; North Macedonia; Romania; Russia; Serbia; Slovakia; Turkiye; Ukraine",
    "Middle East": "Bahrain; Egypt; Iran; Iraq; Jordan; Kuwait; Oman; Qatar; Saudi Arabia; Syria; Syria rebels*; "
    "United Arab Emirates; Yemen",
}
#: Recipient name (SIPRI's spelling) -> SIPRI region, for every recipient of the China and WB files.
REGIONS = {name: region for region, names in _R.items() for name in names.split("; ")}


#: Suppliers whose bloc does not depend on the year (the book's own blocs).
# fmt: off
FIXED_BLOCS = {
    "China": "china", "Russia": "russia_belarus", "Belarus": "russia_belarus", "Soviet Union": "russia_belarus",
    "Turkiye": "turkey", "Israel": "israel", "European Union**": "nato_eu",
}
# fmt: on
#: Supplier -> (year it joined NATO, year it joined the EU or its forerunner); a supplier is
#: "nato_eu" from the earlier of the two. The lead will move these years to data/countries.csv
#: with sources; Germany's dates are West Germany's (SIPRI's "Germany" before 1990 is West Germany).
# fmt: off
JOINED = {
    "United States": (1949, None), "Canada": (1949, None), "United Kingdom": (1949, 1973), "France": (1949, 1958),
    "Italy": (1949, 1958), "Belgium": (1949, 1958), "Netherlands": (1949, 1958), "Luxembourg": (1949, 1958),
    "Denmark": (1949, 1973), "Norway": (1949, None), "Iceland": (1949, None), "Portugal": (1949, 1986),
    "Greece": (1952, 1981), "Germany": (1955, 1958), "Spain": (1982, 1986), "Ireland": (None, 1973),
    "Austria": (None, 1995), "Finland": (2023, 1995), "Sweden": (2024, 1995), "Poland": (1999, 2004),
    "Czechia": (1999, 2004), "Hungary": (1999, 2004), "Bulgaria": (2004, 2007), "Romania": (2004, 2007),
    "Slovenia": (2004, 2004), "Slovakia": (2004, 2004), "Lithuania": (2004, 2004), "Latvia": (2004, 2004),
    "Estonia": (2004, 2004), "Cyprus": (None, 2004), "Malta": (None, 2004), "Croatia": (2009, 2013),
    "Albania": (2009, None), "Montenegro": (2017, None), "North Macedonia": (2020, None),
}
# fmt: on


def bloc_in_year(supplier: str, year: int) -> str:
    """The book's bloc of a supplier (SIPRI's name) in the year of delivery: "nato_eu" only from
    the year it joined NATO or the EU; a supplier in neither table is "other"."""
    if supplier in FIXED_BLOCS:
        return FIXED_BLOCS[supplier]
    joined = [y for y in JOINED.get(supplier, ()) if y is not None]
    return "nato_eu" if joined and year >= min(joined) else "other"


def check_extracts(data_dir: Path | str = DATA_DIR) -> list[Problem]:
    """Every problem with the four files (:func:`balkanarms.world_files.check_files`: described with
    their sha256, unchanged, parse), and any recipient of China's exports with no SIPRI region."""
    problems = _files.check_files(data_dir)
    if problems or not (Path(data_dir) / _files.SUBDIR).is_dir():
        return problems
    rel = f"{_files.SUBDIR}/{_files.FILES['china']}"
    records, _ = _files.parse_deals(Path(data_dir) / rel)
    return [
        Problem(rel, r["line"], "Recipient", r["recipient"], "recipient has no region in balkanarms.world.REGIONS")
        for r in records
        if r["recipient"] not in REGIONS and r["recipient"] != UNKNOWN_RECIPIENT
    ]


@lru_cache(maxsize=16)
def _deals(name: str, data_dir: Path) -> pd.DataFrame:
    records, problems = _files.parse_deals(data_dir / _files.SUBDIR / name)
    if problems:
        raise DataError(problems)
    return pd.DataFrame(records)


def deals(which: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """One per-deal file ("china", "wb", "neighbours" or "imports", the seven's own imports) as a
    DataFrame with SIPRI's names; raises :class:`DataError` naming file, line, column and value."""
    name = IMPORTS if which == "imports" else _files.FILES[which]
    return _deals(name, Path(data_dir).resolve()).copy()


def by_year(which: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """TIV delivered per deal and year (recipient, supplier, year, tiv, split, line): a deal's
    delivered TIV divided evenly over its listed delivery years (``split`` when there are several)."""
    d = deals(which, data_dir)
    d = d[d["delivery_years"].map(len) > 0].copy()
    d["n"] = d["delivery_years"].map(len)
    d = d.explode("delivery_years").rename(columns={"delivery_years": "year"})
    d["year"] = d["year"].astype(int)
    d["tiv"] = d["tiv_delivered"] / d["n"]
    d["split"] = d["n"] > 1
    return d[["recipient", "supplier", "year", "tiv", "split", "line"]].reset_index(drop=True)


@lru_cache(maxsize=4)
def _world(data_dir: Path) -> pd.DataFrame:
    records, problems = _files.parse_world(data_dir / _files.SUBDIR / _files.FILES["world"])
    if problems:
        raise DataError(problems)
    return pd.DataFrame(records)


def world(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The derived table: supplier, year, tiv (delivered), tiv_split (the part resting on the even split)."""
    return _world(Path(data_dir).resolve()).copy()


def _in(t: pd.DataFrame, window: tuple[int, int]) -> pd.DataFrame:
    return t[(t["year"] >= window[0]) & (t["year"] <= window[1])]


# --------------------------------------------------------------------------- China as a supplier


def china_recipients(window: tuple[int, int], data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """China's deliveries in ``window`` by recipient: recipient, region, tiv, share (% of China's
    total, which is in ``.attrs["total"]``), largest first; recipients with no TIV left out."""
    t = _in(by_year("china", data_dir), window).groupby("recipient")["tiv"].sum()
    total = float(t.sum())
    t = t[t > 0].sort_index().sort_values(ascending=False, kind="stable")
    out = pd.DataFrame({"recipient": t.index, "region": t.index.map(REGIONS.get), "tiv": t.to_numpy()})
    out["share"] = out["tiv"] / total * 100 if total else 0.0
    out.attrs["total"] = total
    return out


def china_regions(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """China's deliveries by SIPRI region (rows) and window (columns), TIV millions; a last row
    "Unknown recipient" if SIPRI does not know the recipient, and a "Total" row."""
    t = by_year("china", data_dir)
    t["region"] = t["recipient"].map(REGIONS).fillna("Unknown recipient")
    cols = {window_label(w): _in(t, w).groupby("region")["tiv"].sum() for w in WINDOWS}
    out = pd.DataFrame(cols).reindex(REGIONS_ORDER + ["Unknown recipient"]).fillna(0.0)
    out = out[(out.index != "Unknown recipient") | (out.sum(axis=1) > 0)]
    out.loc["Total"] = out.sum()
    return out


def china_rank(
    recipient: str, window: tuple[int, int], region: str | None = None, data_dir: Path | str = DATA_DIR
) -> tuple[int | None, int]:
    """(rank, number of recipient states) of ``recipient`` among China's recipients with TIV in
    ``window`` (in SIPRI's ``region`` if given); rank None when it received nothing. Only states are
    ranked, as SIPRI counts them: its "unknown recipient(s)" and the organisations and non-state
    actors it marks with asterisks (the African Union, for example) are left out."""
    t = china_recipients(window, data_dir)
    t = t[(t["recipient"] != UNKNOWN_RECIPIENT) & ~t["recipient"].str.contains("*", regex=False)]
    if region is not None:
        t = t[t["region"] == region]
    names = list(t["recipient"])
    return (names.index(recipient) + 1 if recipient in names else None), len(names)


def share_of_china(
    recipients: list[str] | str, window: tuple[int, int], data_dir: Path | str = DATA_DIR
) -> tuple[float, float, float]:
    """(share %, TIV of ``recipients``, China's total TIV) of China's deliveries in ``window``."""
    recipients = [recipients] if isinstance(recipients, str) else list(recipients)
    t = _in(by_year("china", data_dir), window)
    total = float(t["tiv"].sum())
    tiv = float(t.loc[t["recipient"].isin(recipients), "tiv"].sum())
    return (tiv / total * 100 if total else 0.0), tiv, total


def china_world_share(window: tuple[int, int], data_dir: Path | str = DATA_DIR) -> tuple[float, float, float]:
    """(share %, China's TIV, world TIV) of world exports in ``window``, from the derived world table."""
    t = _in(world(data_dir), window)
    world_tiv = float(t["tiv"].sum())
    china = float(t.loc[t["supplier"] == CHINA, "tiv"].sum())
    return (china / world_tiv * 100 if world_tiv else 0.0), china, world_tiv


def albania_china_by_decade(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Albania's imports by decade, 1950s to 1980s (its Chinese period in the middle): decade, TIV
    from China, TIV from all suppliers, China's share (%), and the number of Chinese deals with a
    delivery in the decade."""
    imp = by_year("imports", data_dir)
    imp = imp[(imp["recipient"] == "Albania") & (imp["year"] < 1990)]
    imp["decade"] = imp["year"] // 10 * 10
    rows = []
    for dec in range(1950, 1990, 10):
        d = imp[imp["decade"] == dec]
        chn = d[d["supplier"] == CHINA]
        all_tiv, chn_tiv = float(d["tiv"].sum()), float(chn["tiv"].sum())
        rows.append(
            {
                "decade": f"{dec}s",
                "china": chn_tiv,
                "all": all_tiv,
                "share": chn_tiv / all_tiv * 100 if all_tiv else None,
                "deals": chn["line"].nunique(),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the region as a supplier


def wb_exports(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The seven's deliveries in the book's windows: supplier, recipient, window (label), tiv;
    pairs with no TIV left out."""
    t = by_year("wb", data_dir)
    parts = [_in(t, w).assign(window=window_label(w)) for w in WINDOWS]
    t = pd.concat(parts).groupby(["supplier", "recipient", "window"], as_index=False)["tiv"].sum()
    return t[t["tiv"] > 0].sort_values(["supplier", "window", "tiv"], ascending=[True, True, False], ignore_index=True)


def wb_exports_to(recipient: str | None, since: int, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Deals of the seven with deliveries to ``recipient`` (every recipient if None) from ``since``:
    supplier, recipient, designation, description, delivered (items), years, tiv (the part
    delivered from ``since``), largest first."""
    t = by_year("wb", data_dir)
    t = t[t["year"] >= since]
    if recipient is not None:
        t = t[t["recipient"] == recipient]
    tiv = t.groupby("line")["tiv"].sum()
    d = deals("wb", data_dir).set_index("line").loc[tiv.index]
    out = d.assign(
        tiv=tiv,
        years=d["delivery_years"].map(lambda ys: ", ".join(str(y) for y in ys if y >= since)),
        delivered=d["number_delivered"].astype("Int64"),
    )
    out = out.sort_values(["supplier", "designation"]).sort_values("tiv", ascending=False, kind="stable")
    return out[["supplier", "recipient", "designation", "description", "delivered", "years", "tiv"]].reset_index(
        drop=True
    )


def exports_since(since: int, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Each of the seven's deliveries from ``since``: supplier, to Ukraine, elsewhere, total (TIV)."""
    t = by_year("wb", data_dir)
    t = t[t["year"] >= since].assign(ukraine=lambda d: d["recipient"] == "Ukraine")
    g = t.groupby(["supplier", "ukraine"])["tiv"].sum().unstack(fill_value=0.0)
    out = pd.DataFrame(index=SEVEN)
    out["to Ukraine"] = g.get(True, pd.Series(dtype=float)).reindex(SEVEN).fillna(0.0)
    out["elsewhere"] = g.get(False, pd.Series(dtype=float)).reindex(SEVEN).fillna(0.0)
    out["total"] = out.sum(axis=1)
    return out.rename_axis("supplier").reset_index()


# --------------------------------------------------------------------------- the neighbours


def neighbour_blocs(window: tuple[int, int], data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """TIV delivered to each neighbour in ``window`` by supplier bloc (in the year of delivery):
    rows the neighbours, columns :data:`BLOCS` and "total"."""
    t = _in(by_year("neighbours", data_dir), window)
    return _bloc_table(t, NEIGHBOURS)


def seven_blocs(window: tuple[int, int], data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The same for the seven, from the book's TIV by year (SIPRI's per-year values where the
    2025 per-delivery-year register gives them, else the even split), blocs in the year of delivery."""
    t = _in(_sipri.tiv_by_year(EDITION, data_dir), window)
    code_to_name = {}
    for name, code in _sipri.NAMES.items():
        code_to_name.setdefault(code, name)
    t = t.assign(recipient=t["recipient"].map(code_to_name), supplier=t["supplier"].map(code_to_name))
    return _bloc_table(t, SEVEN)


def _bloc_table(t: pd.DataFrame, recipients: list[str]) -> pd.DataFrame:
    t = t.assign(bloc=[bloc_in_year(s, y) for s, y in zip(t["supplier"], t["year"], strict=True)])
    out = t.pivot_table(index="recipient", columns="bloc", values="tiv", aggfunc="sum", fill_value=0.0)
    out = out.reindex(index=recipients, columns=BLOCS).fillna(0.0)
    out["total"] = out.sum(axis=1)
    return out.rename_axis(index="recipient", columns=None)
