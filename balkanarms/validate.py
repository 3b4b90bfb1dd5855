"""Validation of the whole data package in ``data/``: the entry point.

:func:`validate` runs, in order, the Table Schema checks of every CSV
(:mod:`balkanarms.schema`), the BibTeX checks (:mod:`balkanarms.bibcheck`),
the foreign keys, the book's own rules (:mod:`balkanarms.rules`) and the
evidence checks (:mod:`balkanarms.evidencecheck`).

It reports *every* problem in one run, each naming the file, the line, the
column and the offending value. It never drops, fixes or coerces a row.
The names other modules import from here are re-exported below.
"""

from __future__ import annotations

from pathlib import Path

from . import world as _world
from .bibcheck import BIB_OUTLET, BIB_REQUIRED, check_bib
from .evidencecheck import check_evidence
from .problems import DataError, Problem
from .rules import RULES, confirmed_rules
from .schema import LIST_SEP, check_foreign_keys, check_table, read_package, read_rows, resource_paths

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
    problems += _world.check_extracts(data_dir)  # SIPRI files beyond the seven: sha256 from datapackage.json, shape
    return problems


def coverage_gaps(data_dir: Path | str) -> list[Problem]:
    """Every coverage gap (rows and fields without evidence), whatever the package's setting."""
    keep = ("has no evidence row", "no evidence row names this field")
    return [p for p in validate(data_dir, include_coverage=True) if p.message.startswith(keep)]


def evidence_records(evidence: dict[str, list[dict]]) -> list[dict]:
    return [rec for records in evidence.values() for rec in records]
