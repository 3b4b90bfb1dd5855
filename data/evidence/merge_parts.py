"""Merge the research parts in ``data/evidence/_parts/`` into the data.

    python data/evidence/merge_parts.py [DATA_DIR]

Idempotent: running it again changes nothing unless a part changed.

1. ``*.bib``: entries appended to ``references.bib``; keys already there are skipped; an
   entry whose URL is already cited under another key becomes an alias of that key.
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
   ``statistics.csv``; rows of removed ids are dropped; a row with the same row_id,
   source and passage as one in an earlier part replaces it (to amend its fields or
   translation; parts are read in file-name order).
5. ``delivery_start_basis`` is emptied where a correction emptied ``delivery_start``; a
   source an evidence row quotes is added to the row's ``sources`` (logged).
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


def bib_entries(text: str) -> list[tuple[str, str, str]]:
    """(key, url, entry text) of each entry."""
    starts = [m.start() for m in re.finditer(r"^@\s*\w+\s*\{", text, flags=re.M)] + [len(text)]
    out = []
    for a, b in zip(starts, starts[1:], strict=False):
        entry = text[a:b].strip()
        key = re.match(r"@\s*\w+\s*\{\s*([^,\s]+)\s*,", entry).group(1)
        url = re.search(r"^\s*url\s*=\s*\{([^}]*)\}", entry, flags=re.M)
        out.append((key, url.group(1).strip() if url else "", entry))
    return out


def merge_bib(data: Path, parts: Path, report: list[str]) -> dict[str, str]:
    """Append new entries. An entry whose URL is already cited under another key is
    not added; its key is returned as an alias of that key (one URL, one key)."""
    bib = data / "references.bib"
    text = bib.read_text(encoding="utf-8")
    have = {key: url for key, url, _ in bib_entries(text)}
    by_url = {url: key for key, url in have.items() if url}
    added, alias = [], {}
    for part in sorted(parts.glob("*.bib")):
        for key, url, entry in bib_entries(part.read_text(encoding="utf-8")):
            if key in have:
                continue
            if url in by_url:
                alias[key] = by_url[url]
                continue
            have[key], by_url[url] = url, key
            added.append(entry)
    if added:
        bib.write_text(text.rstrip("\n") + "\n\n" + "\n\n".join(added) + "\n", encoding="utf-8")
    report.append(f"bib: {len(added)} entries appended")
    report += [f"ALIAS {k} -> {v} (same URL)" for k, v in alias.items()]
    return alias


def unalias(keys: str, alias: dict[str, str]) -> str:
    """A ';'-list of keys with aliases replaced (order kept, no repeats)."""
    out: list[str] = []
    for k in keys.split(";"):
        k = alias.get(k, k)
        if k and k not in out:
            out.append(k)
    return ";".join(out)


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


def merge_new_transfers(parts: Path, tables: dict, changes: list[dict], report: list[str], alias: dict) -> None:
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
            r["sources"] = unalias(r["sources"], alias)
            rows.append(r)
            ids.add(r["id"])
            added += 1
            log(changes, r["id"], "_add", "", "yes", f"row added from {part.name}", r["sources"])
    report.append(f"transfers: {added} rows added")


def read_corrections(parts: Path, alias: dict[str, str]) -> list[tuple[str, dict]]:
    out = []
    for part in sorted(parts.glob("*_corrections.csv")):
        for r in read_csv(part)[1]:
            c = {k: (v or "") for k, v in r.items()}
            c["source"] = unalias(c["source"], alias)
            if c["field"] == "sources":
                for col in ("old", "new"):
                    head = "(append) " if c[col].startswith("(append)") else ""
                    if not c[col].startswith("(") or head:
                        c[col] = head + unalias(c[col][len(head) :].strip(), alias)
            out.append((part.name, c))
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
    """Split into replacements (one per row and field) and edits within a cell
    (appends, and ``...part...`` replacements), which apply after them in order."""
    appends, chosen = [], {}
    for part, c in corrections:
        if c["new"].startswith("(append)") or (c["old"].startswith("...") and c["new"].startswith("...")):
            appends.append((part, c))  # edits within a cell apply after whole-cell replacements
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


def apply_corrections(parts: Path, tables: dict, changes: list[dict], report: list[str], alias: dict) -> None:
    index = {name: {r[hdr[0]]: r for r in rows} for name, (hdr, rows) in tables.items()}
    done = {(ch["row_id"], ch["field"], ch["new"]) for ch in changes}  # applied in an earlier run
    first_old = {}
    for ch in changes:
        first_old.setdefault((ch["row_id"], ch["field"]), ch["old"])
    replacements, appends = resolve(read_corrections(parts, alias), report)
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


def merge_evidence(parts: Path, tables: dict, report: list[str], alias: dict) -> dict[str, list[dict]]:
    ids = {name: {r[hdr[0]] for r in rows} for name, (hdr, rows) in tables.items()}
    out: dict[str, dict[tuple, dict]] = {name: {} for name in TABLES.values()}
    for part in sorted(parts.glob("*.csv")):
        if part.name.endswith(("_corrections.csv", "_new_transfers.csv")):
            continue
        header, rows = read_csv(part)
        if header != EVIDENCE_COLUMNS:
            report.append(f"NOT MERGED {part.name}: header is not {EVIDENCE_COLUMNS}")
            continue
        for r in rows:
            r = {k: (r.get(k) or "") for k in EVIDENCE_COLUMNS}
            r["source"] = alias.get(r["source"], r["source"])
            table = table_of(r["row_id"])
            if table is None or r["row_id"] not in ids[table]:
                report.append(f"EVIDENCE DROPPED {part.name}: no row {r['row_id']}")
                continue
            out[table][(r["row_id"], r["source"], r["passage"])] = r  # a later part amends fields/translation
    # stable sort: part order is kept within a row
    return {table: sorted(by_key.values(), key=lambda r: r["row_id"]) for table, by_key in out.items()}


def cite_evidence_sources(evidence: dict, tables: dict, changes: list[dict], report: list[str]) -> None:
    """A source an evidence row quotes for a ledger row is added to that row's sources."""
    for table, evs in evidence.items():
        index = {r["id"]: r for r in tables[table][1]}
        for ev in evs:
            row = index[ev["row_id"]]
            keys = row["sources"].split(";") if row["sources"] else []
            if ev["source"] and ev["source"] not in keys:
                new = ";".join(keys + [ev["source"]])
                log(
                    changes,
                    row["id"],
                    "sources",
                    row["sources"],
                    new,
                    "an evidence part quotes this source for the row",
                    ev["source"],
                )
                row["sources"] = new
                report.append(f"SOURCE ADDED {row['id']} {ev['source']} (quoted in evidence)")


def tidy_basis(tables: dict, changes: list[dict], report: list[str]) -> None:
    """A basis without a delivery year is emptied (the year was emptied by a correction)."""
    for row in tables["transfers"][1]:
        if not row.get("delivery_start") and row.get("delivery_start_basis"):
            log(
                changes,
                row["id"],
                "delivery_start_basis",
                row["delivery_start_basis"],
                "",
                "follows delivery_start, which a correction emptied",
                "",
            )
            row["delivery_start_basis"] = ""
            report.append(f"BASIS EMPTIED {row['id']} (no delivery_start)")


def merge(data: Path) -> list[str]:
    parts = data / "evidence" / "_parts"
    report: list[str] = []
    tables = {name: read_csv(data / f"{name}.csv") for name in TABLES.values()}
    changes = load_changes(data)
    logged = len(changes)
    alias = merge_bib(data, parts, report)
    merge_new_transfers(parts, tables, changes, report, alias)
    apply_corrections(parts, tables, changes, report, alias)
    tidy_basis(tables, changes, report)
    evidence = merge_evidence(parts, tables, report, alias)
    cite_evidence_sources(evidence, tables, changes, report)
    for name, (header, rows) in tables.items():
        write_csv(data / f"{name}.csv", header, rows)
    for table, rows in evidence.items():
        write_csv(data / "evidence" / f"{table}.csv", EVIDENCE_COLUMNS, rows)
        report.append(f"evidence/{table}.csv: {len(rows)} rows")
    write_csv(data / "changes.csv", CHANGE_COLUMNS, changes)
    report.append(f"changes.csv: {len(changes) - logged} changes logged")
    return report


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    print("\n".join(merge(target)))
