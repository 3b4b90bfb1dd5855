"""SIPRI extracts: the reader, deal keys, TIV by year, shares and the published figures."""

import hashlib
import shutil

import pandas as pd
import pytest

from balkanarms import DATA_DIR, aggregate as agg, sipri, wording
from balkanarms.validate import DataError, validate

HEADER = ",".join(sipri.DEAL_HEADER)


def write_register(tmp_path, *rows):
    path = tmp_path / "register.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------ reader edge cases


def test_flags_lists_and_empty_versus_zero(tmp_path):
    path = write_register(
        tmp_path,
        "Serbia,China,2019,?,6,?,CH-92,armed UAV,6,,2020; 2021,New,,1,6,6",
        "Serbia,Russia,2021,,,,R-77,missile,0,,,New,,0.25,,0",
    )
    recs, problems = sipri.parse_register(path)
    assert problems == []
    a, b = recs
    assert (a["order_year_uncertain"], a["number_ordered_uncertain"], a["number_delivered_uncertain"]) == (
        True,
        True,
        False,
    )
    assert a["delivery_years"] == [2020, 2021]
    assert (a["recipient"], a["supplier"], a["tiv_delivered"]) == ("SRB", "CHN", 6.0)
    # empty 'Number ordered' and 'TIV for total order' stay missing, a '0' is zero
    assert b["number_ordered"] is None and b["tiv_order"] is None
    assert b["tiv_delivered"] == 0.0 and b["delivery_years"] == []


def test_unknown_country_is_rejected_with_file_line_and_value(tmp_path):
    path = write_register(
        tmp_path,
        "Serbia,China,2019,,6,,CH-92,armed UAV,6,,2020,New,,1,6,6",
        "Serbia,Atlantis,2019,,6,,X,drone,6,,2020,New,,1,6,6",
    )
    _, problems = sipri.parse_register(path)
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [("register.csv", 3, "Supplier", "Atlantis")]


@pytest.mark.parametrize(
    "cells, column, value",
    [
        ("Serbia,China,2019,!,6,,CH-92,UAV,6,,2020,New,,1,6,6", "? (Year of order)", "!"),
        ("Serbia,China,2019,,six,,CH-92,UAV,6,,2020,New,,1,6,6", "Number ordered", "six"),
        ("Serbia,China,2019,,6,,CH-92,UAV,6,,2020;2021,New,,1,6,6", "Year(s) of delivery", "2020;2021"),
        ("Serbia,China,2019,,6,,CH-92,UAV,6,,2020,New,,1,6,6.x", "SIPRI TIV of delivered weapons", "6.x"),
        ("Serbia,China,2019,,6,,CH-92,UAV,6,,2020,New,,1,6,", "SIPRI TIV of delivered weapons", ""),
        ("Serbia,China,2019,,6,,CH-92,UAV,6,,,New,,1,6,6", "SIPRI TIV of delivered weapons", "6"),
        ("Serbia,China,2019,,6,,CH-92,UAV,6,,2020,Used,,1,6,6", "status", "Used"),
    ],
)
def test_bad_cells_are_named(tmp_path, cells, column, value):
    recs, problems = sipri.parse_register(write_register(tmp_path, cells))
    assert recs == []
    assert [(p.line, p.column, p.value) for p in problems] == [(2, column, value)]


def test_wrong_header_is_a_problem(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(HEADER.replace("Year of order", "Order year") + "\n", encoding="utf-8")
    _, problems = sipri.parse_register(path)
    assert problems and problems[0].line == 1


@pytest.fixture
def data_copy(tmp_path):
    """A copy of the real data package, to change."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("__pycache__"))
    return data


def test_reader_raises_on_a_bad_file(data_copy):
    path = data_copy / "sipri" / sipri.EDITIONS["2026"]["file"]
    text = path.read_text(encoding="utf-8").replace("Serbia,China,2019", "Serbia,Cathay,2019", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="Cathay"):
        sipri.register("2026", data_copy)
    rel = f"sipri/{path.name}"
    problems = [p for p in validate(data_copy) if p.file == rel]
    assert any(p.value == "Cathay" and p.column == "Supplier" and p.line for p in problems)
    assert any("sha256 differs from datapackage.json" in p.message for p in problems)  # its `hash`


def test_a_changed_byte_of_a_sipri_file_is_named_once(data_copy):
    """One changed byte in an extract of the seven and in one of the files beyond the seven: each
    file is named once as changed, with the sha256 it now has."""
    changed = {}
    for name in (sipri.PER_YEAR["file"], "wb_exports_sipri_2026-05-18.csv"):
        path = data_copy / "sipri" / name
        raw = path.read_bytes()
        i = raw.rindex(b"1")  # a digit of the last row's numbers
        path.write_bytes(raw[:i] + b"2" + raw[i + 1 :])
        changed[f"sipri/{name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    hashes = [p for p in validate(data_copy) if "sha256" in p.message]
    assert sorted((p.file, p.line, p.column, p.value) for p in hashes) == sorted(
        (rel, None, None, digest) for rel, digest in changed.items()
    )


def test_the_extracts_check_clean():
    assert sipri.check_extracts(DATA_DIR) == []
    assert [p for p in validate(DATA_DIR) if p.file.startswith("sipri") or p.file == "datapackage.json"] == []


def test_per_year_file():
    py = sipri.per_year()
    assert len(py) == 217 and py["year"].between(*sipri.PER_YEAR["coverage"]).all()
    assert (py["tiv"] >= 0).all()


# ------------------------------------------------------------------ keys


@pytest.mark.parametrize("edition", sorted(sipri.EDITIONS))
def test_keys_unique_and_as_contracted(edition):
    reg = sipri.register(edition)
    assert reg["sipri_key"].is_unique
    if edition == "2026":
        assert "Serbia|China|2019|CH-92|(armed) reconnaissance drone" in set(reg["sipri_key"])
        assert list(reg.loc[reg["sipri_key"].str.endswith(" #2"), "sipri_key"]) == [
            "Croatia|Switzerland|1996|PC-9|(armed) trainer aircraft #2"
        ]


def test_deal_key_from_sipri_row():
    row = {
        "Recipient": "Serbia",
        "Supplier": "China",
        "Year of order": "2019",
        "Weapon designation": "CH-92",
        "Weapon description": "(armed) reconnaissance drone",
    }
    assert sipri.deal_key(row) == "Serbia|China|2019|CH-92|(armed) reconnaissance drone"
    assert sipri.deal_keys([row, row, row])[1:] == [sipri.deal_key(row) + " #2", sipri.deal_key(row) + " #3"]


# ------------------------------------------------------------------ TIV by year


@pytest.mark.parametrize("edition", sorted(sipri.EDITIONS))
def test_tiv_non_negative_and_totals_kept(edition):
    t = sipri.tiv_by_year(edition)
    assert (t["tiv"] >= 0).all()
    assert t["year"].between(*sipri.coverage(edition)).all()
    assert t["bloc"].notna().all()
    # the yearly values of each deal add up to its delivered TIV, exact or split
    reg = sipri.register(edition).set_index("sipri_key")
    sums = t.groupby("sipri_key")["tiv"].sum()
    assert (sums - reg.loc[sums.index, "tiv_delivered"].astype(float)).abs().max() < 0.03


def test_exact_years_used_where_the_per_year_register_has_them():
    t = sipri.tiv_by_year("2025")
    recent = t[t["year"].between(1995, 2024)]
    assert not recent["split"].any()  # every 2025-edition deal delivered since 1995 is matched
    assert t.loc[t["year"] < 1995, "split"].all()


@pytest.mark.parametrize("edition", sorted(sipri.EDITIONS))
def test_split_and_exact_agree_on_2020_24(edition):
    a = sipri.tiv_shares("SRB", (2020, 2024), edition).set_index("group")["share"]
    b = sipri.tiv_shares("SRB", (2020, 2024), edition, exact=False).set_index("group")["share"]
    assert (a - b.reindex(a.index)).abs().max() <= 0.2


def test_split_figure_reported():
    s = sipri.tiv_shares("SRB", (2021, 2025), "2026")
    assert 0 < s.attrs["split_tiv"] < s.attrs["total"]
    assert s["split_tiv"].sum() == pytest.approx(s.attrs["split_tiv"])
    assert sipri.tiv_shares("SRB", (2020, 2024), "2025").attrs["split_tiv"] == 0


# ------------------------------------------------------------------ shares


def test_shares_sum_to_100_and_carry_denominator():
    s = sipri.tiv_shares("SRB", (2021, 2025), "2026", by="bloc")
    assert s["share"].sum() == pytest.approx(100)
    assert s["tiv"].sum() == pytest.approx(s.attrs["total"])


def test_empty_window_gives_empty_table_and_none():
    s = sipri.tiv_shares("XKX", (1950, 1960), "2026")
    assert s.empty and s.attrs["total"] == 0
    assert sipri.largest_supplier("XKX", (1950, 1960), "2026") is None
    assert sipri.readable_shares(s).empty


def test_largest_supplier_of_serbia():
    group, tiv, share, total = sipri.largest_supplier("SRB", (2021, 2025), "2026", by="supplier")
    assert group == "CHN" and share == pytest.approx(tiv / total * 100)


def test_share_table_keeps_missing_windows_missing():
    shares = {
        "a": sipri.tiv_shares("SRB", (2021, 2025), "2026", by="bloc"),
        "b": sipri.tiv_shares("XKX", (1950, 1960), "2026", by="bloc"),
    }
    t = sipri.share_table(shares)
    assert t.loc["a"].sum() == pytest.approx(100) and t.loc["b"].isna().all()


def test_bad_edition_names_the_allowed_values():
    with pytest.raises(ValueError, match="2025"):
        sipri.register("2024")


# ------------------------------------------------------------------ published figures

#: Rows published before March 2025 that the 2025 edition no longer reproduces: SIPRI revised its
#: register since (the book holds no earlier edition). Reported, not adjusted.
OLDER_EDITION_DISAGREEMENTS = {"S-028", "S-029", "S-030", "S-033", "S-037"}


def test_published_figures_reproduced():
    pub = sipri.published_figures()
    done = pub[pub["agrees"].notna()]
    assert set(done.loc[~done["agrees"].astype(bool), "id"]) == OLDER_EDITION_DISAGREEMENTS
    # every share of imports (the headline figures) agrees within its rounding
    shares = pub[pub["measure"] == "share_of_imports"]
    assert len(shares) == 6 and shares["agrees"].all()


def test_rows_not_recomputed_are_explained():
    pub = sipri.published_figures()
    left = pub[pub["agrees"].isna()]
    assert set(left["id"]) == {"S-024", "S-025", "S-026", "S-027", "S-077", "S-084", "S-085"}
    assert left["how"].str.len().gt(0).all()


@pytest.mark.parametrize(
    "edition, window, expected",
    [
        ("2025", (2020, 2024), {"CHN": 57.0, "RUS": 19.8, "FRA": 7.4}),
        ("2026", (2020, 2024), {"CHN": 53.6, "RUS": 21.0, "FRA": 8.1}),
    ],
)
def test_serbia_shares_as_in_the_extracts_readme(edition, window, expected):
    # the README's figures split every deal evenly; the exact values differ by <= 0.1 point
    for exact, tol in ((False, 0.05), (True, 0.1)):
        s = sipri.tiv_shares("SRB", window, edition, exact=exact).set_index("group")["share"]
        for code, value in expected.items():
            assert s[code] == pytest.approx(value, abs=tol)


def test_revision_between_editions():
    rev = sipri.revision("SRB", (2020, 2024))
    assert list(rev.columns) == ["2025", "2026"]
    assert rev.loc["CHN", "2025"] - rev.loc["CHN", "2026"] == pytest.approx(3.3, abs=0.1)
    assert rev.loc["RUS", "2026"] > rev.loc["RUS", "2025"]
    deals = sipri.revised_deals("SRB", (2020, 2024))
    hq22 = deals[(deals["supplier"] == "CHN") & (deals["designation"] == "HQ-22")]
    assert len(hq22) == 1 and hq22["change"].iloc[0] == pytest.approx(-50)
    # the deal-level changes account for the change of the total
    totals = rev.attrs["totals"]
    assert deals["change"].sum() == pytest.approx(totals["2026"] - totals["2025"], abs=0.1)


def test_statistics_edition_column():
    stats = pd.read_csv(DATA_DIR / "statistics.csv", dtype=str, keep_default_na=False)
    sipri_rows = stats[stats["measure"].isin(sipri.RECOMPUTABLE) & stats["origin"].str.contains("SIPRI")]
    assert (sipri_rows["sipri_edition"] != "").all()


def test_split_part_parts_add_up():
    p = sipri.split_part("SRB", (2021, 2025), "2026")
    assert p["exact"] + p["split"] == pytest.approx(p["total"])
    assert 0 <= p["edge"] <= p["split"]
    # a deal wholly inside the window contributes its whole delivered TIV, split or not
    s = sipri.tiv_shares("SRB", (2021, 2025), "2026")
    assert s.attrs["edge_split_tiv"] == pytest.approx(p["edge"])


def test_period_labels_and_articles():
    assert agg.window_label((2021, 2025)) == "2021–25"
    assert agg.window_label((1950, 2024)) == "1950–2024"
    assert agg.window_label((2025, 2025)) == "2025"
    assert wording.with_article("United States") == "the United States" and wording.with_article("China") == "China"


def test_revision_sentence_names_the_largest_change():
    from balkanarms import data

    text = sipri.describe_revision(sipri.revised_deals("SRB", (2020, 2024)), data.names())
    assert text.startswith("The 3 largest changes: the HQ-22 from China")
    assert sipri.describe_revision(sipri.revised_deals("XKX", (1950, 1960)), data.names()).startswith("No deal")
