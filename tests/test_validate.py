"""The validator accepts the real data and rejects every injected fault,
naming file, line, column and value."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from balkanarms import DATA_DIR, data
from balkanarms.data import load_table
from balkanarms.validate import DataError, validate


def test_real_data_passes():
    assert validate(DATA_DIR) == []


def test_fixture_passes(fixture_dir):
    assert validate(fixture_dir) == []


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


T = "transfers.csv"
X = "exports.csv"
XEV = "evidence/exports.csv"
ROW2 = (
    "T-SRB-001,SRB,CHN,FK-3,SAM system,air_defence_systems,air_defence,"
    "3,3,2019,contract,2022,2022,reported,delivered,purchase,false,,,,confirmed,,keya"
)

# (name, file, old, new, expected file, expected line, expected column, expected value)
FAULTS = [
    ("bad enum", T, "air_defence_systems,air_defence,3", "air_defense,air_defence,3", T, 2, "category", "air_defense"),
    ("bad ISO code", T, "SRB,CHN,FK-3", "SRB,CHI,FK-3", T, 2, "supplier", "CHI"),
    ("recipient out of scope", T, "T-SRB-001,SRB", "T-SRB-001,SVN", T, 2, "recipient", "SVN"),
    ("text in number column", T, "air_defence,3,3", "air_defence,three,3", T, 2, "number_ordered", "three"),
    (
        "delivery before order",
        T,
        "3,3,2019,contract,2022,2022",
        "3,3,2019,contract,2018,2022",
        T,
        2,
        "delivery_start",
        "2018",
    ),
    (
        "delivery end before start",
        T,
        "3,3,2019,contract,2022,2022",
        "3,3,2019,contract,2022,2020",
        T,
        2,
        "delivery_end",
        "2020",
    ),
    ("more delivered than ordered", T, "air_defence,3,3", "air_defence,3,4", T, 2, "number_delivered", "4"),
    ("missing source key", T, ",confirmed,,keya\n", ",confirmed,,\n", T, 2, "sources", ""),
    ("unknown source key", T, ",confirmed,,keya\n", ",confirmed,,nosuchkey\n", T, 2, "sources", "nosuchkey"),
    ("duplicate id", T, "T-SRB-002,SRB,RUS", "T-SRB-001,SRB,RUS", T, 3, "id", "T-SRB-001"),
    (
        "duplicate deal",
        T,
        "T-HRV-001,HRV,FRA,Rafale,fighter aircraft,aircraft,combat_aircraft,12,12,2021",
        "T-HRV-001,SRB,RUS,MiG-29,fighter aircraft,aircraft,combat_aircraft,12,12,2016",
        T,
        4,
        "designation",
        "MiG-29",
    ),
    ("empty required field", T, "FK-3,SAM system", ",SAM system", T, 2, "designation", ""),
    ("year 1850", T, "3,3,2019,contract,2022", "3,3,1850,contract,2022", T, 2, "order_year", "1850"),
    ("negative quantity", T, "air_defence,3,3", "air_defence,-3,3", T, 2, "number_ordered", "-3"),
    (
        "delivered without a year",
        T,
        "3,3,2019,contract,2022,2022,reported,delivered",
        "3,3,2019,contract,,,,delivered",
        T,
        2,
        "delivery_start",
        "",
    ),
    (
        "basis without a year",
        T,
        "3,3,2019,contract,2022,2022,reported",
        "3,3,2019,contract,,,reported",
        T,
        2,
        "delivery_start_basis",
        "reported",
    ),
    (
        "year without its basis",
        T,
        "3,3,2019,contract,2022,2022,reported",
        "3,3,2019,contract,2022,2022,",
        T,
        2,
        "delivery_start_basis",
        "",
    ),
    ("bad basis", T, "2022,2022,reported", "2022,2022,guessed", T, 2, "delivery_start_basis", "guessed"),
    ("bad boolean", T, "purchase,false", "purchase,no", T, 2, "second_hand", "no"),
    ("value without currency", T, "999000000,EUR,2021", "999000000,,2021", T, 4, "value_currency", ""),
    ("value stored in millions", T, "999000000,EUR", "999,EUR", T, 4, "value", "999"),
    ("delivered count of zero", T, "air_defence,3,3", "air_defence,3,0", T, 2, "number_delivered", "0"),
    ("delivered without a count or a reason", T, "air_defence,3,3", "air_defence,3,", T, 2, "number_delivered", ""),
    (
        "same item in overlapping years",
        T,
        "T-HRV-001,HRV,FRA,Rafale",
        "T-HRV-001,SRB,CHN,FK-3",
        T,
        4,
        "designation",
        "FK-3",
    ),
    (
        "confirmed on a mirror alone",
        "references.bib",
        "  url = {https://example.org/a},",
        "  url = {https://example.org/a},\n  mirror = {mirror of Outlet Z},",
        T,
        2,
        "confidence",
        "confirmed",
    ),
    ("bad confidence", T, ",confirmed,,keya\n", ",certain,,keya\n", T, 2, "confidence", "certain"),
    (
        "change after the release date",
        "changes.csv",
        "2026-12-01,T",
        "2099-12-01,T",
        "changes.csv",
        2,
        "date",
        "2099-12-01",
    ),
    (
        "release version not year.month.n",
        "datapackage.json",
        '"version": "',
        '"version": "v',
        "datapackage.json",
        None,
        "version",
        None,
    ),
    ("extra field in row", T, ROW2, ROW2 + ",extra", T, 2, None, None),
    (
        "bad engagement date",
        "engagements.csv",
        "E-001,2025-07",
        "E-001,2025-13",
        "engagements.csv",
        2,
        "date",
        "2025-13",
    ),
    ("unknown party", "engagements.csv", "SRB;CHN", "SRB;XXX", "engagements.csv", 2, "parties", "XXX"),
    (
        "bad statistics number",
        "statistics.csv",
        "2024,57,percent",
        "2024,57%,percent",
        "statistics.csv",
        2,
        "value",
        "57%",
    ),
    ("share above 100", "statistics.csv", "2024,57,percent", "2024,157,percent", "statistics.csv", 2, "value", "157"),
    (
        "duplicate published figure",
        "statistics.csv",
        "keyb,2025\n",
        "keyb,2025\nS-002,SRB,CHN,share_of_imports,2020,2024,57,percent,SIPRI as reported again,,keya,2025\n",
        "statistics.csv",
        3,
        "value",
        "57",
    ),
    (
        "latitude out of range",
        "countries.csv",
        "Belgrade,44.8",
        "Belgrade,144.8",
        "countries.csv",
        2,
        "capital_lat",
        "144.8",
    ),
    (
        "NATO/EU member without an accession year",
        "countries.csv",
        "Paris,48.85,2.35,1949,1957,",
        "Paris,48.85,2.35,,,",
        "countries.csv",
        6,
        "bloc",
        "nato_eu",
    ),
    ("export denied but confirmed", X, "denied,unconfirmed", "denied,confirmed", X, 3, "confidence", "confirmed"),
    ("export via a third country names none", X, "FRA,Czechia,artillery", "FRA,,artillery", X, 2, "via", ""),
    ("export in transit names no via", X, ",,direct,alleged", ",,transit,alleged", X, 3, "via", ""),
    (
        "export without an evidence row",  # its only evidence row is moved to the other export
        XEV,
        "X-HRV-001,keyb,item;last_year;official_position",
        "X-SRB-001,keya,item;official_position",
        X,
        3,
        "id",
        "X-HRV-001",
    ),
    ("export year no evidence names", XEV, "via;first_year;last_year", "via;last_year", X, 2, "first_year", "2022"),
    ("export year not in its passage", X, "2022,2024,800000000", "2022,2025,800000000", XEV, 2, "passage", "2025"),
    ("export supplier outside the seven", X, "X-SRB-001,SRB,FRA", "X-SRB-001,CHN,FRA", X, 2, "supplier", "CHN"),
    ("export last year before the first", X, "2022,2024,800000000", "2022,2021,800000000", X, 2, "last_year", "2021"),
    ("export value without currency", X, "800000000,EUR", "800000000,", X, 2, "value_currency", ""),
    (
        "bib entry without url",
        "references.bib",
        "  url = {https://example.org/a},\n",
        "",
        "references.bib",
        1,
        "url",
        "keya",
    ),
    (
        "bib url not http",
        "references.bib",
        "https://example.org/a",
        "ftp://example.org/a",
        "references.bib",
        1,
        "url",
        "ftp://example.org/a",
    ),
    (
        "test host",
        "references.bib",
        "https://example.org/a",
        "https://uat.example.org/a",
        "references.bib",
        1,
        "url",
        "https://uat.example.org/a",
    ),
    (
        "search-result page",
        "references.bib",
        "https://example.org/a",
        "https://example.org/search?q=fk-3",
        "references.bib",
        1,
        "url",
        "https://example.org/search?q=fk-3",
    ),
    (
        "scraper domain",
        "references.bib",
        "https://example.org/a",
        "https://991244.cjms1wz26.asia/en/news/1",
        "references.bib",
        1,
        "url",
        "https://991244.cjms1wz26.asia/en/news/1",
    ),
    (
        "mirror field not saying so",
        "references.bib",
        "  url = {https://example.org/b},",
        "  url = {https://example.org/b},\n  mirror = {Outlet Z},",
        "references.bib",
        11,
        "mirror",
        "Outlet Z",
    ),
    (
        "language code",
        "references.bib",
        "  year = {2022},",
        "  note = {In sr},\n  year = {2022},",
        "references.bib",
        1,
        "note",
        "In sr",
    ),
    (
        "two bib entries share a url",
        "references.bib",
        "https://example.org/b",
        "https://example.org/a",
        "references.bib",
        11,
        "url",
        "https://example.org/a",
    ),
]


@pytest.mark.parametrize("name,file,old,new,efile,eline,ecol,evalue", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_reported(fixture_dir, name, file, old, new, efile, eline, ecol, evalue):
    edit(fixture_dir / file, old, new)
    problems = validate(fixture_dir)
    assert problems, f"{name}: not detected"
    hit = [
        p
        for p in problems
        if p.file == efile and p.line == eline and p.column == ecol and (evalue is None or p.value == evalue)
    ]
    assert hit, f"{name}: expected {efile}:{eline} [{ecol}] {evalue!r}, got {[str(p) for p in problems]}"
    text = str(hit[0])
    assert efile in text and (eline is None or f"line {eline}" in text)


def test_all_problems_reported_in_one_run(fixture_dir):
    edit(fixture_dir / T, "SRB,CHN,FK-3", "SRB,CHI,FK-3")
    edit(fixture_dir / T, "air_defence,3,3", "air_defence,3,4")
    edit(fixture_dir / "engagements.csv", "SRB;CHN", "SRB;XXX")
    cols = {p.column for p in validate(fixture_dir)}
    assert {"supplier", "number_delivered", "parties"} <= cols


def test_loader_refuses_invalid_data(fixture_dir):
    edit(fixture_dir / T, "air_defence,3,3", "air_defence,three,3")
    with pytest.raises(DataError) as err:
        load_table("transfers", fixture_dir)
    assert "number_ordered" in str(err.value) and "three" in str(err.value)


def test_loader_keeps_every_row_and_types(fixture_dir):
    df = load_table("transfers", fixture_dir)
    assert len(df) == 3
    assert str(df["number_ordered"].dtype) == "Int64"
    assert df.loc[0, "sources"] == ["keya"]
    assert df["value"].isna().sum() == 2  # empty stays missing, never 0


@pytest.mark.slow  # two processes of their own
def test_cli_exit_codes(fixture_dir):
    ok = subprocess.run(
        [sys.executable, "-m", "balkanarms", "validate", str(fixture_dir)], capture_output=True, text=True
    )
    assert ok.returncode == 0
    edit(fixture_dir / T, "SRB,CHN,FK-3", "SRB,CHI,FK-3")
    bad = subprocess.run(
        [sys.executable, "-m", "balkanarms", "validate", str(fixture_dir)], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "transfers.csv, line 2, column 'supplier': value 'CHI'" in bad.stderr


def test_blog_standing_in_for_an_outlet_needs_a_mirror_field(fixture_dir):
    bib = fixture_dir / "references.bib"
    edit(bib, "https://example.org/a", "https://someone.blogspot.com/2022/04/a.html")
    edit(bib, "organization = {Outlet A}", "organization = {Outlet A (via a blog repost)}")
    hit = [p for p in validate(fixture_dir) if p.column == "url" and p.line == 1]
    assert hit and "stands in for the outlet" in hit[0].message
    edit(bib, "  url = {https://someone", "  mirror = {mirror of Outlet A},\n  url = {https://someone")
    assert not [p for p in validate(fixture_dir) if p.file == "references.bib"]


def test_latin1_byte_is_named_with_its_line(fixture_dir):
    path = fixture_dir / T
    data = path.read_bytes().replace(b"SAM system", b"SAM syst\xe8me")
    path.write_bytes(data)
    problems = [p for p in validate(fixture_dir) if p.file == T]
    assert len(problems) == 1
    assert problems[0].line == 2 and problems[0].value == "0xE8" and "not UTF-8" in problems[0].message


def test_byte_order_mark_is_named_not_a_missing_column(fixture_dir):
    path = fixture_dir / T
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    problems = [p for p in validate(fixture_dir) if p.file == T]
    assert [p.line for p in problems] == [1]
    assert "byte-order mark" in problems[0].message
    assert "missing" not in str(problems[0])


def test_export_rules_name_only_the_faulty_rows(fixture_dir):
    # a denied transfer may be 'reported' or 'unconfirmed', and a direct one needs no via
    edit(fixture_dir / X, "denied,unconfirmed", "denied,reported")
    assert validate(fixture_dir) == []
    edit(fixture_dir / X, "denied,reported", "denied,confirmed")
    edit(fixture_dir / X, "FRA,Czechia,artillery", "FRA,,artillery")
    hits = [(p.file, p.line, p.column) for p in validate(fixture_dir)]
    assert hits == [(X, 2, "via"), (X, 3, "confidence")]


def test_rows_that_name_each_other_are_not_duplicates(fixture_dir):
    edit(fixture_dir / T, "T-HRV-001,HRV,FRA,Rafale", "T-HRV-001,SRB,CHN,FK-3")
    edit(fixture_dir / T, "confirmed,,keyb\n", "confirmed,Second battery order; see T-SRB-001.,keyb\n")
    assert not [p for p in validate(fixture_dir) if "duplicate" in p.message]


def test_basis_of_a_latest_possible_year_is_a_column(fixture_dir):
    edit(fixture_dir / T, "2022,2022,reported", "2022,2022,latest_possible")
    assert validate(fixture_dir) == []


def test_unreadable_bibliography_is_one_problem(fixture_dir):
    bib = fixture_dir / "references.bib"
    bib.write_bytes(bib.read_bytes().replace(b"A title", b"A t\xeftle"))
    problems = validate(fixture_dir)
    assert [(p.file, p.line, p.value) for p in problems] == [("references.bib", 3, "0xEF")]


def test_the_bibliography_is_parsed_once_per_content_and_each_caller_gets_its_own_copy(fixture_dir):
    from balkanarms.bibcheck import _check_text, check_bib

    bib = fixture_dir / "references.bib"
    _check_text.cache_clear()
    keys, entries, problems = check_bib(bib)
    entries["keya"]["title"] = "changed by a caller"
    again = check_bib(bib)
    assert again[1]["keya"]["title"] == "A title" and again[0] == keys and again[2] == problems
    assert _check_text.cache_info().hits == 1
    bib.write_text(bib.read_text().replace("A title", "Another title"), encoding="utf-8")
    assert check_bib(bib)[1]["keya"]["title"] == "Another title"  # new text, parsed anew


def test_a_table_is_read_once_per_content_and_each_caller_gets_its_own_copy(fixture_dir, monkeypatch):
    import pandas as pd

    reads = []
    real = pd.read_csv
    monkeypatch.setattr(pd, "read_csv", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    first = data.transfers(fixture_dir)
    first.loc[0, "designation"] = "changed by a caller"
    first.loc[0, "sources"].append("added by a caller")
    again = data.transfers(fixture_dir)
    assert again.loc[0, "designation"] == "FK-3" and again.loc[0, "sources"] == ["keya"]
    assert [Path(p).name for p in reads].count("transfers.csv") == 1
    edit(fixture_dir / T, "SRB,CHN,FK-3", "SRB,CHN,HQ-17")  # a changed file is read again
    assert data.transfers(fixture_dir).loc[0, "designation"] == "HQ-17"


# ------------------------------------------------------------------ SIPRI's links, checked like every table

L = "sipri_links.csv"


@pytest.fixture
def real_copy(tmp_path):
    """A copy of the real data package (with SIPRI's extracts and the links), to change."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir, ignore=shutil.ignore_patterns("__pycache__"))
    return data_dir


def test_bad_link_rows_are_named_with_file_line_column_and_value(real_copy):
    """Five bad rows in one run: each is named as every other table's problems are."""
    path = real_copy / L
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    ledger_only = next(i for i, r in enumerate(rows) if ",ledger_only," in r)
    matched = [i for i, r in enumerate(rows) if ",matched," in r]
    row_id = rows[matched[1]].split(",T-")[1].split(",")[0]
    rows[matched[0]] = "Serbia|Atlantis|2019|X|drone" + rows[matched[0]][rows[matched[0]].index(",T-") :]
    rows[matched[1]] = rows[matched[1]].replace(f",T-{row_id},", ",T-SRB-999,", 1)
    rows[matched[2]] = rows[matched[2]].replace(",matched,", ",maybe,", 1)
    rows[ledger_only] = rows[ledger_only].replace(",ledger_only,", ",ledger_only,guessed", 1)
    rows.append(rows[matched[3]])  # the same pair twice
    path.write_text(header + "".join(rows), encoding="utf-8")
    got = {(p.line, p.column, p.value) for p in validate(real_copy) if p.file == L}
    line = {i: i + 2 for i in range(len(rows))}
    assert (line[matched[0]], "sipri_key", "Serbia|Atlantis|2019|X|drone") in got
    assert (line[matched[1]], "ledger_id", "T-SRB-999") in got  # no such ledger row (foreign key)
    assert (line[matched[2]], "match", "maybe") in got
    assert any(ln == line[ledger_only] and col == "reason" for ln, col, _ in got)
    assert any(ln == len(rows) + 1 and col == "sipri_key" for ln, col, _ in got)


def test_a_link_file_that_is_not_utf8_is_named_like_any_table(real_copy):
    path = real_copy / L
    path.write_bytes(path.read_bytes().replace(b"fighter aircraft", b"fighter a\xefrcraft", 1))
    problems = [p for p in validate(real_copy) if p.file == L]
    assert [(p.value, "not UTF-8" in p.message) for p in problems][:1] == [("0xEF", True)]
