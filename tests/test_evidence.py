"""The evidence table: every row and every number of the ledger is backed by a
passage that states it, and each gap is named with file, line and column."""

import pytest

from balkanarms.evidencecheck import numbers_in
from balkanarms.validate import validate

EV = "evidence/transfers.csv"


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_at(fixture_dir, file):
    return [p for p in validate(fixture_dir) if p.file == file]


def test_number_missing_from_its_passage_is_named(fixture_dir):
    # inject an evidence row whose passage does not state the number it claims to support
    with open(fixture_dir / EV, "a", encoding="utf-8") as f:
        f.write("T-SRB-002,keya,number_ordered,Russia pledged several MiG-29 fighters.,\n")
    hit = problems_at(fixture_dir, EV)
    assert len(hit) == 1
    p = hit[0]
    assert (p.line, p.column, p.value) == (5, "passage", "6")
    assert "T-SRB-002" in p.message and "number_ordered" in p.message
    assert f"{EV}, line 5, column 'passage': value '6'" in str(p)


def test_changed_ledger_number_no_longer_matches_its_passage(fixture_dir):
    edit(fixture_dir / "transfers.csv", "air_defence,3,3,2019", "air_defence,4,3,2019")
    hit = problems_at(fixture_dir, EV)
    assert [(p.line, p.value) for p in hit] == [(2, "4")]


def test_row_without_evidence_is_named(fixture_dir):
    edit(fixture_dir / EV, "T-SRB-002,keyb", "T-SRB-001,keya")
    hit = [p for p in problems_at(fixture_dir, "transfers.csv") if p.column == "id"]
    assert [(p.line, p.value) for p in hit] == [(3, "T-SRB-002")]


def test_filled_field_no_evidence_names_is_named(fixture_dir):
    edit(fixture_dir / EV, "order_year;delivery_start;delivery_end;value", "delivery_start;delivery_end;value")
    hit = problems_at(fixture_dir, "transfers.csv")
    assert [(p.line, p.column, p.value) for p in hit] == [(4, "order_year", "2021")]


@pytest.mark.parametrize(
    "new,column,value",
    [
        ("delivery_end;second_hand,Serbia", "deal_type", "purchase"),
        ("delivery_end;deal_type,Serbia", "second_hand", "false"),
    ],
)
def test_how_and_whether_used_need_a_passage_too(fixture_dir, new, column, value):
    """A transfer's kind of deal and its second-hand flag, like its numbers, must be named by an
    evidence row: a purchase or a 'new' that no passage states is reported."""
    edit(fixture_dir / EV, "delivery_end;deal_type;second_hand,Serbia", new)
    hit = problems_at(fixture_dir, "transfers.csv")
    assert [(p.line, p.column, p.value) for p in hit] == [(2, column, value)]


def test_a_kind_of_deal_no_source_states_is_unknown_and_needs_no_passage(fixture_dir):
    edit(fixture_dir / EV, "delivery_end;deal_type;second_hand,Serbia", "delivery_end;second_hand,Serbia")
    edit(
        fixture_dir / "transfers.csv",
        "delivered,purchase,false,,,,confirmed,,keya",
        "delivered,unknown,false,,,,confirmed,,keya",
    )
    assert problems_at(fixture_dir, "transfers.csv") == []


def test_engagement_and_statistic_need_evidence(fixture_dir):
    (fixture_dir / "evidence" / "engagements.csv").write_text("row_id,source,fields,passage,translation\n")
    hit = problems_at(fixture_dir, "engagements.csv")
    assert [(p.line, p.column, p.value) for p in hit] == [(2, "id", "E-001")]


@pytest.mark.parametrize(
    "old,new,column,value",
    [
        ("T-SRB-001,keya", "T-SRB-009,keya", "row_id", "T-SRB-009"),
        ("T-SRB-001,keya", "T-SRB-001,keyb", "source", "keyb"),
        ("T-SRB-001,keya,supplier", "T-SRB-001,keya,comments;supplier", "fields", "comments"),
    ],
)
def test_bad_evidence_row_is_named(fixture_dir, old, new, column, value):
    edit(fixture_dir / EV, old, new)
    hit = problems_at(fixture_dir, EV)
    assert [(p.line, p.column, p.value) for p in hit] == [(2, column, value)]


def test_a_passage_may_back_the_notes_or_the_description_alone(fixture_dir):
    """A passage that carries no column, only a statement in the notes or a word of the description,
    names 'notes' or 'description'; a transfer's other non-columns are still refused."""
    with open(fixture_dir / EV, "a", encoding="utf-8") as f:
        f.write("T-SRB-001,keya,notes;description,The minister said more would follow.,\n")
    assert problems_at(fixture_dir, EV) == []
    edit(fixture_dir / EV, "T-SRB-001,keya,notes;description,", "T-SRB-001,keya,notes;confidence,")
    assert [(p.column, p.value) for p in problems_at(fixture_dir, EV)] == [("fields", "confidence")]


def test_passage_in_another_language_needs_a_translation(fixture_dir):
    edit(fixture_dir / "references.bib", "  year = {2022},", "  note = {In Serbian},\n  year = {2022},")
    hit = problems_at(fixture_dir, EV)
    assert [(p.line, p.column) for p in hit] == [(2, "translation")]
    assert "Serbian" in hit[0].message


def test_latest_possible_year_may_be_the_source_date(fixture_dir):
    # keya is dated 2022; a latest-possible first delivery in 2022 needs no year in the passage
    edit(fixture_dir / EV, "all 3 arrived in 2022.", "all 3 were in service.")
    assert {p.value for p in problems_at(fixture_dir, EV)} == {"2022"}
    edit(fixture_dir / "transfers.csv", "2019,contract,2022,2022,reported", "2019,contract,2022,,latest_possible")
    assert problems_at(fixture_dir, EV) == []


def test_change_log_rows_are_dated(fixture_dir):
    edit(fixture_dir / "changes.csv", "2026-12-01,T-SRB-001", "1 Dec,T-SRB-001")
    hit = problems_at(fixture_dir, "changes.csv")
    assert [(p.line, p.column, p.value) for p in hit] == [(2, "date", "1 Dec")]


@pytest.mark.parametrize(
    "text,number,found",
    [
        ("EUR 1,483.9 million", 1483900000, True),
        ("EUR 1,483.9 million", 1483938969.77, False),
        ("1,483,938,969.77 EUR", 1483938969.77, True),
        ("328.089.223 eura", 328089223, True),
        ("2,7 milionë euro", 2700000, True),
        ("EUR 112m", 112000000, True),
        ("a 12 m long boat", 12000000, False),
        ("USD 960,000", 960000, True),
        ("30 miliona juana", 30000000, True),
        ("1 500 vehicles", 1500, True),
        ("in 2019", 19, False),
        ("in 2019", 2019, True),
        ("six helicopters", 6, False),
    ],
)
def test_numbers_convention(text, number, found):
    assert (number in numbers_in(text)) is found


def test_coverage_can_be_reported_instead_of_required(fixture_dir):
    import json

    from balkanarms.validate import coverage_gaps

    (fixture_dir / "evidence" / "engagements.csv").write_text("row_id,source,fields,passage,translation\n")
    package = json.loads((fixture_dir / "datapackage.json").read_text(encoding="utf-8"))
    next(r for r in package["resources"] if r["name"] == "evidence")["balkanarms:coverage"] = "reported"
    (fixture_dir / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    assert validate(fixture_dir) == []
    assert [(p.file, p.line, p.value) for p in coverage_gaps(fixture_dir)] == [("engagements.csv", 2, "E-001")]


def test_real_data_evidence_is_complete():
    """Fails while any ledger row or transfer number lacks evidence (the package may set coverage to
    'reported' so that the book builds meanwhile; this test keeps the gaps visible)."""
    from balkanarms import DATA_DIR
    from balkanarms.validate import coverage_gaps

    gaps = coverage_gaps(DATA_DIR)
    assert gaps == [], "\n".join(str(p) for p in gaps)
