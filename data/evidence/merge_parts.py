"""Merge the research parts in ``data/evidence/_parts/`` into the data.

    python data/evidence/merge_parts.py [DATA_DIR]

Idempotent: running it again changes nothing unless a part changed.

1. ``*.bib``: entries appended to ``references.bib``; keys already there are skipped.
2. ``*_new_transfers.csv``: rows appended to ``transfers.csv``; ids already there are skipped.
3. ``*_corrections.csv`` (row_id,field,old,new,reason,source): applied to the row when
   ``old`` is the current value (or the value before an earlier logged change of the
   same field, so a superseding proposal can replace an applied one). ``old`` =
   ``(current)`` skips the check; ``new`` = ``(append) text`` appends to the cell
   (to a ``sources`` list: adds the keys). ``field`` ``_remove`` with ``new`` = ``yes``
   drops the row. Within one part the last proposal for a field wins; between parts,
   a proposal that fills a field wins over one that empties it, then the later part
   (file-name order). A proposal already logged is never applied twice. Any other
   ``new`` in brackets is an instruction for a person: listed, not applied.
   Every applied change is logged in ``data/changes.csv``.
4. Every other ``*.csv`` is evidence (row_id,source,fields,passage,translation):
   routed by id prefix into ``evidence/transfers.csv``, ``engagements.csv``,
   ``statistics.csv``; exact duplicates and rows of removed ids are dropped.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import sys
from pathlib import Path

EVIDENCE_COLUMNS = ["row_id", "source", "fields", "passage", "translation"]
CHANGE_COLUMNS = ["date", "row_id", "field", "old", "new", "reason", "source"]
TABLES = {"T": "transfers", "E": "engagements", "S": "statistics"}


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    if not path.exists():
        return [], []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text = out.getvalue()
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def table_of(row_id: str) -> str | None:
    return TABLES.get(row_id.split("-")[0])


def merge_bib(data: Path, parts: Path, report: list[str]) -> None:
    bib = data / "references.bib"
    text = bib.read_text(encoding="utf-8")
    have = set(re.findall(r"^@\s*\w+\s*\{\s*([^,\s]+)\s*,", text, flags=re.M))
    added = []
    for part in sorted(parts.glob("*.bib")):
        ptext = part.read_text(encoding="utf-8")
        starts = [m.start() for m in re.finditer(r"^@\s*\w+\s*\{", ptext, flags=re.M)] + [len(ptext)]
        for a, b in zip(starts, starts[1:], strict=False):
            entry = ptext[a:b].strip()
            key = re.match(r"@\s*\w+\s*\{\s*([^,\s]+)\s*,", entry).group(1)
            if key not in have:
                have.add(key)
                added.append(entry)
    if added:
        bib.write_text(text.rstrip("\n") + "\n\n" + "\n\n".join(added) + "\n", encoding="utf-8")
    report.append(f"bib: {len(added)} entries appended")


def load_changes(data: Path) -> list[dict]:
    return read_csv(data / "changes.csv")[1]


def log(changes: list[dict], row_id: str, field: str, old: str, new: str, reason: str, source: str) -> None:
    changes.append(
        {
            "date": datetime.date.today().isoformat(),
            "row_id": row_id,
            "field": field,
            "old": old,
            "new": new,
            "reason": reason,
            "source": source,
        }
    )


def merge_new_transfers(data: Path, parts: Path, tables: dict, changes: list[dict], report: list[str]) -> None:
    header, rows = tables["transfers"]
    ids = {r["id"] for r in rows}
    removed = {c["row_id"] for c in changes if c["field"] == "_remove"}
    added = 0
    for part in sorted(parts.glob("*_new_transfers.csv")):
        pheader, prows = read_csv(part)
        if pheader != header:
            report.append(f"NOT MERGED {part.name}: header differs from transfers.csv")
            continue
        for r in prows:
            if r["id"] in ids or r["id"] in removed:
                continue
            rows.append(r)
            ids.add(r["id"])
            added += 1
            log(changes, r["id"], "_add", "", "yes", f"row added from {part.name}", r["sources"])
    report.append(f"transfers: {added} rows added")


def read_corrections(parts: Path) -> list[tuple[str, dict]]:
    out = []
    for part in sorted(parts.glob("*_corrections.csv")):
        for r in read_csv(part)[1]:
            out.append((part.name, {k: (v or "") for k, v in r.items()}))
    return out


def _preferred(a: tuple[str, dict], b: tuple[str, dict]) -> tuple[str, dict]:
    """Of two parts' proposals for one field: the one that says it supersedes the
    other, else the one that fills the field, else the later part."""
    for x, y in ((a, b), (b, a)):
        if "supersedes" in x[1]["reason"] and "supersedes" not in y[1]["reason"]:
            return x
    if a[1]["new"] and not b[1]["new"]:
        return a
    return b


def _ellipsis(current: str, old: str, new: str) -> str | None:
    """``old`` = "...part..." and ``new`` = "...replacement...": replace the part."""
    part, repl = old.strip(".").strip(), new.strip(".").strip(" ;")
    if not part or part not in current:
        return None
    return current.replace(part, repl, 1)


def resolve(corrections: list[tuple[str, dict]], report: list[str]) -> tuple[list, list]:
    """Split into replacements (one per row and field) and appends."""
    appends, chosen = [], {}
    for part, c in corrections:
        if c["new"].startswith("(append)"):
            appends.append((part, c))
            continue
        key = (c["row_id"], c["field"])
        prev = chosen.get(key)
        if prev and prev[0] == part and c["old"] == prev[1]["new"]:
            c = {**c, "old": prev[1]["old"]}  # a later proposal in the same part builds on the earlier
        if prev and prev[0] != part and prev[1]["new"] != c["new"]:
            keep = _preferred(prev, (part, c))
            report.append(
                f"CONFLICT {key[0]} {key[1]}: {prev[0]} {prev[1]['new']!r} vs {part} "
                f"{c['new']!r} -> kept {keep[1]['new']!r} ({keep[0]})"
            )
            chosen[key] = keep
        else:
            chosen[key] = (part, c)
    return list(chosen.values()), appends


def apply_corrections(parts: Path, tables: dict, changes: list[dict], report: list[str]) -> None:
    index = {name: {r[hdr[0]]: r for r in rows} for name, (hdr, rows) in tables.items()}
    done = {(ch["row_id"], ch["field"], ch["new"]) for ch in changes}  # applied in an earlier run
    first_old = {}
    for ch in changes:
        first_old.setdefault((ch["row_id"], ch["field"]), ch["old"])
    replacements, appends = resolve(read_corrections(parts), report)
    applied = skipped = 0
    for part, c in replacements + appends:
        rid, field, old, new = c["row_id"], c["field"], c["old"], c["new"]
        table = table_of(rid)
        row = index.get(table, {}).get(rid) if table else None
        if field == "_remove":
            if row is not None and new == "yes":
                tables[table][1].remove(row)
                del index[table][rid]
                log(changes, rid, "_remove", "", "yes", c["reason"], c["source"])
                applied += 1
            continue
        if row is None:
            if not any(ch["row_id"] == rid and ch["field"] == "_remove" for ch in changes):
                report.append(f"UNKNOWN ROW {rid} ({part})")
            continue
        if field not in row:
            report.append(f"UNKNOWN FIELD {rid} {field} ({part})")
            continue
        current = row[field]
        if new.startswith("(append)"):
            extra = new[len("(append)") :].strip()
            if field == "sources":
                keys = current.split(";") if current else []
                value = ";".join(keys + [k for k in extra.split(";") if k and k not in keys])
            else:
                value = current if extra in current else (current + " " + extra).strip()
        elif old.startswith("...") and new.startswith("..."):
            value = current if new.strip(".").strip(" ;") in current else _ellipsis(current, old, new)
            if value is None:
                report.append(f"OLD MISMATCH {rid} {field} ({part}): {old!r} not in {current!r}")
                continue
        elif new.startswith("("):
            report.append(f"MANUAL {rid} {field} ({part}): {new}")
            continue
        elif (rid, field, new) in done or old == new:  # applied before, or no change proposed
            skipped += 1
            continue
        else:
            # the basis column was filled mechanically (reported) after some parts were written
            mechanical = field == "delivery_start_basis" and old == "" and current == "reported"
            if old not in ("(current)", current, first_old.get((rid, field))) and current != new and not mechanical:
                report.append(f"OLD MISMATCH {rid} {field} ({part}): expected {old!r}, found {current!r}")
                continue
            value = new
        if value == current:
            skipped += 1
            continue
        row[field] = value
        log(changes, rid, field, current, value, c["reason"], c["source"])
        applied += 1
    report.append(f"corrections: {applied} applied, {skipped} already in place")


def merge_evidence(data: Path, parts: Path, tables: dict, report: list[str]) -> None:
    ids = {name: {r[hdr[0]] for r in rows} for name, (hdr, rows) in tables.items()}
    out: dict[str, list[dict]] = {name: [] for name in TABLES.values()}
    seen = set()
    for part in sorted(parts.glob("*.csv")):
        if part.name.endswith(("_corrections.csv", "_new_transfers.csv")):
            continue
        header, rows = read_csv(part)
        if header != EVIDENCE_COLUMNS:
            report.append(f"NOT MERGED {part.name}: header is not {EVIDENCE_COLUMNS}")
            continue
        for r in rows:
            r = {k: (r.get(k) or "") for k in EVIDENCE_COLUMNS}
            key = tuple(r.values())
            table = table_of(r["row_id"])
            if key in seen:
                continue
            seen.add(key)
            if table is None or r["row_id"] not in ids[table]:
                report.append(f"EVIDENCE DROPPED {part.name}: no row {r['row_id']}")
                continue
            out[table].append(r)
    for table, rows in out.items():
        rows.sort(key=lambda r: r["row_id"])  # stable: part order kept within a row
        write_csv(data / "evidence" / f"{table}.csv", EVIDENCE_COLUMNS, rows)
        report.append(f"evidence/{table}.csv: {len(rows)} rows")


def merge(data: Path) -> list[str]:
    parts = data / "evidence" / "_parts"
    report: list[str] = []
    tables = {name: read_csv(data / f"{name}.csv") for name in TABLES.values()}
    changes = load_changes(data)
    logged = len(changes)
    merge_bib(data, parts, report)
    merge_new_transfers(data, parts, tables, changes, report)
    apply_corrections(parts, tables, changes, report)
    for name, (header, rows) in tables.items():
        write_csv(data / f"{name}.csv", header, rows)
    merge_evidence(data, parts, tables, report)
    write_csv(data / "changes.csv", CHANGE_COLUMNS, changes)
    report.append(f"changes.csv: {len(changes) - logged} changes logged")
    return report


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    print("\n".join(merge(target)))
