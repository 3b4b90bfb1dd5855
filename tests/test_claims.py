"""One test per statement the book's prose makes about the data.

Each test is named after the sentence it protects. A data change that makes a
sentence false fails exactly that test, in about a second, without a book build.
"""

import re
import shutil

import pandas as pd
import pytest

from balkanarms import DATA_DIR, claims, data, wording


@pytest.fixture(scope="module")
def ledger():
    return data.transfers()


def test_only_serbia_has_bought_chinese_weapon_systems(ledger):
    # region chapter, capabilities chapter, claims: "the only buyer of Chinese weapon systems is Serbia"
    assert claims.chinese_weapon_buyers(ledger) == ["SRB"]


def test_chinese_deals_with_the_other_six_are_donations(ledger):
    # claims: "Chinese deliveries to Bosnia and Herzegovina and Montenegro are donations"
    assert set(claims.chinese_deals_elsewhere(ledger)) == {"donation"}


def test_serbia_russia_outweighs_serbia_china_in_deals(ledger):
    # region chapter and claims: counted in deals, Serbia-Russia is larger than Serbia-China
    assert claims.russia_outweighs_china_in_serbian_deals(ledger)


def test_first_chinese_deal_with_serbia_comes_after_the_first_russian_one(ledger):
    # Serbia chapter: "the first dated deal with China ... is from 2016", later than Russia's
    china = claims.first_year("SRB", ["CHN"], ledger)
    russia = claims.first_year("SRB", ["RUS", "BLR"], ledger)
    assert china is not None and russia is not None
    assert china >= 2016 and china > russia


def test_most_russian_and_belarusian_deals_with_serbia_were_purchases(ledger):
    # claims: "most Russian and Belarusian deals were purchases; the donations were second-hand fighters and armour"
    t = claims.deal_types("SRB", "russia_belarus", ledger)
    assert t.get("purchase", 0) > t.get("donation", 0) > 0


def test_every_serbian_deal_is_counted_or_given_a_reason(ledger):
    # Serbia chapter: "The book counts 48 of the 61 deals it lists for Serbia: of the others, ..."
    c = claims.deal_counts("SRB", ledger)
    listed = int((ledger["recipient"] == "SRB").sum())
    assert c["counted"] + c["unconfirmed"] + c["cancelled"] + c["undated"] + c["outside"] == c["listed"] == listed
    assert c["drawn"] == c["counted"]  # on the default basis every counted deal has its year


def test_no_neighbour_has_more_supplier_countries_than_serbia(ledger):
    # region chapter / claims (diversification): Serbia has at least as many supplier countries as any neighbour
    t = claims.suppliers_and_blocs(ledger)
    assert t.loc["SRB", "suppliers"] == t["suppliers"].max()


def test_a_changed_row_fails_exactly_its_claim(tmp_path, ledger):
    """A Chinese drone sold to Croatia in a copy of the data breaks the 'only Serbia' statement and
    leaves the others standing."""
    d = tmp_path / "data"
    shutil.copytree(DATA_DIR, d)
    path = d / "transfers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = dict.fromkeys(header, "")
    row.update(
        id="T-HRV-099",
        recipient="HRV",
        supplier="CHN",
        designation="CH-92A",
        description="armed UAV",
        category="aircraft",
        capability="uav",
        number_ordered="2",
        order_year="2024",
        order_basis="contract",
        status="ordered",
        deal_type="purchase",
        second_hand="false",
        confidence="reported",
        sources=ledger.loc[0, "sources"][0],
    )
    path.write_text("\n".join(lines + [",".join(row[h] for h in header)]) + "\n", encoding="utf-8")
    with open(d / "evidence" / "transfers.csv", "a", encoding="utf-8") as f:  # the row's evidence
        f.write(
            f"T-HRV-099,{row['sources']},supplier;designation;number_ordered;order_year;deal_type;second_hand,"
            "In 2024 Croatia bought 2 new CH-92A drones from China.,"
            "In 2024 Croatia bought 2 new CH-92A drones from China.\n"
        )
    changed = data.transfers(d)  # validates first: the new row is a well-formed, evidenced deal
    assert claims.chinese_weapon_buyers(changed) == ["HRV", "SRB"]
    assert claims.russia_outweighs_china_in_serbian_deals(changed)


def test_sentences_read_right_for_empty_selections():
    assert wording.first_deal("Croatia", "China", None) == "No counted deal of Croatia with China is recorded."
    assert wording.of_which({}, "deals with China") == "There are no deals with China."
    zero = dict.fromkeys(["listed", "counted", "drawn", "unconfirmed", "cancelled", "undated", "outside"], 0)
    assert wording.counted(zero, "Kosovo", (2006, 2025)) == "The book's deal list records no deal for Kosovo."


# ---------------------------------------------------------------- volume (SIPRI TIV)

from balkanarms import sipri  # noqa: E402


def test_china_is_serbias_largest_supplier_by_volume_in_the_headline_window():
    # introduction (key finding 1), Serbia chapter, claims scorecard "main_partner"
    assert claims.main_supplier_by_volume("SRB", sipri.HEADLINE_WINDOW, sipri.HEADLINE_EDITION) == "CHN"


def test_china_to_serbia_is_the_largest_relationship_by_volume():
    # claims scorecard "outpaces": by volume delivered in the headline window
    assert claims.largest_pair_by_volume(sipri.HEADLINE_WINDOW, sipri.HEADLINE_EDITION) == ("SRB", "CHN")


def test_serbia_is_the_only_recipient_of_chinese_major_arms_since_2006():
    # claims scorecard "primary_client" and the region chapter
    assert claims.chinese_volume_recipients((2006, sipri.HEADLINE_WINDOW[1]), sipri.HEADLINE_EDITION) == ["SRB"]


def test_every_neighbour_draws_most_volume_from_nato_eu_members():
    # introduction (key finding 2) and the map: NATO/EU fills every country but Serbia
    t = claims.largest_table(None, sipri.HEADLINE_WINDOW, sipri.HEADLINE_EDITION).set_index("country")
    others = t.drop(index="Serbia")["largest by volume"]
    assert set(others) == {"NATO/EU members"} and t.loc["Serbia", "largest by volume"] == "China"


def test_the_2026_edition_lowers_chinas_2020_24_share_for_serbia():
    # introduction (key finding 5) and the measures chapter
    rev = sipri.revision("SRB", (2020, 2024))
    assert rev.loc["CHN", "2026"] < rev.loc["CHN", "2025"]
    assert rev.index[0] == "CHN"


def test_scorecard_uses_the_four_verdicts_only_and_counts_add_up():
    card = claims.scorecard()
    assert set(card["verdict"]) <= set(claims.VERDICTS)
    assert card["key"].is_unique and len(card) >= 12
    # the counts the claims page shows (book/claims.md): one per verdict, adding up to every claim
    counts = card["verdict"].value_counts().reindex(claims.VERDICTS, fill_value=0)
    assert int(counts.sum()) == len(card)
    assert all(int(counts[v]) == int((card["verdict"] == v).sum()) for v in claims.VERDICTS)
    tally = wording.tally_sentence(counts, len(card))
    told = [int(n) for n in re.findall(r"\b(\d+)\b", tally)]
    assert told[0] == len(card) and sum(told[1:]) == len(card)  # "Of the article's N claims, a ..., b, c, and d"


def test_china_delivered_most_of_serbias_volume_in_the_2020s():
    # introduction, headline figure title: "China delivered most of Serbia's major arms in the 2020s"
    shares = sipri.tiv_shares("SRB", sipri.HEADLINE_WINDOW, sipri.HEADLINE_EDITION).set_index("group")
    assert shares.loc["CHN", "share"] > 50


# ---------------------------------------------------------------- verdicts follow their scale


@pytest.mark.parametrize(
    "by_volume, by_deals, expected",
    [
        (True, True, "Supported"),
        (True, False, "Partly supported"),
        (False, True, "Partly supported"),
        (False, False, "Not supported"),
        (True, None, "Supported"),
        (None, False, "Not supported"),
        (None, None, "Open"),
    ],
)
def test_the_verdict_rule(by_volume, by_deals, expected):
    assert claims.verdict(by_volume, by_deals) == expected


def test_every_measured_verdict_follows_from_its_measures(ledger):
    """A claim that holds by volume and fails by deals cannot be marked Supported (the scale says so)."""
    card = claims.scorecard(ledger)
    measured = card[card["by volume"].notna() | card["by deals"].notna()]
    assert len(measured) >= 4
    for _, row in measured.iterrows():
        v = None if pd.isna(row["by volume"]) else bool(row["by volume"])
        d = None if pd.isna(row["by deals"]) else bool(row["by deals"])
        assert row["verdict"] == claims.verdict(v, d), row["key"]
    assert set(card["verdict"]) <= set(claims.VERDICTS) == set(claims.SCALE)


def test_china_is_serbias_main_partner_by_volume_but_not_by_deals(ledger):
    # claims: "main new arms partner" is Partly supported
    row = claims.scorecard(ledger).set_index("key").loc["main_partner"]
    assert row["by volume"] and not row["by deals"] and row["verdict"] == "Partly supported"


def test_serbia_is_chinas_first_client_in_europe_by_volume_and_by_deals():
    # claims and "Beyond the seven": Serbia ranks first among China's European recipients in 2021-25
    from balkanarms import sipri, world

    assert world.china_rank("Serbia", sipri.HEADLINE_WINDOW, region="Europe")[0] == 1
    assert claims.china_deals_by_recipient(sipri.HEADLINE_WINDOW, region="Europe").index[0] == "Serbia"
