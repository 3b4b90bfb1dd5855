"""Validation of every table in ``data/`` against ``datapackage.json``.

The validator reads each CSV as text, checks it against the Table Schema in
the data package (types, enums, required fields, ranges, unique keys, foreign
keys), checks the BibTeX file, then applies the domain rules of the book
(delivery after order, delivered not more than ordered, ...).

It reports *every* problem in one run, each naming the file, the line, the
column and the offending value. It never drops, fixes or coerces a row.
"""
from __future__ import annotations

import csv
import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pybtex.database import parse_string
from pybtex.scanner import PybtexError

#: Separator inside list-valued cells (``sources``, ``parties``).
LIST_SEP = ";"

#: Fields every BibTeX entry must have (``outlet`` may be any of these).
BIB_REQUIRED = ("title", "url", "urldate")
BIB_OUTLET = ("publisher", "journal", "organization", "howpublished", "institution")
BIB_DATE = ("date", "year")

#: Years the book covers (engagement dates; other tables set theirs in the schema).
YEAR_MIN, YEAR_MAX = 1990, 2026

_YEAR = re.compile(r"^\d{4}$")
_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is and what is wrong."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f" value {self.value!r}:"
        return f"{where}:{value} {self.message}"


class DataError(ValueError):
    """Raised by the loaders when the data does not validate."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the data:\n{lines}")


# --------------------------------------------------------------------------
# reading


def read_package(data_dir: Path) -> dict:
    with open(Path(data_dir) / "datapackage.json", encoding="utf-8") as f:
        return json.load(f)


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], list[Problem]]:
    """Read a CSV as text. Returns header, (line number, cells) pairs and problems.

    Line numbers are those of the file (the header is line 1), so a reader can
    open the file at the reported line.
    """
    problems: list[Problem] = []
    name = path.name
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return [], [], [Problem(name, 1, None, None, "file is empty (no header)")]
        rows = []
        try:
            for cells in reader:
                line = reader.line_num
                if cells == []:
                    problems.append(Problem(name, line, None, None, "blank line"))
                    continue
                if len(cells) != len(header):
                    problems.append(Problem(
                        name, line, None, ",".join(cells),
                        f"row has {len(cells)} fields, header has {len(header)}"))
                rows.append((line, cells))
        except csv.Error as e:
            problems.append(Problem(name, reader.line_num, None, None, f"malformed CSV: {e}"))
    return header, rows, problems


# --------------------------------------------------------------------------
# cell checks


def check_cell(raw: str, field: dict) -> str | None:
    """Return an error message if ``raw`` does not fit ``field``; else None.

    Empty cells are checked by the caller (``required``)."""
    ftype = field.get("type", "string")
    cons = field.get("constraints", {})
    is_list = field.get("balkanarms:list", False)
    values = [v for v in raw.split(LIST_SEP)] if is_list else [raw]
    for v in values:
        if v != v.strip() or v == "":
            return "has an empty item or stray spaces" if is_list else "has leading or trailing spaces"
        if ftype == "integer" or ftype == "year":
            pattern = _YEAR if ftype == "year" else _INT
            if not pattern.match(v):
                return f"is not a{' four-digit year' if ftype == 'year' else 'n integer'}"
            num = int(v)
        elif ftype == "number":
            if not _NUM.match(v):
                return "is not a number"
            num = float(v)
        elif ftype == "boolean":
            if v not in field.get("trueValues", ["true"]) + field.get("falseValues", ["false"]):
                allowed = field.get("trueValues", ["true"]) + field.get("falseValues", ["false"])
                return f"is not a boolean (use one of {allowed})"
            num = None
        else:
            num = None
        if "enum" in cons and v not in cons["enum"]:
            return f"is not one of the allowed values {cons['enum']}"
        if "pattern" in cons and not re.fullmatch(cons["pattern"], v):
            return f"does not match the pattern {cons['pattern']}"
        if num is not None:
            if "minimum" in cons and num < cons["minimum"]:
                return f"is below the minimum {cons['minimum']}"
            if "maximum" in cons and num > cons["maximum"]:
                return f"is above the maximum {cons['maximum']}"
        if "maxLength" in cons and len(v) > cons["maxLength"]:
            return f"is longer than {cons['maxLength']} characters"
    return None


def check_table(path: Path, schema: dict) -> tuple[list[dict], list[Problem]]:
    """Check one CSV against its Table Schema. Returns the rows (as dicts of
    text, with their line number under ``_line``) and the problems."""
    name = path.name
    header, rows, problems = read_rows(path)
    fields = {f["name"]: f for f in schema["fields"]}
    expected = [f["name"] for f in schema["fields"]]
    if header and header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in fields]
        for c in missing:
            problems.append(Problem(name, 1, c, None, "column is missing from the header"))
        for c in extra:
            problems.append(Problem(name, 1, c, None, "column is not described in datapackage.json"))
        if not missing and not extra:
            problems.append(Problem(name, 1, None, ",".join(header),
                                    f"columns are not in the order of datapackage.json: {expected}"))
    records = []
    for line, cells in rows:
        rec = dict(zip(header, cells))
        rec["_line"] = line
        records.append(rec)
        for col in header:
            if col not in fields or col not in rec:
                continue
            raw = rec[col]
            field = fields[col]
            if raw == "":
                if field.get("constraints", {}).get("required"):
                    problems.append(Problem(name, line, col, raw, "required value is empty"))
                continue
            msg = check_cell(raw, field)
            if msg:
                problems.append(Problem(name, line, col, raw, msg))
    # primary key
    pk = schema.get("primaryKey")
    if pk:
        seen: dict[str, int] = {}
        for rec in records:
            key = rec.get(pk, "")
            if key == "":
                continue
            if key in seen:
                problems.append(Problem(name, rec["_line"], pk, key,
                                        f"duplicate {pk} (first used on line {seen[key]})"))
            else:
                seen[key] = rec["_line"]
    return records, problems


# --------------------------------------------------------------------------
# bibliography


def check_bib(path: Path) -> tuple[set[str], dict[str, dict], list[Problem]]:
    """Check the BibTeX file: parseable, unique keys, required fields, https
    URLs, no shared URLs. Returns the keys, their fields and the problems."""
    name = path.name
    text = path.read_text(encoding="utf-8")
    problems: list[Problem] = []
    # locate each entry's line, and find duplicate keys, before parsing
    lines: dict[str, int] = {}
    for m in re.finditer(r"^@\s*(\w+)\s*\{\s*([^,\s]+)\s*,", text, flags=re.M):
        key = m.group(2)
        line = text.count("\n", 0, m.start()) + 1
        if key in lines:
            problems.append(Problem(name, line, "key", key,
                                    f"duplicate BibTeX key (first on line {lines[key]})"))
        else:
            lines[key] = line
    if problems:
        return set(lines), {}, problems
    try:
        db = parse_string(text, "bibtex")
    except PybtexError as e:
        return set(lines), {}, [Problem(name, None, None, None, f"BibTeX does not parse: {e}")]
    entries: dict[str, dict] = {}
    urls: dict[str, str] = {}
    for key, entry in db.entries.items():
        line = lines.get(key)
        f = {k.lower(): str(v) for k, v in entry.fields.items()}
        entries[key] = f
        for req in BIB_REQUIRED:
            if not f.get(req, "").strip():
                problems.append(Problem(name, line, req, key, f"entry has no '{req}'"))
        if not any(f.get(o, "").strip() for o in BIB_OUTLET):
            problems.append(Problem(name, line, "publisher", key,
                                    f"entry names no outlet (one of {list(BIB_OUTLET)})"))
        if not any(f.get(d, "").strip() for d in BIB_DATE):
            problems.append(Problem(name, line, "date", key, "entry has no date or year"))
        url = f.get("url", "").strip()
        if url and not _URL.match(url):
            problems.append(Problem(name, line, "url", url, "is not a well-formed http(s) URL"))
        if url in urls:
            problems.append(Problem(name, line, "url", url, f"URL is already cited by '{urls[url]}'"))
        elif url:
            urls[url] = key
        urldate = f.get("urldate", "").strip()
        if urldate and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", urldate):
            problems.append(Problem(name, line, "urldate", urldate, "is not a date YYYY-MM-DD"))
    return set(entries), entries, problems


# --------------------------------------------------------------------------
# domain rules


def _int(rec: dict, col: str) -> int | None:
    v = rec.get(col, "")
    return int(v) if v and _INT.match(v) else None


def transfer_rules(records: list[dict], name: str = "transfers.csv") -> list[Problem]:
    """Rules that tie the columns of a deal together."""
    out: list[Problem] = []
    deals: dict[tuple, int] = {}
    for rec in records:
        line = rec["_line"]
        order, start, end = (_int(rec, c) for c in ("order_year", "delivery_start", "delivery_end"))
        ordered, delivered = _int(rec, "number_ordered"), _int(rec, "number_delivered")
        if order is not None and start is not None and start < order:
            out.append(Problem(name, line, "delivery_start", rec["delivery_start"],
                               f"delivery starts before the order year {order}"))
        if start is not None and end is not None and end < start:
            out.append(Problem(name, line, "delivery_end", rec["delivery_end"],
                               f"delivery ends before it starts ({start})"))
        basis = rec.get("delivery_start_basis", "")
        if start is not None and not basis:
            out.append(Problem(name, line, "delivery_start_basis", "",
                               "delivery_start is given but its basis (reported or latest_possible) is empty"))
        if start is None and basis:
            out.append(Problem(name, line, "delivery_start_basis", basis,
                               "given without a delivery_start"))
        if end is not None and start is None:
            out.append(Problem(name, line, "delivery_start", "",
                               "delivery_end is given but delivery_start is empty"))
        if ordered is not None and delivered is not None and delivered > ordered:
            out.append(Problem(name, line, "number_delivered", rec["number_delivered"],
                               f"more delivered than ordered ({ordered})"))
        status = rec.get("status", "")
        if status == "delivered" and start is None:
            out.append(Problem(name, line, "delivery_start", "",
                               "status is 'delivered' but no delivery year is given"))
        if status in ("ordered", "cancelled") and delivered:
            out.append(Problem(name, line, "number_delivered", rec["number_delivered"],
                               f"status is '{status}' but items are recorded as delivered"))
        if status == "delivered" and order is None and start is None:
            out.append(Problem(name, line, "order_year", "", "a delivered deal needs a year"))
        if rec.get("supplier") and rec.get("supplier") == rec.get("recipient"):
            out.append(Problem(name, line, "supplier", rec["supplier"], "supplier is the recipient"))
        has_value = bool(rec.get("value"))
        for col in ("value_currency", "value_year"):
            if has_value and not rec.get(col):
                out.append(Problem(name, line, col, "", "a value needs its currency and year"))
            if not has_value and rec.get(col):
                out.append(Problem(name, line, col, rec[col], "given without a value"))
        # a deal with no order year is told apart by its first delivery year
        when = rec.get("order_year") or f"delivered {rec.get('delivery_start', '')}"
        key = (rec.get("recipient"), rec.get("supplier"), rec.get("designation"), when)
        if all(key[:3]):
            if key in deals:
                out.append(Problem(name, line, "designation", rec["designation"],
                                   f"duplicate deal: same recipient, supplier, designation and "
                                   f"order year (or first delivery year) as line {deals[key]}"))
            else:
                deals[key] = line
    return out


def engagement_rules(records: list[dict], name: str = "engagements.csv") -> list[Problem]:
    out: list[Problem] = []
    for rec in records:
        parties = [p for p in rec.get("parties", "").split(LIST_SEP) if p]
        if len(parties) != len(set(parties)):
            out.append(Problem(name, rec["_line"], "parties", rec["parties"], "a party is listed twice"))
        date = rec.get("date", "")
        if not _DATE.match(date):
            continue  # already reported by the schema check
        if not YEAR_MIN <= int(date[:4]) <= YEAR_MAX:
            out.append(Problem(name, rec["_line"], "date", date,
                               f"year is outside {YEAR_MIN}-{YEAR_MAX}"))
        try:
            if len(date) == 10:
                datetime.date.fromisoformat(date)
            elif len(date) == 7 and not 1 <= int(date[5:]) <= 12:
                raise ValueError
        except ValueError:
            out.append(Problem(name, rec["_line"], "date", date, "is not a real calendar date"))
    return out


def statistics_rules(records: list[dict], name: str = "statistics.csv") -> list[Problem]:
    out: list[Problem] = []
    seen: dict[tuple, int] = {}
    for rec in records:
        key = tuple(rec.get(c, "") for c in ("recipient", "supplier", "measure", "period_start",
                                              "period_end", "unit", "value"))
        if key in seen:
            out.append(Problem(name, rec["_line"], "value", rec.get("value"),
                               f"duplicate figure: same country, supplier, measure, period and value "
                               f"as line {seen[key]} (cite both sources on one row)"))
        else:
            seen[key] = rec["_line"]
        a, b = _int(rec, "period_start"), _int(rec, "period_end")
        if a is not None and b is not None and b < a:
            out.append(Problem(name, rec["_line"], "period_end", rec["period_end"],
                               f"period ends before it starts ({a})"))
        if rec.get("measure", "").startswith("share_") and rec.get("value") and _NUM.match(rec["value"]):
            if float(rec["value"]) > 100:
                out.append(Problem(name, rec["_line"], "value", rec["value"], "a percentage above 100"))
    return out


def country_rules(records: list[dict], name: str = "countries.csv") -> list[Problem]:
    out: list[Problem] = []
    for rec in records:
        claims = [c for c in ("nato_member_since", "eu_status") if rec.get(c)]
        if claims and not rec.get("sources"):
            out.append(Problem(name, rec["_line"], "sources", "",
                               f"{' and '.join(claims)} given without a source"))
        if rec.get("role") == "recipient" and not rec.get("eu_status"):
            out.append(Problem(name, rec["_line"], "eu_status", "", "a recipient needs its EU status"))
    return out


RULES = {"countries": country_rules, "transfers": transfer_rules, "engagements": engagement_rules, "statistics": statistics_rules}


# --------------------------------------------------------------------------
# entry point


def validate(data_dir: Path | str) -> list[Problem]:
    """Validate every resource of the data package in ``data_dir``.

    Returns the list of all problems (empty when the data is valid)."""
    data_dir = Path(data_dir)
    package = read_package(data_dir)
    problems: list[Problem] = []
    tables: dict[str, list[dict]] = {}
    names: dict[str, str] = {}
    bib_keys: set[str] | None = None
    for res in package["resources"]:
        path = data_dir / res["path"]
        if not path.exists():
            problems.append(Problem(res["path"], None, None, None, "file listed in datapackage.json is missing"))
            continue
        if res.get("format") == "bib":
            bib_keys, _, bib_problems = check_bib(path)
            problems += bib_problems
            continue
        records, table_problems = check_table(path, res["schema"])
        tables[res["name"]] = records
        names[res["name"]] = path.name
        problems += table_problems
        if res["name"] in RULES:
            problems += RULES[res["name"]](records, path.name)
    # foreign keys
    for res in package["resources"]:
        if res["name"] not in tables:
            continue
        fields = {f["name"]: f for f in res["schema"]["fields"]}
        for fk in res["schema"].get("foreignKeys", []):
            col = fk["fields"]
            target = fk["reference"]["resource"]
            if target == "references":
                valid = bib_keys if bib_keys is not None else set()
            elif target in tables:
                tcol = fk["reference"]["fields"]
                valid = {r.get(tcol, "") for r in tables[target]}
            else:
                continue
            is_list = fields[col].get("balkanarms:list", False)
            for rec in tables[res["name"]]:
                raw = rec.get(col, "")
                if raw == "":
                    continue
                items = raw.split(LIST_SEP) if is_list else [raw]
                for item in items:
                    if item and item not in valid:
                        what = "BibTeX key" if target == "references" else f"code in {target}"
                        problems.append(Problem(names[res["name"]], rec["_line"], col, item,
                                                f"unknown {what}"))
    return problems
