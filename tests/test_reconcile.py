"""The ledger reconciled with SIPRI's register (balkanarms.reconcile, data/sipri_links.csv)."""

import pandas as pd
import pytest

from balkanarms import reconcile as rc


@pytest.fixture(scope="module")
def real():
    """SIPRI's deals since 2006, the checked links and the ledger (with rows staged from SIPRI)."""
    return rc.deals(), rc.links(), rc.ledger()


def test_every_sipri_deal_since_2006_is_linked_or_explained(real):
    deals, links, _ = real
    assert deals["sipri_key"].is_unique
    sipri_side = links[links["match"] != "ledger_only"]
    assert set(sipri_side["sipri_key"]) == set(deals["sipri_key"])
    for key, rows in sipri_side.groupby("sipri_key"):
        # matched to one or more distinct ledger rows, or left out once with a reason
        only_matched = set(rows["match"]) == {"matched"} and rows["ledger_id"].is_unique
        explained_once = len(rows) == 1 and rows["match"].iloc[0] == "sipri_only" and rows["reason"].iloc[0]
        assert only_matched or explained_once, key


def test_every_ledger_row_is_matched_or_has_a_reason(real):
    _, links, ledger = real
    matched = set(links.loc[links["match"] == "matched", "ledger_id"])
    only = links.loc[links["match"] == "ledger_only", "ledger_id"]
    assert only.is_unique
    assert matched.isdisjoint(only)
    assert set(rc.ledger_since(ledger)["id"]) <= matched | set(only)
    kinds = links.loc[links["match"] == "ledger_only", "reason"].str.split(":").str[0]
    assert kinds.isin(rc.LEDGER_ONLY_REASONS).all()


def test_matched_rows_share_the_recipient_and_name_any_supplier_difference(real):
    deals, links, ledger = real
    m = (
        links[links["match"] == "matched"]
        .merge(deals, on="sipri_key")
        .merge(ledger, left_on="ledger_id", right_on="id", suffixes=("_sipri", ""))
    )
    assert len(m) == (links["match"] == "matched").sum()
    assert (m["recipient_sipri"] == m["recipient"]).all()
    differ = m[m["supplier_sipri"] != m["supplier"]]
    assert not differ.empty
    assert differ["disagreements"].str.contains("supplier").all(), list(differ["ledger_id"])


def test_the_ledger_covers_all_of_sipri_after_reconciliation(real):
    deals, links, _ = real
    c = rc.coverage(deals, links)
    assert c["deals"] == 134
    assert c["share_deals_matched_or_explained"] == 1.0
    assert c["matched"] + c["explained"] == c["deals"]
    assert c["matched_before"] + c["added"] == c["matched"]


def test_link_problems_name_file_line_column_and_value():
    links = pd.DataFrame(
        [
            ["A|B|2020|X|y", "T-SRB-001", "matched", "", ""],
            ["A|B|2020|NOPE|y", "T-SRB-001", "matched", "", ""],
            ["", "T-SRB-999", "ledger_only", "small_arms: rifles", ""],
            ["", "T-SRB-001", "ledger_only", "because", ""],
        ],
        columns=rc.COLUMNS,
    )
    problems = rc.check_links(links, {"A|B|2020|X|y"}, {"T-SRB-001"}, "links.csv")
    assert len(problems) == 3
    assert problems[0].startswith("links.csv, line 3, column 'sipri_key': value 'A|B|2020|NOPE|y'")
    assert "line 4, column 'ledger_id': value 'T-SRB-999'" in problems[1]
    assert "line 5, column 'reason': value 'because'" in problems[2]


def test_coverage_on_a_tiny_fixture():
    deals = pd.DataFrame(
        {"sipri_key": ["a", "b", "c", "d"], "tiv_delivered": [10.0, 5.0, 1.0, 4.0], "tiv_order": [20.0, 5.0, 0.0, 15.0]}
    )
    links = pd.DataFrame(
        [
            ["a", "T-SRB-001", "matched", "", ""],
            ["b", "T-SRB-002", "matched", rc.ADDED + " (staged)", ""],
            ["c", "", "sipri_only", "out of scope: a loan", ""],
            ["", "T-SRB-003", "ledger_only", "small_arms: rifles", ""],
        ],
        columns=rc.COLUMNS,
    )
    c = rc.coverage(deals, links)
    assert (c["deals"], c["matched"], c["matched_before"], c["added"], c["explained"]) == (4, 2, 1, 1, 1)
    assert c["share_deals_matched"] == 0.5
    assert c["share_deals_matched_or_explained"] == 0.75
    assert c["tiv_delivered_total"] == 20.0
    assert c["share_tiv_delivered_matched_before"] == 0.5
    assert c["share_tiv_delivered_matched"] == 0.75
    assert c["share_tiv_delivered_matched_or_explained"] == 0.8
    assert c["share_tiv_order_matched"] == 25 / 40
