"""Reading and checking the SIPRI files behind :mod:`balkanarms.world`.

Three files hold rows of SIPRI's per-deal register (same 16-column header as the 2026 extract
of the seven's imports; any recipient or supplier name is accepted), one is a table derived from
the whole register (TIV by supplier and year). Each is described in ``data/datapackage.json``
with its sha256 (``hash``); :func:`check_files` reports every problem with file, line, column
and value, and the validator runs it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

from . import DATA_DIR, sipri as _sipri
from .problems import Problem

SUBDIR = "sipri"
FILES = {
    "china": "china_exports_sipri_2026-05-18.csv",
    "wb": "wb_exports_sipri_2026-05-18.csv",
    "neighbours": "neighbours_imports_sipri_2026-05-18.csv",
    "world": "world_exports_by_supplier_year_2026-05-18.csv",
}
YEARS = (1950, 2025)
WORLD_HEADER = ["supplier", "year", "tiv_delivered", "tiv_from_even_split"]
_YEAR = re.compile(r"\d{4}")
_INT = re.compile(r"\d+")
_NUM = re.compile(r"\d+(\.\d+)?")
_YEARS = re.compile(r"\d{4}(; \d{4})*")
_DEAL_KEYS = (
    "line recipient supplier order_year designation description number_delivered delivery_years status comments "
    "tiv_delivered"
).split()


# --------------------------------------------------------------------------- reading and checks


def _rows(path: Path, fname: str) -> tuple[list[str], list[tuple[int, list[str]]], list[Problem]]:
    """Header, (line, cells) of every row, and a problem if the file is not UTF-8 CSV."""
    header, rows, line = [], [], 1
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f, strict=True)
            header = next(reader, [])
            for cells in reader:
                line = reader.line_num
                rows.append((line, cells))
    except (csv.Error, UnicodeDecodeError) as e:
        return header, rows, [Problem(fname, line + 1 if rows else line, None, None, f"is not UTF-8 CSV: {e}")]
    return header, rows, []


def _number(raw, fname, line, col, problems, pattern=_NUM, cast=float, required=False):
    if raw == "" and not required:
        return None
    if not pattern.fullmatch(raw):
        problems.append(Problem(fname, line, col, raw, "is empty" if raw == "" else "is not a number"))
        return None
    return cast(raw)


def parse_deals(path: Path) -> tuple[list[dict], list[Problem]]:
    """One per-deal file (SIPRI's 16 columns): (records, problems), each problem with file, line,
    column and value. Any recipient or supplier name is accepted; numbers, years and flags must parse."""
    fname = f"{SUBDIR}/{Path(path).name}"
    header, rows, broken = _rows(Path(path), fname)
    head = _sipri.DEAL_HEADER
    if broken or header != head:
        return [], broken or [
            Problem(fname, 1, None, ",".join(header), f"header is not SIPRI's per-deal header {head}")
        ]
    col = dict(enumerate(head)) | {3: "? (Year of order)", 5: "? (Number ordered)", 9: "? (Number delivered)"}
    records, problems = [], []
    for line, c in rows:
        if len(c) != len(head):
            problems.append(Problem(fname, line, None, ",".join(c), f"row has {len(c)} fields, header has 16"))
            continue
        p0 = len(problems)
        for i in (0, 1):
            if not c[i].strip():
                problems.append(Problem(fname, line, col[i], c[i], "name is empty"))
        order = _number(c[2], fname, line, col[2], problems, _YEAR, int, required=True)
        for i in (3, 5, 9):
            if c[i] not in ("", "?"):
                problems.append(Problem(fname, line, col[i], c[i], "uncertainty flag must be '?' or empty"))
        _number(c[4], fname, line, col[4], problems, _INT, int)
        delivered = _number(c[8], fname, line, col[8], problems, _INT, int)
        years = []
        if c[10] and not _YEARS.fullmatch(c[10]):
            problems.append(Problem(fname, line, col[10], c[10], "is not a list of years 'YYYY; YYYY'"))
        elif c[10]:
            years = [int(y) for y in c[10].split("; ")]
            if years != sorted(set(years)) or not YEARS[0] <= years[0] <= years[-1] <= YEARS[1]:
                problems.append(Problem(fname, line, col[10], c[10], f"years must increase, within {YEARS}"))
        if c[11] not in _sipri.STATUSES:
            problems.append(Problem(fname, line, col[11], c[11], f"is not one of {sorted(_sipri.STATUSES)}"))
        tiv = [_number(c[i], fname, line, col[i], problems) for i in (13, 14, 15)]
        if years and c[15] == "":
            problems.append(
                Problem(fname, line, col[15], "", "delivery years are listed but the delivered TIV is empty")
            )
        if not c[10] and (tiv[2] or 0) > 0:
            problems.append(Problem(fname, line, col[15], c[15], "TIV delivered without any delivery year"))
        if len(problems) == p0:
            values = (line, c[0], c[1], order, c[6], c[7], delivered, years, c[11], c[12], tiv[2] or 0.0)
            records.append(dict(zip(_DEAL_KEYS, values, strict=True)))
    return records, problems


def parse_world(path: Path) -> tuple[list[dict], list[Problem]]:
    """The derived world table: (records, problems)."""
    fname = f"{SUBDIR}/{Path(path).name}"
    header, rows, broken = _rows(Path(path), fname)
    if broken or header != WORLD_HEADER:
        return [], broken or [Problem(fname, 1, None, ",".join(header), f"header must be {WORLD_HEADER}")]
    records, problems, seen = [], [], set()
    for line, c in rows:
        if len(c) != 4:
            problems.append(Problem(fname, line, None, ",".join(c), f"row has {len(c)} fields, header has 4"))
            continue
        p0 = len(problems)
        if not c[0].strip():
            problems.append(Problem(fname, line, "supplier", c[0], "name is empty"))
        year = _number(c[1], fname, line, "year", problems, _YEAR, int, required=True)
        tiv, split = (_number(c[i], fname, line, WORLD_HEADER[i], problems, required=True) for i in (2, 3))
        if year is not None and not YEARS[0] <= year <= YEARS[1]:
            problems.append(Problem(fname, line, "year", c[1], f"is outside {YEARS}"))
        if (c[0], c[1]) in seen:
            problems.append(Problem(fname, line, "year", c[1], f"second row for supplier {c[0]!r} and this year"))
        seen.add((c[0], c[1]))
        if tiv is not None and split is not None and split > tiv + 0.01:
            problems.append(Problem(fname, line, "tiv_from_even_split", c[3], "is larger than tiv_delivered"))
        if len(problems) == p0:
            records.append({"supplier": c[0], "year": year, "tiv": tiv, "tiv_split": split})
    return records, problems


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_files(data_dir: Path | str = DATA_DIR) -> list[Problem]:
    """Problems with the files of this module: each is described in datapackage.json with its
    ``hash`` ("sha256:<hex>"), present, unchanged, and parses.
    A data package without a ``sipri`` folder (a minimal test fixture) has nothing to check."""
    data_dir = Path(data_dir)
    if not (data_dir / SUBDIR).is_dir():
        return []
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    hashes = {r["path"]: r["hash"] for r in package.get("balkanarms:sipri_resources", []) if "hash" in r}
    problems = []
    for key, name in FILES.items():
        rel, path = f"{SUBDIR}/{name}", data_dir / SUBDIR / name
        want = hashes.get(rel, "")
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", want):
            problems.append(Problem("datapackage.json", None, "hash", want or None, f"no 'sha256:<hex>' for {rel}"))
        if not path.exists():
            problems.append(Problem(rel, None, None, None, "SIPRI extract listed in datapackage.json is missing"))
            continue
        got = sha256(path)
        if want and got != want.removeprefix("sha256:"):
            msg = (
                f"sha256 differs from datapackage.json ({want}): the file was changed; SIPRI's files are kept unchanged"
            )
            problems.append(Problem(rel, None, None, got, msg))
        records, found = (parse_world if key == "world" else parse_deals)(path)
        problems += found
    return problems
