"""Table Schema checks: each CSV against its schema in ``datapackage.json``.

Reads every file as text (bad bytes and a byte-order mark are named, never
guessed), then checks the header, every cell (type, enum, pattern, range,
length, required), the primary key and the foreign keys. A field of the standard
``"type": "list"`` (Table Schema v2) holds several values separated by its
``delimiter`` (the book's lists use :data:`LIST_SEP`); each value is checked on its own
against the field's ``itemType`` and constraints. A resource's standard ``hash``
(``"sha256:<hex>"``) is checked by :func:`check_hash`.

Why not ``frictionless`` (5.21, tried on this package while its lists were a
custom property): it adds 38 packages (about 62 MB); it cannot check a foreign
key into the BibTeX file (it crashes); it reports a bad byte by buffer offset and
stops reading that table; and it numbers records, not file lines.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

from .problems import Problem

#: Separator inside list-valued cells (``sources``, ``parties``, ``fields``): the ``delimiter``
#: of every ``list`` field in datapackage.json.
LIST_SEP = ";"

_YEAR = re.compile(r"^\d{4}$")
_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_BOM = b"\xef\xbb\xbf"
_MAX_BAD_BYTES = 20  # per file; the first ones are enough to find the cause


def read_package(data_dir: Path) -> dict:
    with open(Path(data_dir) / "datapackage.json", encoding="utf-8") as f:
        return json.load(f)


def is_list(field: dict) -> bool:
    """Whether a field holds a list (Table Schema v2 ``"type": "list"``)."""
    return field.get("type") == "list"


def split_list(raw: str, field: dict) -> list[str]:
    """The items of a list cell ([] when empty); a field that is not a list gives [raw]."""
    if not is_list(field):
        return [raw]
    return raw.split(field.get("delimiter", ",")) if raw else []


def check_hash(path: Path, res: dict, name: str) -> list[Problem]:
    """The file's sha256 against the resource's standard ``hash`` ("sha256:<hex>")."""
    want = res.get("hash", "")
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", want):
        return [Problem("datapackage.json", None, "hash", want or None, f"no 'sha256:<hex>' hash for {name}")]
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got == want.removeprefix("sha256:"):
        return []
    return [
        Problem(
            name,
            None,
            None,
            got,
            f"sha256 differs from datapackage.json ({want}): the file was changed; it is kept unchanged",
        )
    ]


def resource_paths(res: dict) -> list[str]:
    """The file(s) of a resource: ``path`` is one path or a list of them."""
    path = res["path"]
    return list(path) if isinstance(path, list) else [path]


def read_text(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    """Decode a file as UTF-8. Each undecodable byte is one problem naming its
    line and the byte; a byte-order mark is named as such. Returns None as the
    text when a byte cannot be decoded (nothing is guessed)."""
    data = path.read_bytes()
    problems: list[Problem] = []
    if data.startswith(_BOM):
        problems.append(
            Problem(
                name,
                1,
                None,
                None,
                "file starts with a UTF-8 byte-order mark (as Excel writes); save it as UTF-8 without BOM",
            )
        )
        data = data[len(_BOM) :]
    bad: list[Problem] = []
    pos = 0
    while len(bad) < _MAX_BAD_BYTES:
        try:
            data[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as e:
            pos += e.start
            line = data.count(b"\n", 0, pos) + 1
            col = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
            bad.append(
                Problem(
                    name,
                    line,
                    None,
                    f"0x{data[pos]:02X}",
                    f"byte {col} of the line is not UTF-8 (a Latin-1 or Windows-1252 byte?); save the file as UTF-8",
                )
            )
            pos += 1
    if bad:
        return None, problems + bad
    return data.decode("utf-8"), problems


def read_rows(path: Path, name: str | None = None) -> tuple[list[str], list[tuple[int, list[str]]], list[Problem]]:
    """Read a CSV as text. Returns header, (line number, cells) pairs and problems.

    Line numbers are those of the file (the header is line 1), so a reader can
    open the file at the reported line."""
    name = name or path.name
    text, problems = read_text(path, name)
    if text is None:
        return [], [], problems
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [], problems + [Problem(name, 1, None, None, "file is empty (no header)")]
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if cells == []:
                problems.append(Problem(name, line, None, None, "blank line"))
                continue
            if len(cells) != len(header):
                problems.append(
                    Problem(name, line, None, ",".join(cells), f"row has {len(cells)} fields, header has {len(header)}")
                )
            rows.append((line, cells))
    except csv.Error as e:
        problems.append(Problem(name, reader.line_num, None, None, f"malformed CSV: {e}"))
    return header, rows, problems


def check_cell(raw: str, field: dict) -> str | None:
    """Return an error message if ``raw`` does not fit ``field``; else None.

    Empty cells are checked by the caller (``required``)."""
    listed = is_list(field)
    ftype = field.get("itemType", "string") if listed else field.get("type", "string")
    cons = field.get("constraints", {})
    for v in split_list(raw, field):
        if v != v.strip() or v == "":
            return "has an empty item or stray spaces" if listed else "has leading or trailing spaces"
        num = None
        if ftype in ("integer", "year"):
            pattern = _YEAR if ftype == "year" else _INT
            if not pattern.match(v):
                return f"is not a{' four-digit year' if ftype == 'year' else 'n integer'}"
            num = int(v)
        elif ftype == "number":
            if not _NUM.match(v):
                return "is not a number"
            num = float(v)
        elif ftype == "boolean":
            allowed = field.get("trueValues", ["true"]) + field.get("falseValues", ["false"])
            if v not in allowed:
                return f"is not a boolean (use one of {allowed})"
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


def _check_header(name: str, header: list[str], schema: dict) -> list[Problem]:
    fields = {f["name"] for f in schema["fields"]}
    expected = [f["name"] for f in schema["fields"]]
    if not header or header == expected:
        return []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in fields]
    out = [Problem(name, 1, c, None, "column is missing from the header") for c in missing]
    out += [Problem(name, 1, c, None, "column is not described in datapackage.json") for c in extra]
    if not missing and not extra:
        out.append(
            Problem(name, 1, None, ",".join(header), f"columns are not in the order of datapackage.json: {expected}")
        )
    return out


def check_table(path: Path, schema: dict, name: str | None = None) -> tuple[list[dict], list[Problem]]:
    """Check one CSV against its Table Schema. Returns the rows (as dicts of
    text, with their line number under ``_line``) and the problems."""
    name = name or path.name
    header, rows, problems = read_rows(path, name)
    problems += _check_header(name, header, schema)
    fields = {f["name"]: f for f in schema["fields"]}
    records = []
    for line, cells in rows:
        rec = dict(zip(header, cells, strict=False))  # a short row was reported above
        rec["_line"] = line
        records.append(rec)
        for col in header:
            if col not in fields or col not in rec:
                continue
            raw, field = rec[col], fields[col]
            if raw == "":
                if field.get("constraints", {}).get("required"):
                    problems.append(Problem(name, line, col, raw, "required value is empty"))
                continue
            msg = check_cell(raw, field)
            if msg:
                problems.append(Problem(name, line, col, raw, msg))
    problems += _check_primary_key(name, records, schema.get("primaryKey"))
    return records, problems


def _check_primary_key(name: str, records: list[dict], pk: str | None) -> list[Problem]:
    if not pk:
        return []
    out: list[Problem] = []
    seen: dict[str, int] = {}
    for rec in records:
        key = rec.get(pk, "")
        if key == "":
            continue
        if key in seen:
            out.append(Problem(name, rec["_line"], pk, key, f"duplicate {pk} (first used on line {seen[key]})"))
        else:
            seen[key] = rec["_line"]
    return out


def check_foreign_keys(
    res: dict, records: list[dict], tables: dict[str, list[dict]], bib_keys: set[str] | None
) -> list[Problem]:
    """Every value of a foreign-key column exists in the referenced table
    (``references`` means the BibTeX keys). Records carry their file in ``_file``."""
    out: list[Problem] = []
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    for fk in res["schema"].get("foreignKeys", []):
        col, target = fk["fields"], fk["reference"]["resource"]
        if target == "references":
            if bib_keys is None:
                continue  # the BibTeX file could not be read; that problem is reported once
            valid = bib_keys
        elif target in tables:
            valid = {r.get(fk["reference"]["fields"], "") for r in tables[target]}
        else:
            continue
        what = "BibTeX key" if target == "references" else f"code in {target}"
        for rec in records:
            raw = rec.get(col, "")
            for item in split_list(raw, fields[col]) if raw else []:
                if item and item not in valid:
                    out.append(Problem(rec["_file"], rec["_line"], col, item, f"unknown {what}"))
    return out
