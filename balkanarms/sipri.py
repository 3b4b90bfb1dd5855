"""SIPRI's trend-indicator value (TIV): the book's volume measure.

Reads the Western Balkan extracts of SIPRI's Arms Transfers Database in
``data/sipri/`` (copied unchanged; see its README for provenance and SIPRI's
terms), maps SIPRI's country names to the book's codes through one explicit
table (:data:`NAMES`), and computes TIV delivered by recipient, supplier and
year, shares by window and blocs by volume.

Two formats are read:

* the **per-deal** register (one row per deal, editions 2025 and 2026): a ``?``
  in the three unnamed columns marks the value before it as uncertain;
  ``Year(s) of delivery`` lists years separated by ``; ``; the three TIV columns
  are in millions. An empty TIV means "not available" / "no deliveries
  identified" and stays missing; ``0`` for delivered weapons means 0 to 0.5
  million when delivery years are listed, and nothing delivered when none are;
* the **per-delivery-year** register (one row per deal and delivery year,
  2025 edition, deliveries 1995--2024), which gives the exact TIV per year.

TIV per year is exact where the per-delivery-year register lists the same deal
with the same delivery years; otherwise a deal's delivered TIV is split evenly
over its listed years, and every figure reports how much of it rests on that
split. Calculations are the book's, not SIPRI's.
"""

from __future__ import annotations

import csv
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import DATA_DIR, validate as _validate
from .aggregate import BLOC_LABELS, BLOCS, RECIPIENTS
from .wording import with_article

#: Folder of the extracts, inside the data directory.
SUBDIR = "sipri"

#: Editions of the per-deal register held in ``data/sipri/``.
EDITIONS = {
    "2025": {"file": "wb_trade_register_sipri_2025-03-13.csv", "generated": "2025-03-13", "coverage": (1950, 2024)},
    "2026": {"file": "wb_trade_register_sipri_2026-05-18.csv", "generated": "2026-05-18", "coverage": (1950, 2025)},
}
#: The per-delivery-year register (2025 edition) that gives exact TIV per year.
PER_YEAR = {
    "file": "wb_trade_register_per_delivery_year_sipri_2026-02-12.csv",
    "generated": "2026-02-12",
    "edition": "2025",
    "coverage": (1995, 2024),
}
#: SIPRI's notes to the 2025 export (explain ``?``, empty fields and units).
PREAMBLE = "preamble_2025-03-13.txt"

HEADLINE_EDITION = "2026"
HEADLINE_WINDOW = (2021, 2025)

#: SIPRI's credit line, which its terms require next to any use of the data.
CREDIT = "Information from the SIPRI Arms Transfers Database, https://www.sipri.org/databases/armstransfers"

#: SIPRI's country names -> the book's codes (data/countries.csv). SUN, CSK and DDR are the
#: former ISO 3166 alpha-3 codes of the Soviet Union, Czechoslovakia and East Germany;
#: XXX stands for SIPRI's "unknown supplier(s)" and is not a country.
NAMES = {
    "Albania": "ALB",
    "Austria": "AUT",
    "Belarus": "BLR",
    "Belgium": "BEL",
    "Bosnia-Herzegovina": "BIH",
    "Bulgaria": "BGR",
    "Canada": "CAN",
    "China": "CHN",
    "Croatia": "HRV",
    "Cyprus": "CYP",
    "Czechia": "CZE",
    "Czechoslovakia": "CSK",
    "Denmark": "DNK",
    "East Germany (GDR)": "DDR",
    "Egypt": "EGY",
    "Finland": "FIN",
    "France": "FRA",
    "Germany": "DEU",
    "Greece": "GRC",
    "Hungary": "HUN",
    "Iran": "IRN",
    "Ireland": "IRL",
    "Israel": "ISR",
    "Italy": "ITA",
    "Kazakhstan": "KAZ",
    "Kosovo": "XKX",
    "Kyrgyzstan": "KGZ",
    "Montenegro": "MNE",
    "North Macedonia": "MKD",
    "Poland": "POL",
    "Qatar": "QAT",
    "Romania": "ROU",
    "Russia": "RUS",
    "Serbia": "SRB",
    "Slovenia": "SVN",
    "Soviet Union": "SUN",
    "Spain": "ESP",
    "Sweden": "SWE",
    "Switzerland": "CHE",
    "Turkiye": "TUR",
    "UAE": "ARE",
    "Ukraine": "UKR",
    "United Arab Emirates": "ARE",
    "United States": "USA",
    "unknown supplier(s)": "XXX",
}
#: The code for SIPRI's "unknown supplier(s)" (not in countries.csv), with its label and bloc.
UNKNOWN = "XXX"
UNKNOWN_LABEL = "unknown supplier(s)"

#: Header of the per-deal register; the unnamed columns hold SIPRI's ``?`` flags.
DEAL_HEADER = [
    "Recipient",
    "Supplier",
    "Year of order",
    " ",
    "Number ordered",
    " ",
    "Weapon designation",
    "Weapon description",
    "Number delivered",
    " ",
    "Year(s) of delivery",
    "status",
    "Comments",
    "SIPRI TIV per unit",
    "SIPRI TIV for total order",
    "SIPRI TIV of delivered weapons",
]
#: Names the book gives the per-deal columns, in file order.
DEAL_COLUMNS = [
    "recipient_sipri",
    "supplier_sipri",
    "order_year",
    "order_year_uncertain",
    "number_ordered",
    "number_ordered_uncertain",
    "designation",
    "description",
    "number_delivered",
    "number_delivered_uncertain",
    "delivery_years",
    "status",
    "comments",
    "tiv_unit",
    "tiv_order",
    "tiv_delivered",
]
PER_YEAR_HEADER = [
    "SIPRI AT Database ID",
    "Supplier",
    "Recipient",
    "Designation",
    "Description",
    "Armament category",
    "Order date",
    "Order date is estimate",
    "Numbers delivered",
    "Numbers delivered is estimate",
    "Delivery year",
    "Delivery year is estimate",
    "Status",
    "SIPRI estimate",
    "TIV deal unit",
    "TIV delivery values",
    "Local production",
]
STATUSES = {"New", "Second hand", "Second hand but modernized"}

_YEAR = re.compile(r"\d{4}")
_INT = re.compile(r"\d+")
_NUM = re.compile(r"\d+(\.\d+)?")
_YEARS = re.compile(r"\d{4}(; \d{4})*")
_SHA = re.compile(r"`([^`\n]+)`[^\n]*?\b([0-9a-f]{64})\b")
#: Tolerance (TIV millions) when comparing delivered totals across the two registers.
_TOL = 0.02


class SipriError(ValueError):
    """An extract does not parse; the message names file, line, column and value."""


# --------------------------------------------------------------------------- editions


def check_edition(edition: str) -> str:
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {list(EDITIONS)}, not {edition!r}")
    return edition


def edition_label(edition: str) -> str:
    """'2026' -> 'SIPRI, 2026 edition' (name it next to every TIV number)."""
    return f"SIPRI, {check_edition(edition)} edition"


def coverage(edition: str) -> tuple[int, int]:
    """First and last delivery year the edition's extract covers."""
    return EDITIONS[check_edition(edition)]["coverage"]


def credit(edition: str) -> str:
    """Source line for a chart or table of TIV."""
    return (
        f"Source: {edition_label(edition)}. {CREDIT}. Calculations (sums, shares, even split of multi-year "
        "deliveries) are the book's, not SIPRI's."
    )


def _dir(data_dir) -> Path:
    return Path(data_dir).resolve() / SUBDIR


# --------------------------------------------------------------------------- keys


def deal_key(row) -> str:
    """'<Recipient>|<Supplier>|<Year of order>|<Weapon designation>|<Weapon description>' in SIPRI's own
    strings. ``row`` is a mapping with SIPRI's header names or with :func:`register`'s columns. The
    " #2" suffix for a repeated key needs the whole file: see :func:`deal_keys`."""
    if "Recipient" in row:
        parts = [
            row["Recipient"],
            row["Supplier"],
            row["Year of order"],
            row["Weapon designation"],
            row["Weapon description"],
        ]
    else:
        parts = [
            row["recipient_sipri"],
            row["supplier_sipri"],
            row["order_year"],
            row["designation"],
            row["description"],
        ]
    return "|".join(str(p) for p in parts)


def deal_keys(rows) -> list[str]:
    """Keys of rows in file order; the n-th occurrence of a key (n >= 2) gets ' #n' appended."""
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        k = deal_key(row)
        seen[k] = seen.get(k, 0) + 1
        out.append(k if seen[k] == 1 else f"{k} #{seen[k]}")
    return out


# --------------------------------------------------------------------------- reading


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, strict=True)
        header = next(reader, [])
        return header, [(reader.line_num, cells) for cells in reader]


def _country(name: str, fname: str, line: int, col: str, problems: list) -> str | None:
    code = NAMES.get(name)
    if code is None:
        problems.append(
            _validate.Problem(
                fname, line, col, name, "country name not in balkanarms.sipri.NAMES (add it with its code)"
            )
        )
    return code


def _num(raw: str, fname, line, col, problems, pattern=_NUM, cast=float):
    if raw == "":
        return None
    if not pattern.fullmatch(raw):
        problems.append(_validate.Problem(fname, line, col, raw, "is not a number"))
        return None
    return cast(raw)


def _flag(raw: str, fname, line, col, problems) -> bool:
    if raw not in ("", "?"):
        problems.append(_validate.Problem(fname, line, col, raw, "uncertainty flag must be '?' or empty"))
    return raw == "?"


def parse_register(path: Path) -> tuple[list[dict], list]:
    """Parse one per-deal extract. Returns (records, problems); never drops a row."""
    fname = path.name
    header, rows = _read_csv(path)
    problems = []
    if header != DEAL_HEADER:
        problems.append(
            _validate.Problem(fname, 1, None, ",".join(header), f"header is not SIPRI's per-deal header {DEAL_HEADER}")
        )
        return [], problems
    names = dict(enumerate(DEAL_HEADER))
    names.update({3: "? (Year of order)", 5: "? (Number ordered)", 9: "? (Number delivered)"})
    records = []
    for line, cells in rows:
        if len(cells) != 16:
            problems.append(
                _validate.Problem(fname, line, None, ",".join(cells), f"row has {len(cells)} fields, header has 16")
            )
            continue
        p0 = len(problems)
        rec = {
            "line": line,
            "sipri": dict(zip(DEAL_HEADER[:3], cells[:3], strict=True))
            | {"Weapon designation": cells[6], "Weapon description": cells[7]},
        }
        rec["recipient_sipri"], rec["supplier_sipri"] = cells[0], cells[1]
        rec["recipient"] = _country(cells[0], fname, line, "Recipient", problems)
        rec["supplier"] = _country(cells[1], fname, line, "Supplier", problems)
        rec["order_year"] = _num(cells[2], fname, line, "Year of order", problems, _YEAR, int)
        if rec["order_year"] is None and cells[2] == "":
            problems.append(_validate.Problem(fname, line, "Year of order", "", "year of order is empty"))
        for i, col in ((3, "order_year_uncertain"), (5, "number_ordered_uncertain"), (9, "number_delivered_uncertain")):
            rec[col] = _flag(cells[i], fname, line, names[i], problems)
        rec["number_ordered"] = _num(cells[4], fname, line, names[4], problems, _INT, int)
        rec["designation"], rec["description"] = cells[6], cells[7]
        rec["number_delivered"] = _num(cells[8], fname, line, names[8], problems, _INT, int)
        years, years_ok = cells[10], True
        if years and not _YEARS.fullmatch(years):
            problems.append(_validate.Problem(fname, line, names[10], years, "is not a list of years 'YYYY; YYYY'"))
            years, years_ok = "", False
        rec["delivery_years"] = [int(y) for y in years.split("; ")] if years else []
        if rec["delivery_years"] != sorted(set(rec["delivery_years"])):
            problems.append(_validate.Problem(fname, line, names[10], years, "years are not increasing"))
        rec["status"], rec["comments"] = cells[11], cells[12]
        if cells[11] not in STATUSES:
            problems.append(_validate.Problem(fname, line, "status", cells[11], f"is not one of {sorted(STATUSES)}"))
        for i, col in ((13, "tiv_unit"), (14, "tiv_order"), (15, "tiv_delivered")):
            rec[col] = _num(cells[i], fname, line, names[i], problems)
        if rec["delivery_years"] and rec["tiv_delivered"] is None and cells[15] == "":
            problems.append(
                _validate.Problem(
                    fname, line, names[15], "", "delivery years are listed but the delivered TIV is empty"
                )
            )
        if years_ok and not rec["delivery_years"] and (rec["tiv_delivered"] or 0) > 0:
            problems.append(
                _validate.Problem(fname, line, names[15], cells[15], "TIV delivered without any delivery year")
            )
        if len(problems) == p0:
            records.append(rec)
    keys = deal_keys([r["sipri"] for r in records])
    for rec, key in zip(records, keys, strict=True):
        rec["sipri_key"] = key
        del rec["sipri"]
    return records, problems


def parse_per_year(path: Path) -> tuple[list[dict], list]:
    """Parse the per-delivery-year extract. Returns (records, problems)."""
    fname = path.name
    header, rows = _read_csv(path)
    problems = []
    if header != PER_YEAR_HEADER:
        problems.append(
            _validate.Problem(
                fname, 1, None, ",".join(header), f"header is not SIPRI's per-delivery-year header {PER_YEAR_HEADER}"
            )
        )
        return [], problems
    records = []
    for line, cells in rows:
        if len(cells) != len(PER_YEAR_HEADER):
            problems.append(
                _validate.Problem(
                    fname,
                    line,
                    None,
                    ",".join(cells),
                    f"row has {len(cells)} fields, header has {len(PER_YEAR_HEADER)}",
                )
            )
            continue
        d = dict(zip(PER_YEAR_HEADER, cells, strict=True))
        p0 = len(problems)
        rec = {
            "line": line,
            "deal_id": d["SIPRI AT Database ID"],
            "recipient": _country(d["Recipient"], fname, line, "Recipient", problems),
            "supplier": _country(d["Supplier"], fname, line, "Supplier", problems),
            "designation": d["Designation"],
            "order_year": _num(d["Order date"], fname, line, "Order date", problems, _YEAR, int),
            "year": _num(d["Delivery year"], fname, line, "Delivery year", problems, _YEAR, int),
            "tiv_unit": _num(d["TIV deal unit"], fname, line, "TIV deal unit", problems),
            "tiv_new_unit": _num(d["SIPRI estimate"], fname, line, "SIPRI estimate", problems),
            "tiv": _num(d["TIV delivery values"], fname, line, "TIV delivery values", problems),
            "status": d["Status"],
        }
        if not _INT.fullmatch(rec["deal_id"]):
            problems.append(_validate.Problem(fname, line, "SIPRI AT Database ID", rec["deal_id"], "is not a number"))
        for col in ("Delivery year", "TIV delivery values", "Order date", "TIV deal unit"):
            if d[col] == "":
                problems.append(_validate.Problem(fname, line, col, "", "is empty"))
        for col in (
            "Order date is estimate",
            "Numbers delivered is estimate",
            "Delivery year is estimate",
            "Local production",
        ):
            if d[col] not in ("Yes", "No", ""):
                problems.append(_validate.Problem(fname, line, col, d[col], "must be 'Yes', 'No' or empty"))
        if d["Status"] not in STATUSES:
            problems.append(_validate.Problem(fname, line, "Status", d["Status"], f"is not one of {sorted(STATUSES)}"))
        if len(problems) == p0:
            records.append(rec)
    return records, problems


def _raise(problems: list) -> None:
    if problems:
        raise _validate.DataError(problems)


@lru_cache(maxsize=8)
def _register(edition: str, data_dir: Path) -> pd.DataFrame:
    records, problems = parse_register(_dir(data_dir) / EDITIONS[edition]["file"])
    _raise(problems)
    df = pd.DataFrame(records)
    for col in ("order_year", "number_ordered", "number_delivered"):
        df[col] = pd.array(df[col].tolist(), dtype="Int64")
    for col in ("tiv_unit", "tiv_order", "tiv_delivered"):
        df[col] = pd.array(df[col].tolist(), dtype="Float64")
    first_year = pd.Series([y[0] if y else None for y in df["delivery_years"]], dtype="Int64")
    df["bloc"] = _bloc_at(df["supplier"], first_year.fillna(df["order_year"]), data_dir)
    first = ["sipri_key", "recipient", "supplier", "bloc"]
    return df[first + [c for c in df.columns if c not in first]]


def register(edition: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """SIPRI's per-deal register of one edition: book codes (``recipient``, ``supplier``, ``bloc``),
    ``sipri_key``, SIPRI's names, the ``?`` flags as booleans, ``delivery_years`` as a list of ints,
    TIVs in millions (missing where SIPRI leaves them empty) and the file ``line``."""
    return _register(check_edition(edition), Path(data_dir).resolve()).copy()


@lru_cache(maxsize=4)
def _per_year(data_dir: Path) -> pd.DataFrame:
    records, problems = parse_per_year(_dir(data_dir) / PER_YEAR["file"])
    _raise(problems)
    return pd.DataFrame(records)


def per_year(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The per-delivery-year register (2025 edition, deliveries 1995--2024): one row per deal and year."""
    return _per_year(Path(data_dir).resolve()).copy()


def _bloc_at(codes, years, data_dir: Path) -> list[str]:
    """Each supplier's bloc in the given year (a NATO/EU member only from its accession; see
    :func:`balkanarms.data.bloc_in_year`); SIPRI's unknown suppliers are 'other'."""
    from . import data as _data  # late: data imports validate, which may import this module

    return list(_data.bloc_in_year(list(codes), list(years), data_dir).fillna("other"))


def _labels(data_dir: Path) -> dict[str, str]:
    from . import data as _data

    return {**_data.names(data_dir), UNKNOWN: UNKNOWN_LABEL, **BLOC_LABELS}


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


# --------------------------------------------------------------------------- revisions


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


# --------------------------------------------------------------------------- published figures

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
                "period": f"{rec['period_start']}–{rec['period_end']}",
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


# --------------------------------------------------------------------------- checks


def readme_hashes(data_dir: Path | str = DATA_DIR) -> dict[str, str]:
    """File name -> sha256 as written in data/sipri/README.md (a `name` and a 64-hex digest on one line)."""
    text = (_dir(data_dir) / "README.md").read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in _SHA.finditer(text)}


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _country_codes(data_dir: Path) -> set[str]:
    with open(data_dir / "countries.csv", encoding="utf-8", newline="") as f:
        return {r["code"] for r in csv.DictReader(f)}


def check_sipri(data_dir: Path | str = DATA_DIR) -> list:
    """Problems with the SIPRI extracts: files present, sha256 as in data/sipri/README.md, SIPRI's
    headers, known country names (and their codes in countries.csv), numbers, years and flags that
    parse. Returns :class:`balkanarms.validate.Problem` items (empty when all is well)."""
    data_dir = Path(data_dir).resolve()
    folder = _dir(data_dir)
    problems = []
    readme = folder / "README.md"
    if not readme.exists():
        return [_validate.Problem(f"{SUBDIR}/README.md", None, None, None, "provenance note is missing")]
    hashes = readme_hashes(data_dir)
    files = [e["file"] for e in EDITIONS.values()] + [PER_YEAR["file"], PREAMBLE]
    codes = _country_codes(data_dir) | {UNKNOWN}
    for name in files:
        path = folder / name
        if not path.exists():
            problems.append(_validate.Problem(f"{SUBDIR}/{name}", None, None, None, "SIPRI extract is missing"))
            continue
        if name not in hashes:
            problems.append(
                _validate.Problem(f"{SUBDIR}/README.md", None, None, name, "README gives no sha256 for this file")
            )
        elif sha256(path) != hashes[name]:
            problems.append(
                _validate.Problem(
                    f"{SUBDIR}/{name}",
                    None,
                    None,
                    sha256(path),
                    f"sha256 differs from the README ({hashes[name]}): the extract "
                    "was changed; SIPRI's files are kept unchanged",
                )
            )
        if name == PREAMBLE:
            continue
        records, found = (parse_per_year if name == PER_YEAR["file"] else parse_register)(path)
        problems += found
        missing: dict[str, tuple[int, str]] = {}
        for rec in records:
            for col in ("recipient", "supplier"):
                if rec[col] not in codes:
                    missing.setdefault(rec[col], (rec["line"], col.capitalize()))
        for code, (line, col) in missing.items():
            problems.append(
                _validate.Problem(
                    name, line, col, code, "code (from balkanarms.sipri.NAMES) is not in countries.csv; first row shown"
                )
            )
    return problems
