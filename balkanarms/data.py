"""Load the book's tables as typed pandas DataFrames.

Every loader validates the whole data package first and raises
:class:`~balkanarms.validate.DataError` listing every problem, so a notebook
never computes on data that failed validation. Types come from
``datapackage.json``: integers and years become nullable ``Int64``, numbers
``Float64``, booleans nullable ``boolean``; empty cells stay missing (never 0).
"""

from __future__ import annotations

import hashlib
import os
import time
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import DATA_DIR, validate as _validate
from .bibcheck import BIB_OUTLET, check_bib
from .problems import DataError
from .schema import is_list, read_package, split_list


def validate(data_dir: Path | str) -> list:
    """Every problem of the data package in ``data_dir`` (:func:`balkanarms.validate.validate`)."""
    return _validate.validate(data_dir)


def _schema(resource: str, data_dir: Path) -> dict:
    for res in read_package(data_dir)["resources"]:
        if res["name"] == resource:
            return res
    raise KeyError(f"no resource {resource!r} in {data_dir / 'datapackage.json'}")


#: Set by the build for the kernels it starts: the :func:`content_key` of the data it has
#: just validated, so that each kernel skips validating the same files again (2 s each).
VALIDATED_ENV = "BALKANARMS_VALIDATED"


#: Each data file's digest, with the size and modification time (ns) it was read at.
_DIGESTS: dict[Path, tuple[int, int, bytes]] = {}
#: A file modified less than this long before it was hashed is hashed again on every call:
#: an edit within the file system's clock tick can leave both size and time unchanged.
_SETTLED_NS = 2_000_000_000


def _digest(path: Path) -> bytes:
    """The file's SHA-256, read again when its size or modification time changed, and
    always while its last modification is recent."""
    st = path.stat()
    known = _DIGESTS.get(path)
    if known is not None and known[:2] == (st.st_size, st.st_mtime_ns):
        return known[2]
    digest = hashlib.sha256(path.read_bytes()).digest()
    if time.time_ns() - st.st_mtime_ns > _SETTLED_NS:
        _DIGESTS[path] = (st.st_size, st.st_mtime_ns, digest)
    return digest


def data_files(data_dir: Path) -> list[Path]:
    """Every file of the data folder, sorted, without Python's bytecode caches (its helper
    scripts leave them where bytecode is written)."""
    return sorted(
        p for p in Path(data_dir).rglob("*") if p.is_file() and "__pycache__" not in p.relative_to(data_dir).parts
    )


def content_key(data_dir: Path) -> str:
    """Hash of every file in the data folder: a changed row means a new key."""
    h = hashlib.sha256()
    for path in data_files(data_dir):
        h.update(str(path.relative_to(data_dir)).encode())
        h.update(_digest(path))
    return h.hexdigest()


def validate_with_key(data_dir: Path = DATA_DIR) -> tuple[str, list]:
    """Validate ``data_dir`` once: its content key (taken before validating) and the problems.
    A build hands the key to its kernels (:data:`VALIDATED_ENV`) when there are none."""
    key = content_key(Path(data_dir).resolve())
    return key, validate(data_dir)


@lru_cache(maxsize=8)
def _validated(data_dir: Path, content_key: str) -> None:
    problems = validate(data_dir)
    if problems:
        raise DataError(problems)


def _checked(data_dir: Path) -> str:
    """Validate the package once per content: an edit made while a kernel runs is validated
    again before any row of it is returned. Content that the build validated (its key is
    in :data:`VALIDATED_ENV`) is not validated a second time. Returns the content key."""
    key = content_key(data_dir)
    if os.environ.get(VALIDATED_ENV) != key:
        _validated(data_dir, key)
    return key


def load_table(resource: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Validate the package, then read one table with the types of its schema.

    List-valued columns (``sources``, ``parties``) become Python lists. The table is read
    once per content of the data folder; each caller gets a copy of its own to change."""
    data_dir = Path(data_dir).resolve()
    table, lists = _typed(resource, data_dir, _checked(data_dir))
    df = table.copy()
    for name in lists:
        df[name] = [list(v) for v in table[name]]
    return df


@lru_cache(maxsize=32)
def _typed(resource: str, data_dir: Path, content_key: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """One table of validated content, typed, and the names of its list-valued columns."""
    res = _schema(resource, data_dir)
    fields = res["schema"]["fields"]
    paths = res["path"] if isinstance(res["path"], list) else [res["path"]]  # a table may span files
    raw = pd.concat(
        [pd.read_csv(data_dir / p, dtype=str, keep_default_na=False, na_values=[]) for p in paths], ignore_index=True
    )
    df = pd.DataFrame(index=raw.index)
    for field in fields:
        col = raw[field["name"]]
        if is_list(field):
            df[field["name"]] = [split_list(v, field) for v in col]
            continue
        vals = [None if v == "" else v for v in col.tolist()]
        kind = field.get("type", "string")
        if kind == "boolean":
            df[field["name"]] = pd.array([None if v is None else v == "true" for v in vals], dtype="boolean")
        elif kind in ("integer", "year"):
            df[field["name"]] = pd.array([None if v is None else int(v) for v in vals], dtype="Int64")
        elif kind == "number":
            df[field["name"]] = pd.array([None if v is None else float(v) for v in vals], dtype="Float64")
        else:
            df[field["name"]] = pd.array(vals, dtype="string")
    return df, tuple(f["name"] for f in fields if is_list(f))


def bloc_in_year(codes, years, data_dir: Path | str = DATA_DIR) -> pd.Series:
    """Each supplier's bloc in the year given beside it: a member of NATO or the EU counts as
    'nato_eu' from the year it joined either (``nato_member_since``, ``eu_member_since`` in
    countries.csv) and as 'other' before it, so Montenegro's deliveries of 2010 are not NATO/EU
    deliveries. Other blocs do not change with time; a missing year gives today's bloc."""
    c = countries(data_dir).set_index("code")
    codes = pd.Series(codes).reset_index(drop=True)
    years = pd.Series(years, dtype="Int64").reset_index(drop=True)
    today = codes.map(c["bloc"])
    joined = c[["nato_member_since", "eu_member_since"]].min(axis=1, skipna=True)
    since = codes.map(joined)
    before = (today == "nato_eu") & since.notna() & years.notna() & (years < since)
    return today.mask(before.fillna(False).astype(bool), "other").astype("string")


def transfers(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The deal ledger, with each country's name and the supplier's bloc joined in. The bloc is
    the supplier's in the year of first delivery, else of order (:func:`bloc_in_year`)."""
    df = load_table("transfers", data_dir)
    c = countries(data_dir).set_index("code")
    df["recipient_name"] = df["recipient"].map(c["name"]).astype("string")
    df["supplier_name"] = df["supplier"].map(c["name"]).astype("string")
    year = df["delivery_start"].fillna(df["order_year"])
    df["bloc"] = bloc_in_year(df["supplier"], year, data_dir).set_axis(df.index)
    return df


def exports(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Transfers from the seven that SIPRI's register cannot show (ammunition, transfers through
    third countries, reported and denied transfers), with the countries' names joined in."""
    df = load_table("exports", data_dir)
    names_ = names(data_dir)
    df["supplier_name"] = df["supplier"].map(names_).astype("string")
    df["recipient_name"] = df["recipient"].map(names_).astype("string")
    return df


def engagements(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Non-delivery ties, with the year as an integer column."""
    df = load_table("engagements", data_dir)
    df["year"] = pd.array([int(d[:4]) for d in df["date"]], dtype="Int64")
    return df


def countries(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    return load_table("countries", data_dir)


def names(data_dir: Path | str = DATA_DIR) -> dict[str, str]:
    """Country code -> name as readers expect it (e.g. 'XKX' -> 'Kosovo')."""
    c = countries(data_dir)
    return dict(zip(c["code"], c["name"]))


def statistics(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    return load_table("statistics", data_dir)


def references(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The BibTeX entries as a table (key, title, outlet, date, url, urldate)."""
    data_dir = Path(data_dir).resolve()
    _checked(data_dir)
    entries = check_bib(data_dir / "references.bib")[1]  # parsed once per text (bibcheck caches it)
    rows = []
    for key, f in entries.items():
        outlet = next((f[o] for o in BIB_OUTLET if f.get(o)), "")
        rows.append(
            {
                "key": key,
                "title": f.get("title", "").replace("{", "").replace("}", ""),
                "outlet": outlet,
                "date": f.get("date", f.get("year", "")),
                "url": f.get("url", ""),
                "urldate": f.get("urldate", ""),
            }
        )
    return pd.DataFrame(rows).sort_values("key", ignore_index=True)


def schema_table(resource: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The data dictionary of one table, read from ``datapackage.json``."""
    res = _schema(resource, Path(data_dir).resolve())
    rows = []
    for f in res["schema"]["fields"]:
        cons = f.get("constraints", {})
        rule = []
        if cons.get("required"):
            rule.append("required")
        if "enum" in cons:
            rule.append("one of: " + ", ".join(cons["enum"]))
        if "minimum" in cons or "maximum" in cons:
            rule.append(f"range {cons.get('minimum', '')}–{cons.get('maximum', '')}")
        if is_list(f):
            rule.append(f"list separated by '{f.get('delimiter', ',')}'")
        rows.append(
            {
                "column": f["name"],
                "type": f.get("type", "string"),
                "rules": "; ".join(rule),
                "meaning": f.get("description", ""),
            }
        )
    return pd.DataFrame(rows)


def citations(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Each source with the rows of the data that cite it (key, outlet, title, date, rows)."""
    rows: dict[str, list[str]] = {}
    for table in (transfers, engagements, statistics):
        for rid, keys in zip(*(table(data_dir)[c] for c in ("id", "sources"))):
            for k in keys:
                rows.setdefault(k, []).append(rid)
    refs = references(data_dir)
    return refs.assign(rows=refs["key"].map(lambda k: ", ".join(rows.get(k, []))))[
        ["key", "outlet", "title", "date", "rows"]
    ]


def evidence(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The passages behind the rows: row_id, source, fields (list), passage, translation."""
    return load_table("evidence", data_dir)


def changes(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The dated log of corrections to the data."""
    return load_table("changes", data_dir)


def trail_counts(data_dir: Path | str = DATA_DIR) -> dict[str, str]:
    """The quoted passages and the logged changes, as every page that states them writes them
    ('1,754'): counted here once, so the evidence trail, the data chapter and the changes page agree."""
    return {"evidence": f"{len(evidence(data_dir)):,}", "changes": f"{len(changes(data_dir)):,}"}
