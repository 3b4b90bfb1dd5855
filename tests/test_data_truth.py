"""Data truth, third pass (issue 23): each new rule of the validator catches its injected fault,
and the real data keeps to them."""

import pandas as pd
import pytest

from balkanarms import DATA_DIR, reconcile as rc
from balkanarms.validate import validate

T = "transfers.csv"
S = "statistics.csv"
BIB = "references.bib"


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def hits(problems, file, line, column):
    return [p for p in problems if p.file == file and p.line == line and p.column == column]


# (name, file, old, new, expected file, line, column, words in the message)
FAULTS = [
    ("order year without its basis", T, "2019,contract,2022", "2019,,2022", T, 2, "order_basis", "basis is empty"),
    (
        "approval kept as an order year",
        T,
        "2019,contract,2022",
        "2019,approval,2022",
        T,
        2,
        "order_year",
        "not an order",
    ),
    (
        "announcement kept as an order year",
        T,
        "2016,agreement,2017",
        "2016,announcement,2017",
        T,
        3,
        "order_year",
        "not an order",
    ),
    ("inferred order year with no how", T, "2019,contract,2022", "2019,inferred,2022", T, 2, "order_basis", "inferred"),
    (
        "order basis without an order year",
        T,
        "3,3,2019,contract,2022",
        "3,3,,contract,2022",
        T,
        2,
        "order_basis",
        "without an order_year",
    ),
    ("bad order basis", T, "2019,contract,2022", "2019,guessed,2022", T, 2, "order_basis", "allowed values"),
    (
        "mixed purchase and donation in one row",
        T,
        "confirmed,,keyb\n",
        "confirmed,24 bought and 27 donated: a mixed purchase/donation.,keyb\n",
        T,
        4,
        "deal_type",
        "split",
    ),
    (
        "delivered with fewer delivered than ordered",
        T,
        "combat_aircraft,12,12",
        "combat_aircraft,12,9",
        T,
        4,
        "status",
        "in_delivery",
    ),
    ("statistic without scope", S, "percent,SRB,SIPRI", "percent,,SIPRI", S, 2, "scope", "required"),
    (
        "statistic scope not its recipient",
        S,
        "percent,SRB,SIPRI",
        "percent,world,SIPRI",
        S,
        2,
        "scope",
        "has the scope SRB",
    ),
    ("bad statistic scope", S, "percent,SRB,SIPRI", "percent,Europe,SIPRI", S, 2, "scope", "pattern"),
    (
        "aggregator host",
        BIB,
        "https://example.org/a",
        "https://naslovi.net/2022-04-10/a/123",
        BIB,
        1,
        "url",
        "aggregator",
    ),
    (
        "repost on a blog",
        BIB,
        "https://example.org/a",
        "https://someone.blogspot.com/2022/a.html",
        BIB,
        1,
        "url",
        "aggregator",
    ),
    (
        "tag listing page",
        BIB,
        "https://example.org/a",
        "https://example.org/tag/military-exercises",
        BIB,
        1,
        "url",
        "listing",
    ),
    ("redirect link", BIB, "https://example.org/a", "https://example.org/rd/37347936", BIB, 1, "url", "redirect"),
]


@pytest.mark.parametrize("name,file,old,new,efile,eline,ecol,words", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_reported(fixture_dir, name, file, old, new, efile, eline, ecol, words):
    edit(fixture_dir / file, old, new)
    found = hits(validate(fixture_dir), efile, eline, ecol)
    assert found, f"{name}: not reported at {efile}:{eline} [{ecol}]"
    assert any(words in p.message for p in found), [p.message for p in found]


def test_each_basis_with_a_year_passes_when_the_notes_say_how(fixture_dir):
    edit(fixture_dir / T, "2019,contract,2022", "2019,inferred,2022")
    edit(fixture_dir / T, "confirmed,,keya\n", "confirmed,Order year inferred from the payment year.,keya\n")
    assert validate(fixture_dir) == []


def test_an_approval_without_an_order_year_passes(fixture_dir):
    edit(fixture_dir / T, "2019,contract,2022", "2019,approval,2022")
    edit(fixture_dir / T, "3,3,2019,approval,2022", "3,3,,approval,2022")
    assert validate(fixture_dir) == []


def test_fewer_delivered_with_a_reason_or_in_delivery_passes(fixture_dir):
    edit(fixture_dir / T, "combat_aircraft,12,12", "combat_aircraft,12,9")
    edit(fixture_dir / T, "confirmed,,keyb\n", "confirmed,Three were cancelled in 2024.,keyb\n")
    assert not hits(validate(fixture_dir), T, 4, "status")
    edit(fixture_dir / T, "Three were cancelled in 2024.", "")
    edit(fixture_dir / T, "reported,delivered,purchase,true,999", "reported,in_delivery,purchase,true,999")
    assert not hits(validate(fixture_dir), T, 4, "status")


def test_a_split_deal_naming_its_other_part_passes(fixture_dir):
    edit(fixture_dir / T, "confirmed,,keyb\n", "confirmed,Split from a mixed purchase/donation: see T-SRB-002.,keyb\n")
    assert validate(fixture_dir) == []


def test_a_world_figure_has_no_recipient(fixture_dir):
    edit(fixture_dir / S, "S-001,SRB,CHN,share_of_imports", "S-001,,CHN,share_of_imports")
    edit(fixture_dir / S, "percent,SRB,SIPRI", "percent,SRB,SIPRI")
    found = hits(validate(fixture_dir), S, 2, "scope")
    assert found and "not a country" in found[0].message
    edit(fixture_dir / S, "percent,SRB,SIPRI", "percent,world,SIPRI")
    assert not hits(validate(fixture_dir), S, 2, "scope")


def test_an_aggregator_marked_mirror_passes_but_not_alone_on_a_deal(fixture_dir):
    bib = fixture_dir / BIB
    edit(bib, "https://example.org/a", "https://naslovi.net/2022-04-10/a/123")
    edit(bib, "  url = {https://naslovi.net", "  mirror = {mirror of Outlet A},\n  url = {https://naslovi.net")
    problems = validate(fixture_dir)
    assert not [p for p in problems if p.file == BIB]
    # T-SRB-001 rests on keya alone: a confirmed row, and any deal, needs a source that is not a copy
    assert hits(problems, T, 2, "confidence")
    edit(fixture_dir / T, "confirmed,,keya\n", "reported,,keya\n")
    found = hits(validate(fixture_dir), T, 2, "sources")
    assert found and "only on mirrors" in found[0].message
    edit(fixture_dir / T, "reported,,keya\n", "reported,,keya;keyb\n")
    edit(fixture_dir / "evidence" / T, "T-SRB-001,keya,", "T-SRB-001,keyb,")
    assert not [p for p in validate(fixture_dir) if p.file in (T, BIB)]


def test_a_source_removed_for_a_reason_cannot_come_back_silently(fixture_dir):
    log = fixture_dir / "changes.csv"
    with open(log, "a", encoding="utf-8") as f:
        f.write("2026-12-02,T-SRB-002,sources,keya;keyb,keyb,keya is a repost of another outlet's page.,keyb\n")
    found = hits(validate(fixture_dir), T, 3, "sources")
    assert found and found[0].value == "keya" and "removed" in found[0].message
    with open(log, "a", encoding="utf-8") as f:
        f.write("2026-12-03,T-SRB-002,sources,keyb,keyb;keya,an evidence part quotes this source for the row,keya\n")
    assert hits(validate(fixture_dir), T, 3, "sources"), "a merge that re-adds it is still silent"
    with open(log, "a", encoding="utf-8") as f:
        f.write("2026-12-04,T-SRB-002,_restore,,keya,keya is now the publisher's own page (URL replaced).,keya\n")
    assert not hits(validate(fixture_dir), T, 3, "sources")


def test_a_bib_entry_removed_for_a_reason_cannot_be_defined_again(fixture_dir):
    with open(fixture_dir / "changes.csv", "a", encoding="utf-8") as f:
        f.write("2026-12-02,keyb,_remove,https://example.org/b,,a scraper copy.,\n")
    found = [p for p in validate(fixture_dir) if p.file == BIB and p.column == "key"]
    assert found and found[0].value == "keyb"


# --- reasons that explain, disagreements that cannot go stale (balkanarms.reconcile) ---------


@pytest.mark.parametrize(
    "reason",
    [
        "non_major_item:",
        "non_major_item: SIPRI's 2026 edition has no entry for them",
        "possible_gap: H215 helicopters for the police",  # a gap needs its evidence
        "other: anything at all",  # 'other' is no longer a reason
    ],
)
def test_vacuous_or_unknown_reasons_are_rejected(reason):
    links = pd.DataFrame([["", "T-SRB-001", "ledger_only", reason, ""]], columns=rc.COLUMNS)
    problems = rc.check_links(links, set(), {"T-SRB-001"}, "links.csv")
    assert len(problems) == 1 and "line 2, column 'reason'" in problems[0]


def test_reasons_that_explain_pass():
    links = pd.DataFrame(
        [
            ["", "T-SRB-001", "ledger_only", "small_arms: M4 carbines", ""],
            ["", "T-SRB-002", "ledger_only", "possible_gap: police helicopters; SIPRI counts police helicopters", ""],
        ],
        columns=rc.COLUMNS,
    )
    assert rc.check_links(links, set(), {"T-SRB-001", "T-SRB-002"}, "links.csv") == []


def test_real_reasons_are_enumerated_and_explain():
    links = rc.links()
    only = links[links["match"] == "ledger_only"]
    assert only["reason"].str.split(":").str[0].isin(rc.LEDGER_ONLY_REASONS).all()
    assert not only["reason"].str.startswith("other").any()
    assert [r for r in only["reason"] if rc.vacuous_reason(r)] == []


def test_a_stored_explanation_naming_a_value_the_deal_list_no_longer_has_fails():
    ledger = pd.DataFrame([{"id": "T-SRB-039", "supplier": "BEL", "order_year": "2021"}])
    links = pd.DataFrame(
        [["a|b", "T-SRB-039", "matched", "", "supplier: ledger FRA vs SIPRI Belgium (settled)"]], columns=rc.COLUMNS
    )
    stale = rc.stale_explanations(ledger, links)
    assert len(stale) == 1 and "'FRA'" in stale[0] and "'BEL'" in stale[0] and "line 2" in stale[0]
    links.loc[0, "disagreements"] = "supplier: the deal list codes the producing country"
    assert rc.stale_explanations(ledger, links) == []


def test_an_explanation_of_a_disagreement_that_no_longer_exists_fails():
    """An explanation kept for a field on which the deal list and SIPRI now agree is stale; the
    same explanation with the values apart again is not."""
    key = "Serbia|Germany|2021|EC-145|light helicopter"
    sipri_number = int(rc._register(rc.EDITION).set_index("sipri_key").loc[key, "number_ordered"])
    link = pd.DataFrame([[key, "T-SRB-038", "matched", "", "number_ordered: kept both"]], columns=rc.COLUMNS)
    ledger = rc.ledger()
    row = ledger["id"] == "T-SRB-038"
    ledger.loc[row, "number_ordered"] = str(sipri_number)
    stale = rc.stale_explanations(ledger, link)
    assert len(stale) == 1 and "no longer exists" in stale[0] and "number_ordered" in stale[0]
    ledger.loc[row, "number_ordered"] = str(sipri_number + 2)
    assert rc.stale_explanations(ledger, link) == []


def test_no_real_explanation_is_stale():
    assert rc.stale_explanations(rc.ledger(), rc.links()) == []


def test_disagreements_are_computed_from_both_sides_now():
    ledger, links = rc.ledger(), rc.links()
    d = rc.field_disagreements(ledger, links)
    assert set(d["field"]) <= set(rc.DISAGREEMENT_FIELDS)
    led = ledger.set_index("id")
    for row in d.itertuples(index=False):  # every value shown is the deal list's current one
        assert row.ledger == (str(led.loc[row.ledger_id, row.field]) or "empty")
    # the supplier of T-SRB-039 was corrected to BEL: SIPRI agrees, so no supplier row shows
    assert d[(d["ledger_id"] == "T-SRB-039") & (d["field"] == "supplier")].empty
    table = rc.disagreements_table(ledger, links)
    assert table["Disagreement (explanation)"].str.contains(" vs SIPRI ").all()


# --- the real data keeps to the rules -------------------------------------------------------


def test_order_years_have_a_basis_and_no_approval_is_an_order():
    t = pd.read_csv(DATA_DIR / T, dtype=str, keep_default_na=False)
    dated = t[t["order_year"] != ""]
    assert dated["order_basis"].isin(["contract", "agreement", "inferred"]).all()
    for rid in ("T-HRV-021", "T-MKD-009", "T-BIH-009", "T-XKX-013", "T-BIH-012"):
        assert t.set_index("id").loc[rid, "order_year"] == "", rid
    assert t.set_index("id").loc["T-HRV-014", "order_basis"] == "inferred"
    assert t.set_index("id").loc["T-ALB-002", "order_basis"] == "inferred"


def test_named_rows_are_fixed():
    t = pd.read_csv(DATA_DIR / T, dtype=str, keep_default_na=False).set_index("id")
    assert (t.loc["T-XKX-002", "deal_type"], t.loc["T-XKX-002", "number_ordered"]) == ("purchase", "24")
    assert (t.loc["T-XKX-020", "deal_type"], t.loc["T-XKX-020", "number_ordered"]) == ("donation", "27")
    assert t.loc["T-ALB-001", "delivery_start"] == "2007"
    assert "latest possible" in t.loc["T-XKX-019", "notes"]
    assert "T-MNE-012" not in t.index  # a budget line with no order and no supplier named is not a transfer
    changes = pd.read_csv(DATA_DIR / "changes.csv", dtype=str, keep_default_na=False)
    assert ((changes["row_id"] == "T-MNE-012") & (changes["field"] == "_remove")).any()
    e = pd.read_csv(DATA_DIR / "engagements.csv", dtype=str, keep_default_na=False).set_index("id")
    assert "BLR" not in e.loc["E-137", "parties"].split(";")
    s = pd.read_csv(DATA_DIR / S, dtype=str, keep_default_na=False).set_index("id")
    assert s.loc["S-027", "scope"] == "europe"
    world = s[(s["scope"] == "world") & (s["period_start"] == "2021") & (s["measure"] == "import_volume_change")]
    assert world["value"].tolist() == ["9.2"]
