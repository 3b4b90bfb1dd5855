"""Reading SIPRI's extracts in ``data/sipri/``: editions, deal keys, the two formats, checks.

Two formats are read:

* the **per-deal** register (one row per deal, editions 2025 and 2026): a ``?``
  in the three unnamed columns marks the value before it as uncertain;
  ``Year(s) of delivery`` lists years separated by ``; ``; the three TIV columns
  are in millions. An empty TIV means "not available" / "no deliveries
  identified" and stays missing; ``0`` for delivered weapons means 0 to 0.5
  million when delivery years are listed, and nothing delivered when none are;
* the **per-delivery-year** register (one row per deal and delivery year,
  2025 edition, deliveries 1995--2024), which gives the exact TIV per year.

SIPRI's country names are mapped to the book's codes through one explicit table
(:data:`NAMES`). Every problem names file, line, column and value
(:class:`balkanarms.problems.Problem`).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import DATA_DIR, data
from ..problems import DataError, Problem

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
            Problem(fname, line, col, name, "country name not in balkanarms.sipri.NAMES (add it with its code)")
        )
    return code


def _num(raw: str, fname, line, col, problems, pattern=_NUM, cast=float):
    if raw == "":
        return None
    if not pattern.fullmatch(raw):
        problems.append(Problem(fname, line, col, raw, "is not a number"))
        return None
    return cast(raw)


def _flag(raw: str, fname, line, col, problems) -> bool:
    if raw not in ("", "?"):
        problems.append(Problem(fname, line, col, raw, "uncertainty flag must be '?' or empty"))
    return raw == "?"


def parse_register(path: Path, name: str | None = None) -> tuple[list[dict], list]:
    """Parse one per-deal extract. Returns (records, problems), each problem naming the file
    (``name``, else the file's name), line, column and value; a row with a problem is left out."""
    fname = name or path.name
    header, rows = _read_csv(path)
    problems = []
    if header != DEAL_HEADER:
        problems.append(
            Problem(fname, 1, None, ",".join(header), f"header is not SIPRI's per-deal header {DEAL_HEADER}")
        )
        return [], problems
    names = dict(enumerate(DEAL_HEADER))
    names.update({3: "? (Year of order)", 5: "? (Number ordered)", 9: "? (Number delivered)"})
    records = []
    for line, cells in rows:
        if len(cells) != 16:
            problems.append(Problem(fname, line, None, ",".join(cells), f"row has {len(cells)} fields, header has 16"))
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
            problems.append(Problem(fname, line, "Year of order", "", "year of order is empty"))
        for i, col in ((3, "order_year_uncertain"), (5, "number_ordered_uncertain"), (9, "number_delivered_uncertain")):
            rec[col] = _flag(cells[i], fname, line, names[i], problems)
        rec["number_ordered"] = _num(cells[4], fname, line, names[4], problems, _INT, int)
        rec["designation"], rec["description"] = cells[6], cells[7]
        rec["number_delivered"] = _num(cells[8], fname, line, names[8], problems, _INT, int)
        years, years_ok = cells[10], True
        if years and not _YEARS.fullmatch(years):
            problems.append(Problem(fname, line, names[10], years, "is not a list of years 'YYYY; YYYY'"))
            years, years_ok = "", False
        rec["delivery_years"] = [int(y) for y in years.split("; ")] if years else []
        if rec["delivery_years"] != sorted(set(rec["delivery_years"])):
            problems.append(Problem(fname, line, names[10], years, "years are not increasing"))
        rec["status"], rec["comments"] = cells[11], cells[12]
        if cells[11] not in STATUSES:
            problems.append(Problem(fname, line, "status", cells[11], f"is not one of {sorted(STATUSES)}"))
        for i, col in ((13, "tiv_unit"), (14, "tiv_order"), (15, "tiv_delivered")):
            rec[col] = _num(cells[i], fname, line, names[i], problems)
        if rec["delivery_years"] and rec["tiv_delivered"] is None and cells[15] == "":
            problems.append(
                Problem(fname, line, names[15], "", "delivery years are listed but the delivered TIV is empty")
            )
        if years_ok and not rec["delivery_years"] and (rec["tiv_delivered"] or 0) > 0:
            problems.append(Problem(fname, line, names[15], cells[15], "TIV delivered without any delivery year"))
        if len(problems) == p0:
            records.append(rec)
    keys = deal_keys([r["sipri"] for r in records])
    for rec, key in zip(records, keys, strict=True):
        rec["sipri_key"] = key
        del rec["sipri"]
    return records, problems


def parse_per_year(path: Path, name: str | None = None) -> tuple[list[dict], list]:
    """Parse the per-delivery-year extract. Returns (records, problems)."""
    fname = name or path.name
    header, rows = _read_csv(path)
    problems = []
    if header != PER_YEAR_HEADER:
        problems.append(
            Problem(
                fname, 1, None, ",".join(header), f"header is not SIPRI's per-delivery-year header {PER_YEAR_HEADER}"
            )
        )
        return [], problems
    records = []
    for line, cells in rows:
        if len(cells) != len(PER_YEAR_HEADER):
            problems.append(
                Problem(
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
            problems.append(Problem(fname, line, "SIPRI AT Database ID", rec["deal_id"], "is not a number"))
        for col in ("Delivery year", "TIV delivery values", "Order date", "TIV deal unit"):
            if d[col] == "":
                problems.append(Problem(fname, line, col, "", "is empty"))
        for col in (
            "Order date is estimate",
            "Numbers delivered is estimate",
            "Delivery year is estimate",
            "Local production",
        ):
            if d[col] not in ("Yes", "No", ""):
                problems.append(Problem(fname, line, col, d[col], "must be 'Yes', 'No' or empty"))
        if d["Status"] not in STATUSES:
            problems.append(Problem(fname, line, "Status", d["Status"], f"is not one of {sorted(STATUSES)}"))
        if len(problems) == p0:
            records.append(rec)
    return records, problems


def _raise(problems: list) -> None:
    if problems:
        raise DataError(problems)


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
    return list(data.bloc_in_year(list(codes), list(years), data_dir).fillna("other"))


# --------------------------------------------------------------------------- checks


def _country_codes(data_dir: Path) -> set[str]:
    with open(data_dir / "countries.csv", encoding="utf-8", newline="") as f:
        return {r["code"] for r in csv.DictReader(f)}


def files() -> list[str]:
    """The extracts this module reads, and SIPRI's notes to the 2025 export."""
    return [e["file"] for e in EDITIONS.values()] + [PER_YEAR["file"], PREAMBLE]


def check_extracts(data_dir: Path | str = DATA_DIR) -> list[Problem]:
    """Problems with the extracts this module reads: SIPRI's headers, known country names (and
    their codes in countries.csv), numbers, years and flags that parse. That each file is present
    and unchanged (its ``hash`` in datapackage.json) is checked by :func:`balkanarms.validate.validate`
    for every file of the data package."""
    data_dir = Path(data_dir).resolve()
    codes = _country_codes(data_dir) | {UNKNOWN}
    problems = []
    for name in files():
        path, rel = _dir(data_dir) / name, f"{SUBDIR}/{name}"
        if name == PREAMBLE or not path.exists():
            continue
        records, found = (parse_per_year if name == PER_YEAR["file"] else parse_register)(path, rel)
        problems += found
        missing: dict[str, tuple[int, str]] = {}
        for rec in records:
            for col in ("recipient", "supplier"):
                if rec[col] not in codes:
                    missing.setdefault(rec[col], (rec["line"], col.capitalize()))
        for code, (line, col) in missing.items():
            problems.append(
                Problem(
                    rel, line, col, code, "code (from balkanarms.sipri.NAMES) is not in countries.csv; first row shown"
                )
            )
    return problems
