"""Checks of the evidence table (``data/evidence/*.csv``) against the ledger.

One evidence row ties a ledger row to one of its sources: the fields that
source supports and the verbatim passage that states them. The checks:

- the row exists, the source is one of that row's ``sources``, the fields are
  columns the contract allows, a passage in another language is translated;
- every number or year in a named field appears in the passage or translation
  (:func:`numbers_in` says what "appears" means);
- coverage: every transfer, engagement, statistic and export (``exports.csv``,
  transfers from the seven that SIPRI cannot show) has an evidence row, and
  every filled number or year field of a transfer or an export is named by one.

Numbers convention (strict): a number appears when it is written in digits, with
or without thousands separators ("1,483,900,000", "1.483.900.000",
"1 483 900 000") or as a decimal ("2.7", "2,7"). A number directly followed by
one of the scale words in :data:`SCALES` (thousand, million, billion and their
abbreviations and forms in the region's languages, e.g. "miliona", "mlrd",
"EUR 112m") also stands for its full amount: "1,483.9 million" supports
1483900000, never 1483938969.77. Numbers spelled in words are not read: write
"twelve (12)" in the translation; where a passage says "last year" or "today", the
translation gives the report's date and the year it implies.
Exception, because the passage of a dated report rarely repeats its own year:
an engagement's ``date`` year, and a ``delivery_start`` whose basis is
``latest_possible``, may instead equal the year of the source's ``date``.
An export's years get no such exception: a passage that dates the transfer
relative to its report gives the report's date in the translation ("(the report
is dated 22 June 2024)"), and a transfer dated by Russia's invasion may give its
year there ("(Russia's full-scale invasion began in February 2022)").
"""

from __future__ import annotations

import re
from pathlib import Path

from .problems import Problem
from .schema import LIST_SEP

#: Fields an evidence row may name, per ledger table (the contract).
ALLOWED_FIELDS = {
    "transfers": (
        "recipient",
        "supplier",
        "designation",
        "number_ordered",
        "number_delivered",
        "order_year",
        "delivery_start",
        "delivery_end",
        "status",
        "deal_type",
        "second_hand",
        "value",
        "description",
        "notes",
    ),
    "engagements": ("date", "type", "parties", "title", "description"),
    "statistics": (
        "value",
        "period_start",
        "period_end",
        "recipient",
        "supplier",
        "measure",
        "scope",
        "origin",
        "notes",
    ),
    "exports": (
        "supplier",
        "recipient",
        "via",
        "item",
        "category",
        "first_year",
        "last_year",
        "value",
        "value_currency",
        "route",
        "status",
        "official_position",
        "notes",
    ),
}
#: Number and year fields whose value must appear in the passage or translation.
NUMBER_FIELDS = {
    "transfers": ("number_ordered", "number_delivered", "order_year", "delivery_start", "delivery_end", "value"),
    "engagements": ("date",),
    "statistics": ("value", "period_start", "period_end"),
    "exports": ("first_year", "last_year", "value"),
}
#: Fields that, when filled, some evidence row must name, per ledger table: every number and year,
#: and for a transfer who supplied what, how it changed hands and whether it was used before.
COVERED = {
    "transfers": NUMBER_FIELDS["transfers"] + ("supplier", "designation", "deal_type", "second_hand"),
    "exports": NUMBER_FIELDS["exports"],
}
#: Values that claim nothing, so no passage has to state them.
UNCLAIMED = {"deal_type": {"unknown"}}
#: Transfer fields that, when filled, some evidence row must name.
COVERED_FIELDS = COVERED["transfers"]

#: Scale words (lower case) and the factor they stand for.
SCALES = {
    1e3: ("thousand", "thousands", "hiljada", "hiljade", "tisuća", "tisuće", "tisoč", "mijë", "тысяч"),
    1e6: (
        "million",
        "millions",
        "mln",
        "mn",
        "mil",
        "mil.",
        "mio",
        "milion",
        "miliona",
        "milioni",
        "milionë",
        "milijun",
        "milijuna",
        "milijona",
        "milionów",
        "millió",
        "milyon",
        "млн",
        "миллиона",
        "милиона",
    ),
    1e9: (
        "billion",
        "billions",
        "bn",
        "milliard",
        "milliarden",
        "milijarda",
        "milijardi",
        "milijarde",
        "miliard",
        "miliardë",
        "miliarde",
        "mlrd",
        "milyar",
        "млрд",
        "миллиарда",
        "милијарди",
    ),
}
_SCALE_WORD = {w: f for f, words in SCALES.items() for w in words}
_AFTER = re.compile(r"(\s?)([^\W\d_]+\.?)")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")
_SPACED = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?!\d)")
_EN_GROUPS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_EU_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_DECIMAL = re.compile(r"\d+[.,]\d+")


def numbers_in(text: str) -> set[float]:
    """Every number written in digits in ``text`` (see the module docstring)."""
    found: set[float] = set()
    for m in _TOKEN.finditer(text):
        t = m.group()
        found.update(float(run) for run in re.findall(r"\d+", t))
        whole = {float(t)} if t.isdigit() else set()  # the token read as one number
        if _EN_GROUPS.fullmatch(t):
            whole.add(float(t.replace(",", "")))
        if _EU_GROUPS.fullmatch(t):
            whole.add(float(t.replace(".", "").replace(",", ".")))
        if _DECIMAL.fullmatch(t):
            whole.add(float(t.replace(",", ".")))
        found |= whole
        factor = _scale(text, m.end())
        if factor:
            found |= {round(v * factor, 2) for v in whole}
    for m in _SPACED.finditer(text):
        found.add(float(re.sub(r"\D", "", m.group())))
    return found


def _scale(text: str, end: int) -> float | None:
    """The factor of a scale word right after position ``end``, if any."""
    m = _AFTER.match(text, end)
    if not m:
        return None
    space, word = m.group(1), m.group(2).lower()
    if word == "m" and not space:  # "EUR 112m", but not "12 m long"
        return 1e6
    return _SCALE_WORD.get(word) or _SCALE_WORD.get(word.rstrip("."))


def _number(raw: str) -> float | None:
    """The number a field holds (the year of a date)."""
    m = re.match(r"^\d{4}(?=-)", raw)
    try:
        return float(m.group()) if m else float(raw)
    except ValueError:
        return None


def _language(entry: dict) -> str | None:
    """The language the source's note names ("In Serbian"), if not English."""
    for part in entry.get("note", "").split(";"):
        part = part.strip()
        if part.startswith("In ") and part[3:].strip() != "English":
            return part[3:].strip()
    return None


def _source_year(entry: dict) -> float | None:
    m = re.match(r"\d{4}", entry.get("date", "") or entry.get("year", ""))
    return float(m.group()) if m else None


def _check_number(ev: dict, row: dict, col: str, table: str, entry: dict) -> Problem | None:
    raw = row.get(col, "")
    value = _number(raw) if raw else None
    if value is None:
        return None
    text = ev.get("passage", "") + " " + ev.get("translation", "")
    if value in numbers_in(text):
        return None
    dated = (table == "engagements" and col == "date") or (
        col == "delivery_start" and row.get("delivery_start_basis") == "latest_possible"
    )
    if dated and value == _source_year(entry):
        return None
    return Problem(
        ev["_file"],
        ev["_line"],
        "passage",
        raw,
        f"{row['id']} field '{col}' = {raw} does not appear in the passage or translation "
        f"(digits; '1.2 million' counts as 1200000; write spelled numbers in digits in the translation)",
    )


def check_evidence_row(ev: dict, table: str, rows: dict[str, dict], entries: dict[str, dict]) -> list[Problem]:
    """Problems of one evidence row ``ev`` of the evidence file for ``table``."""
    out: list[Problem] = []
    file, line = ev["_file"], ev["_line"]
    row = rows.get(ev.get("row_id", ""))
    if row is None:
        return [Problem(file, line, "row_id", ev.get("row_id"), f"no row with this id in {table}.csv")]
    key = ev.get("source", "")
    if key not in row.get("sources", "").split(LIST_SEP):
        out.append(
            Problem(
                file,
                line,
                "source",
                key,
                f"is not among the sources of {row['id']} (add it there, or drop this evidence)",
            )
        )
    entry = entries.get(key, {})
    fields = [f for f in ev.get("fields", "").split(LIST_SEP) if f]
    for col in fields:
        if col not in ALLOWED_FIELDS[table]:
            out.append(
                Problem(
                    file,
                    line,
                    "fields",
                    col,
                    f"is not a field evidence can support in {table}.csv {list(ALLOWED_FIELDS[table])}",
                )
            )
        elif col in NUMBER_FIELDS[table]:
            p = _check_number(ev, row, col, table, entry)
            if p:
                out.append(p)
    lang = _language(entry)
    if lang and not ev.get("translation", "").strip():
        out.append(
            Problem(
                file,
                line,
                "translation",
                "",
                f"the source is in {lang} (references.bib) but the passage has no English translation",
            )
        )
    return out


def check_evidence(
    evidence: dict[str, list[dict]],
    tables: dict[str, list[dict]],
    entries: dict[str, dict],
    table_files: dict[str, str],
    coverage: bool = True,
) -> list[Problem]:
    """Check every evidence row, then (unless ``coverage`` is False) coverage of the ledger.

    ``evidence`` maps a ledger table name to its evidence rows, ``tables`` the
    ledger tables to their rows, ``table_files`` a table to its file name."""
    out: list[Problem] = []
    for table, evs in evidence.items():
        rows = {r.get("id", ""): r for r in tables.get(table, [])}
        for ev in evs:
            out += check_evidence_row(ev, table, rows, entries)
    if coverage:
        out += check_coverage(evidence, tables, table_files)
    return out


def check_coverage(
    evidence: dict[str, list[dict]], tables: dict[str, list[dict]], table_files: dict[str, str]
) -> list[Problem]:
    """Every ledger row has evidence; every filled field of :data:`COVERED` is named by one of its
    evidence rows."""
    out: list[Problem] = []
    for table in ALLOWED_FIELDS:
        named: dict[str, set[str]] = {}
        for ev in evidence.get(table, []):
            named.setdefault(ev.get("row_id", ""), set()).update(ev.get("fields", "").split(LIST_SEP))
        file = table_files.get(table, f"{table}.csv")
        for row in tables.get(table, []):
            rid = row.get("id", "")
            if rid not in named:
                out.append(
                    Problem(
                        file, row["_line"], "id", rid, f"has no evidence row in {Path('evidence') / (table + '.csv')}"
                    )
                )
                continue
            for col in COVERED.get(table, ()):
                if row.get(col) and row[col] not in UNCLAIMED.get(col, ()) and col not in named[rid]:
                    out.append(
                        Problem(
                            file,
                            row["_line"],
                            col,
                            row[col],
                            f"no evidence row names this field (evidence/{table}.csv)",
                        )
                    )
    return out
