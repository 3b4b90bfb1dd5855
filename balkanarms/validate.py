"""Validation of the whole data package in ``data/``: the entry point.

:func:`validate` runs, in order, the Table Schema checks of every CSV
(:mod:`balkanarms.schema`), the BibTeX checks (:mod:`balkanarms.bibcheck`),
the foreign keys, the book's own rules (:mod:`balkanarms.rules`), the
evidence checks (:mod:`balkanarms.evidencecheck`), the release (version and
date), and SIPRI's files: each file's sha256 against its standard ``hash`` in
``datapackage.json``, SIPRI's formats (:func:`balkanarms.sipri.check_extracts`,
:func:`balkanarms.world.check_extracts`) and the links of the ledger to SIPRI's
register (``sipri_links.csv``), checked like every other table.

It reports *every* problem in one run, each naming the file, the line, the
column and the offending value. It never drops, fixes or coerces a row.
The names other modules import from here are re-exported below.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from types import SimpleNamespace

from . import reconcile, sipri, world
from .bibcheck import BIB_OUTLET, BIB_REQUIRED, check_bib, confirmed_rules
from .evidencecheck import check_evidence
from .problems import DataError, Problem
from .release import LAST_UPDATED
from .rules import RULES
from .schema import (
    LIST_SEP,
    check_foreign_keys,
    check_hash,
    check_table,
    read_package,
    read_rows,
    resource_paths,
)

__all__ = [
    "BIB_OUTLET",
    "BIB_REQUIRED",
    "LIST_SEP",
    "DataError",
    "Problem",
    "check_bib",
    "coverage_gaps",
    "read_package",
    "read_rows",
    "validate",
]

#: The resource whose files hold the evidence, one file per ledger table.
EVIDENCE = "evidence"
#: Its property saying whether coverage gaps are errors ("required", the default) or only reported.
COVERAGE = "balkanarms:coverage"
#: SIPRI's files and the links to them, described apart from ``resources`` (see the package's note).
SIPRI_RESOURCES = "balkanarms:sipri_resources"
#: The resource of the links, in that group.
LINKS = "sipri_links"
#: The package's release: a version (year.month.n) and the date of its last change (LAST_UPDATED).
_VERSION = re.compile(r"\d{4}\.\d{1,2}\.\d+")


def _load_tables(data_dir: Path, package: dict) -> tuple[dict, dict, dict, dict, list[Problem]]:
    """Schema-check every file. Returns tables, evidence (by ledger table),
    table file names, BibTeX entries (or None) and the problems."""
    problems: list[Problem] = []
    tables: dict[str, list[dict]] = {}
    evidence: dict[str, list[dict]] = {}
    files: dict[str, str] = {}
    entries = None
    for res in package["resources"]:
        for rel in resource_paths(res):
            path = data_dir / rel
            if not path.exists():
                problems.append(Problem(rel, None, None, None, "file listed in datapackage.json is missing"))
                continue
            if res.get("format") == "bib":
                _, entries, bib_problems = check_bib(path)
                problems += bib_problems
                if not entries and bib_problems:
                    entries = None  # unreadable: keys are not checked against it
                continue
            records, table_problems = check_table(path, res["schema"], rel)
            problems += table_problems
            for rec in records:
                rec["_file"] = rel
            if res["name"] == EVIDENCE:
                evidence[Path(rel).stem] = records
            else:
                tables[res["name"]] = records
                files[res["name"]] = rel
    return tables, evidence, files, entries, problems


def validate(data_dir: Path | str, include_coverage: bool = False) -> list[Problem]:
    """Validate every resource of the data package in ``data_dir``.

    Returns the list of all problems (empty when the data is valid). Coverage of
    the ledger by the evidence is checked unless the evidence resource sets
    ``"balkanarms:coverage": "reported"`` (then :func:`coverage_gaps` lists the gaps)."""
    data_dir = Path(data_dir)
    package = read_package(data_dir)
    tables, evidence, files, entries, problems = _load_tables(data_dir, package)
    bib_keys = set(entries) if entries is not None else None
    for res in package["resources"]:
        if "schema" not in res:
            continue
        records = evidence_records(evidence) if res["name"] == EVIDENCE else tables.get(res["name"], [])
        problems += check_foreign_keys(res, records, tables, bib_keys)
    for name, records in tables.items():
        if name in RULES:
            problems += RULES[name](records, files[name])
        if entries:
            problems += confirmed_rules(records, entries, files[name])
    ev_res = next((res for res in package["resources"] if res["name"] == EVIDENCE), None)
    if ev_res is not None:
        required = ev_res.get(COVERAGE, "required") == "required" or include_coverage
        problems += check_evidence(evidence, tables, entries or {}, files, coverage=required)
    problems += check_release(package, tables.get("changes", []))
    problems += check_sipri(data_dir, package, tables, bib_keys)
    return problems


def check_release(package: dict, changes: list[dict]) -> list[Problem]:
    """The package names its version (year.month.n) and the date of its last change, which no
    logged change is after."""
    out = []
    version = package.get("version", "")
    if not _VERSION.fullmatch(version):
        out.append(Problem("datapackage.json", None, "version", version or None, "is not a version year.month.n"))
    updated = package.get(LAST_UPDATED, "")
    try:
        day = datetime.date.fromisoformat(updated)
    except ValueError:
        return out + [Problem("datapackage.json", None, LAST_UPDATED, updated or None, "is not a date YYYY-MM-DD")]
    if _VERSION.fullmatch(version) and version.split(".")[:2] != [str(day.year), str(day.month)]:
        out.append(
            Problem("datapackage.json", None, "version", version, f"does not name the year and month of {updated}")
        )
    later = [c for c in changes if c.get("date", "") > updated]
    out += [
        Problem(c["_file"], c["_line"], "date", c["date"], f"change logged after the package's {LAST_UPDATED}")
        for c in later[:1]
    ]
    return out


def check_sipri(data_dir: Path, package: dict, tables: dict, bib_keys: set[str] | None) -> list[Problem]:
    """SIPRI's files and the links to them (a package without ``sipri/``, a test fixture, has none):
    every file present and, where it has a ``hash``, unchanged; SIPRI's formats; the links."""
    if not (data_dir / sipri.SUBDIR).is_dir():
        return []
    problems: list[Problem] = []
    listed = {"datapackage.json"}
    for res in package.get(SIPRI_RESOURCES, []):
        for rel in resource_paths(res):
            listed.add(rel)
            path = data_dir / rel
            if not path.exists():
                problems.append(Problem(rel, None, None, None, "file listed in datapackage.json is missing"))
            elif rel.startswith(f"{sipri.SUBDIR}/"):  # SIPRI's files are kept unchanged
                problems += check_hash(path, res, rel)
            elif res["name"] == LINKS:
                problems += check_links(path, res, rel, data_dir, tables, bib_keys)
    problems += sipri.check_extracts(data_dir)
    # balkanarms.world also checks that its four files are there and unchanged: those problems
    # (no line) were reported above, once; its checks of their rows are added
    problems += [p for p in world.check_extracts(data_dir) if not (p.line is None and p.file in listed)]
    return problems


def check_links(
    path: Path, res: dict, rel: str, data_dir: Path, tables: dict, bib_keys: set[str] | None
) -> list[Problem]:
    """``sipri_links.csv`` against its schema, its foreign key into the deal list, the rules of a
    link (:func:`balkanarms.reconcile.row_problems`, shared with the chapter's loader) and no pair
    listed twice."""
    records, problems = check_table(path, res["schema"], rel)
    for rec in records:
        rec["_file"] = rel
    problems += check_foreign_keys(res, records, tables, bib_keys)
    keys = _sipri_keys(data_dir)
    seen: dict[tuple[str, str], int] = {}
    for rec in records:
        row = SimpleNamespace(**{c: rec.get(c, "") for c in reconcile.COLUMNS})
        key, ledger_id, line = row.sipri_key, row.ledger_id, rec["_line"]
        if row.match in reconcile.MATCHES:  # an unknown match is the schema's problem, reported above
            for col, msg in reconcile.row_problems(row, keys, None):
                problems.append(Problem(rel, line, col, getattr(row, col), msg))
        pair = (key, ledger_id)
        if pair in seen:
            problems.append(
                Problem(
                    rel,
                    line,
                    "sipri_key",
                    key,
                    f"the pair with {ledger_id!r} is listed twice (first on line {seen[pair]})",
                )
            )
        seen.setdefault(pair, line)
    return problems


def _sipri_keys(data_dir: Path) -> set[str] | None:
    """Keys of the register's deals the links cover (ordered or delivered since the first year),
    or None when the register does not parse (its problems are reported on their own)."""
    path = data_dir / sipri.SUBDIR / sipri.EDITIONS[reconcile.EDITION]["file"]
    if not path.exists():
        return None
    records, found = sipri.parse_register(path)
    if found:
        return None
    since = reconcile.FROM_YEAR
    return {
        r["sipri_key"]
        for r in records
        if (r["order_year"] or 0) >= since or any(y >= since for y in r["delivery_years"])
    }


def coverage_gaps(data_dir: Path | str) -> list[Problem]:
    """Every coverage gap (rows and fields without evidence), whatever the package's setting."""
    keep = ("has no evidence row", "no evidence row names this field")
    return [p for p in validate(data_dir, include_coverage=True) if p.message.startswith(keep)]


def evidence_records(evidence: dict[str, list[dict]]) -> list[dict]:
    return [rec for records in evidence.values() for rec in records]
