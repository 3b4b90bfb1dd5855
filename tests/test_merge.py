"""data/evidence/merge_parts.py applies the research parts once, checks `old`,
logs every change and can be run again without changing anything."""

import csv
import importlib.util

from balkanarms import ROOT
from balkanarms.validate import validate

spec = importlib.util.spec_from_file_location("merge_parts", ROOT / "data" / "evidence" / "merge_parts.py")
merge_parts = importlib.util.module_from_spec(spec)
spec.loader.exec_module(merge_parts)

CORRECTIONS = """row_id,field,old,new,reason,source
T-SRB-001,number_ordered,3,4,The source says four batteries.,keyb
T-SRB-002,number_ordered,7,8,Stale proposal: old does not match.,keyb
T-SRB-001,sources,(current),(append) keyc,Add the source that states the count.,keyc
T-SRB-002,notes,(current),(append) Sources agree on six.,Record agreement.,keyb
"""
EVIDENCE = """row_id,source,fields,passage,translation
T-SRB-001,keyc,number_ordered,Serbia ordered four (4) batteries.,
"""
BIB = """@misc{keyc,
  author = {{Outlet C}},
  title = {C title},
  organization = {Outlet C},
  year = {2023},
  date = {2023-01-02},
  url = {https://example.org/c},
  urldate = {2026-12-01},
}
"""


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_merge_applies_checks_logs_and_is_idempotent(fixture_dir):
    parts = fixture_dir / "evidence" / "_parts"
    parts.mkdir()
    (parts / "a_corrections.csv").write_text(CORRECTIONS, encoding="utf-8")
    (parts / "a.csv").write_text(EVIDENCE, encoding="utf-8")
    (parts / "a.bib").write_text(BIB, encoding="utf-8")
    for name in ("transfers", "engagements", "statistics"):  # the final files are built from the parts
        (fixture_dir / "evidence" / f"{name}.csv").rename(parts / f"base_{name}.csv")
    report = merge_parts.merge(fixture_dir)
    assert any("OLD MISMATCH T-SRB-002 number_ordered" in line for line in report)
    t = {r["id"]: r for r in rows(fixture_dir / "transfers.csv")}
    assert t["T-SRB-001"]["number_ordered"] == "4"
    assert t["T-SRB-001"]["sources"] == "keya;keyc"
    assert t["T-SRB-002"]["number_ordered"] == "6"
    assert t["T-SRB-002"]["notes"] == "Sources agree on six."
    log = rows(fixture_dir / "changes.csv")
    assert [(c["row_id"], c["field"]) for c in log[1:]] == [
        ("T-SRB-001", "number_ordered"),
        ("T-SRB-001", "sources"),
        ("T-SRB-002", "notes"),
    ]
    before = {p.name: p.read_bytes() for p in fixture_dir.rglob("*") if p.is_file()}
    merge_parts.merge(fixture_dir)
    after = {p.name: p.read_bytes() for p in fixture_dir.rglob("*") if p.is_file()}
    assert before == after
    # the older passage (3 batteries) no longer supports the corrected count, and is named
    stale = [(p.file, p.line, p.value) for p in validate(fixture_dir)]
    assert stale == [("evidence/transfers.csv", 4, "4")]  # rows sorted by id: HRV, SRB (keyc), SRB (keya)
