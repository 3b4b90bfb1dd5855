"""Aggregations, chart functions and the map on small synthetic data, with
hand-computed expected values; plus the real data's coverage floor."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import PathPatch, Rectangle  # noqa: E402

from balkanarms import (
    aggregate as agg,  # noqa: E402
    charts,
    data,
    maps,
)


def deals(rows):
    cols = [
        "recipient",
        "supplier",
        "bloc",
        "order_year",
        "delivery_start",
        "number_ordered",
        "number_delivered",
        "capability",
        "confidence",
    ]
    df = pd.DataFrame(rows, columns=cols)
    for c in ["order_year", "delivery_start", "number_ordered", "number_delivered"]:
        df[c] = df[c].astype("Int64")
    df["id"] = [f"T-{i}" for i in range(len(df))]
    df["status"] = "delivered"
    return df


SYN = deals(
    [
        ("SRB", "CHN", "china", 2018, 2020, 6, 6, "uav", "confirmed"),
        ("SRB", "CHN", "china", 2019, 2022, 4, None, "air_defence", "confirmed"),
        ("SRB", "RUS", "russia_belarus", 2016, 2017, 6, 6, "combat_aircraft", "confirmed"),
        ("SRB", "FRA", "nato_eu", 2024, None, 12, None, "combat_aircraft", "confirmed"),
        ("SRB", "FRA", "nato_eu", 2019, None, 50, None, "missiles", "reported"),
        ("HRV", "USA", "nato_eu", 2016, 2016, 16, 16, "helicopters", "confirmed"),
        ("HRV", "TUR", "turkey", None, 2025, 6, 6, "uav", "reported"),
    ]
)
COUNTRIES = pd.DataFrame(
    {
        "code": ["SRB", "HRV", "BIH", "MNE", "MKD", "ALB", "XKX", "CHN", "RUS", "FRA", "USA", "TUR"],
        "name": [
            "Serbia",
            "Croatia",
            "Bosnia and Herzegovina",
            "Montenegro",
            "North Macedonia",
            "Albania",
            "Kosovo",
            "China",
            "Russia",
            "France",
            "United States",
            "Turkey",
        ],
        "bloc": [
            "other",
            "nato_eu",
            "other",
            "nato_eu",
            "nato_eu",
            "nato_eu",
            "other",
            "china",
            "russia_belarus",
            "nato_eu",
            "nato_eu",
            "turkey",
        ],
        "capital_lat": [44.8, 45.81, 43.85, 42.44, 42.0, 41.33, 42.67, 39.9, 55.75, 48.85, 38.9, 39.93],
        "capital_lon": [20.46, 15.98, 18.36, 19.26, 21.43, 19.82, 21.17, 116.4, 37.62, 2.35, -77.04, 32.86],
    }
)


# ---------------------------------------------------------------- aggregation


def test_deal_year_falls_back_to_first_delivery():
    assert agg.event_year(SYN, "deal").tolist() == [2018, 2019, 2016, 2024, 2019, 2016, 2025]


def test_tally_counts_deals():
    by = agg.tally(SYN[SYN.recipient == "SRB"], ["supplier"], "order", "deals")
    assert by.to_dict() == {"CHN": 2, "FRA": 2, "RUS": 1}


def test_window_shares_sum_to_100():
    t = agg.window_table(SYN[SYN.recipient == "SRB"], "bloc", share=True)
    # 2016-20: china 2, russia 1, nato_eu 1 (missiles) -> 50/25/25; 2021-25: nato_eu 1 -> 100
    assert t.loc["2016–20", "china"] == pytest.approx(50)
    assert t.loc["2016–20", "russia_belarus"] == pytest.approx(25)
    assert t.loc["2021–25", "nato_eu"] == pytest.approx(100)
    assert np.allclose(t.loc[["2016–20", "2021–25"]].sum(axis=1), 100)
    assert t.loc["2006–10"].isna().all()  # no deals: no share, not 0 %


def test_largest_partner_and_ties():
    assert agg.largest_partner(SYN, "SRB") == ("nato_eu", 2, 40.0)  # 2-2 tie with China: bloc order
    assert agg.largest_partner(SYN, "HRV")[0] == "nato_eu"  # 1-1 tie broken by bloc order


def test_capability_matrix_counts():
    m = agg.capability_matrix(SYN, ["CHN", "FRA"])
    assert m.loc["CHN", "uav"] == 1 and m.loc["CHN", "air_defence"] == 1
    assert m.loc["FRA"].sum() == 2


def test_unknown_measure_is_an_error():
    with pytest.raises(ValueError):
        agg.tally(SYN, ["supplier"], "deal", "value")


# ---------------------------------------------------------------- charts


def bar_colours(fig):
    return {to_hex(p.get_facecolor(), keep_alpha=False) for ax in fig.axes for p in ax.patches}


def test_stacked_by_year_totals_and_legend():
    fig = charts.stacked_by_year(SYN[SYN.recipient == "SRB"], basis="deal", top=None)
    ax = fig.axes[0]
    heights = {}
    for p in ax.patches:
        x = round(p.get_x() + p.get_width() / 2)
        heights[x] = heights.get(x, 0) + p.get_height()
    heights = {x: h for x, h in heights.items() if h}
    assert heights == {2016: 1, 2018: 1, 2019: 2, 2024: 1}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["CHN", "RUS", "FRA"]
    plt.close(fig)


def test_the_default_count_leaves_out_unconfirmed_cancelled_and_undated_deals():
    """One rule counts deals on every page: confirmed or reported, not cancelled, dated 2006-25."""
    extra = deals(
        [
            ("SRB", "FRA", "nato_eu", 2019, None, 50, None, "missiles", "unconfirmed"),
            ("SRB", "TUR", "turkey", None, None, 6, None, "uav", "reported"),
            ("SRB", "RUS", "russia_belarus", 2003, 2004, 1, 1, "helicopters", "confirmed"),
            ("SRB", "RUS", "russia_belarus", 2020, None, 1, None, "air_defence", "confirmed"),
        ]
    )
    extra.loc[3, "status"] = "cancelled"
    both = pd.concat([SYN, extra], ignore_index=True)
    assert list(agg.counted(both)["id"]) == list(SYN["id"])
    assert agg.tally(both, ["supplier"]).sum() == len(SYN)
    fig = charts.stacked_by_year(both[both.recipient == "SRB"], basis="deal", top=None)
    assert sum(p.get_height() for p in fig.axes[0].patches) == (SYN.recipient == "SRB").sum()
    plt.close(fig)


def drawn_fills(fig) -> set[str]:
    """Colours of the bars actually drawn (patches with a height, on every panel)."""
    return {
        to_hex(p.get_facecolor(), keep_alpha=False)
        for ax in fig.axes
        for p in ax.patches
        if isinstance(p, Rectangle) and p.get_height() > 0 and p.get_width() > 0
    }


def drawn_lines(fig) -> set[str]:
    """Colours of the flow lines actually drawn on the map (unfilled paths)."""
    return {
        to_hex(p.get_edgecolor(), keep_alpha=False)
        for ax in fig.axes
        for p in ax.patches
        if isinstance(p, PathPatch) and p.get_facecolor()[3] == 0
    }


@pytest.mark.parametrize("supplier,bloc", [("CHN", "china"), ("RUS", "russia_belarus")])
def test_supplier_colour_is_the_same_in_every_chart(supplier, bloc):
    """One supplier's deals drawn by the bar chart, the small multiples and the map come out
    in one and the same colour, read from what each figure drew."""
    rows = SYN[(SYN.supplier == supplier) & (SYN.confidence == "confirmed")]
    bars = charts.stacked_by_year(rows, basis="deal", top=None)
    panels = charts.small_multiples(rows, recipients=["SRB", "HRV"], names={"SRB": "Serbia", "HRV": "Croatia"})
    flows = agg.ledger_flows(rows, (2016, 2025))
    the_map = maps.map_figure(flows, COUNTRIES, unit="deals", title="t", source="s")
    colours = [drawn_fills(bars), drawn_fills(panels), drawn_lines(the_map)]
    assert all(len(c) == 1 for c in colours), colours
    assert colours[0] == colours[1] == colours[2]
    legend = bars.axes[0].get_legend()
    keyed = {
        t.get_text(): to_hex(h.get_facecolor(), keep_alpha=False)
        for t, h in zip(legend.get_texts(), legend.legend_handles)
    }
    assert {keyed[supplier]} == colours[0]  # the legend shows the colour that was drawn
    plt.close("all")


def test_suppliers_are_told_apart_by_colour():
    srb = SYN[(SYN.recipient == "SRB") & (SYN.confidence == "confirmed")]
    fig = charts.stacked_by_year(srb, basis="deal", top=None)
    drawn = {}
    for p in fig.axes[0].patches:
        if isinstance(p, Rectangle) and p.get_height() > 0:
            drawn.setdefault(to_hex(p.get_facecolor(), keep_alpha=False), set()).add(round(p.get_x()))
    assert len(drawn) == srb["supplier"].nunique()  # CHN, RUS, FRA: three colours
    plt.close(fig)


def test_bloc_shares_draws_each_segment():
    table = pd.DataFrame({"china": [50.0, 0.0], "nato_eu": [50.0, 100.0]}, index=["a", "b"])
    fig = charts.bloc_shares(table)
    widths = sorted(round(p.get_width()) for p in fig.axes[0].patches)
    assert widths == [0, 50, 50, 100]
    plt.close(fig)


def test_small_multiples_one_panel_per_recipient():
    fig = charts.small_multiples(SYN, recipients=["SRB", "HRV"], names={"SRB": "Serbia", "HRV": "Croatia"})
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["Serbia", "Croatia"]
    plt.close(fig)


# ---------------------------------------------------------------- map


def test_ledger_flows_count_the_counted_deals():
    f = agg.ledger_flows(SYN, (2016, 2025))
    got = {(r.supplier, r.recipient): (r.value, r.unconfirmed) for r in f.itertuples()}
    assert got == {
        ("CHN", "SRB"): (2, 0),
        ("FRA", "SRB"): (2, 0),
        ("RUS", "SRB"): (1, 0),
        ("USA", "HRV"): (1, 0),
        ("TUR", "HRV"): (1, 0),
    }
    assert agg.dominant_bloc(f) == {"SRB": "nato_eu", "HRV": "nato_eu"}


def test_boundaries_hold_the_seven_recipients():
    b = maps.load_boundaries()
    focus = b[b["focus"]]
    assert sorted(focus["iso3"]) == sorted(agg.RECIPIENTS)
    assert focus.geometry.is_valid.all() and not focus.geometry.is_empty.any()
    assert (focus.geometry.area > 1e9).all()  # every polygon is larger than 1,000 km²


# ---------------------------------------------------------------- the real data


def test_coverage_floor():
    t = data.transfers()
    e = data.engagements()
    assert len(t) >= 100 and len(e) >= 30
    assert set(agg.RECIPIENTS) <= set(t["recipient"])
    assert {"CHN", "RUS", "FRA", "ESP"} <= set(t["supplier"])  # the article's suppliers


def test_seed_article_items_are_in_the_data():
    t = data.transfers()
    e = data.engagements()
    srb = " ".join(t.loc[t.recipient == "SRB", "designation"])
    for item in ["FK-3", "CH-92A", "FT-8C", "CH-95", "Rafale", "Mistral", "C295"]:
        assert item in srb, item
    titles = " ".join(e["title"]) + " " + " ".join(e["description"])
    for item in ["Pegaz", "250th", "Peace Defenders", "Huawei"]:
        assert item in titles, item


def test_every_country_used_has_a_bloc_and_capital():
    c = data.countries().set_index("code")
    t = data.transfers()
    assert set(t["supplier"]) <= set(c.index)
    assert c["capital_lat"].notna().all()


def test_bloc_history_stacks_each_years_volume_by_bloc_in_the_bloc_colour():
    """Read back from what was drawn: per panel, one filled step outline per bloc with
    deliveries, each year's layers adding up to that year's TIV, each in its bloc's colour."""
    from matplotlib.patches import StepPatch

    from balkanarms import charts_tiv, style

    tiv = pd.DataFrame(
        {
            "recipient": ["SRB", "SRB", "SRB", "ALB"],
            "year": [2020, 2020, 2022, 1970],
            "bloc": ["china", "russia_belarus", "china", "china"],
            "tiv": [100.0, 30.0, 50.0, 7.0],
        }
    )
    fig = charts_tiv.bloc_history(
        tiv, {"SRB": "Serbia", "ALB": "Albania"}, recipients=["SRB", "ALB"], years=(1965, 2025)
    )
    serbia = [p for p in fig.axes[0].patches if isinstance(p, StepPatch)]
    assert {to_hex(p.get_facecolor(), keep_alpha=False) for p in serbia} == {
        to_hex(style.bloc_colour("china")),
        to_hex(style.bloc_colour("russia_belarus")),
    }
    years = np.arange(1965, 2026)
    stacked = sum(np.asarray(p.get_data().values) - np.asarray(p.get_data().baseline) for p in serbia)
    assert stacked[years == 2020][0] == 130.0 and stacked[years == 2022][0] == 50.0
    assert stacked.sum() == 180.0  # nothing drawn in the other years
    edges = serbia[0].get_data().edges
    assert edges[0] == 1964.5 and edges[-1] == 2025.5  # each year's bar spans the year
    assert len([p for p in fig.axes[1].patches if isinstance(p, StepPatch)]) == 1  # Albania: China only
    plt.close(fig)


# ---------------------------------------------------------------- blocs by date


@pytest.mark.parametrize(
    "supplier, year, bloc",
    [
        ("MNE", 2010, "other"),  # Montenegro joined NATO in 2017 and is not in the EU
        ("MNE", 2017, "nato_eu"),
        ("HRV", 2008, "other"),  # Croatia: NATO 2009, EU 2013
        ("HRV", 2009, "nato_eu"),
        ("ALB", 2008, "other"),  # Albania: NATO 2009
        ("ALB", 2009, "nato_eu"),
        ("MKD", 2019, "other"),  # North Macedonia: NATO 2020
        ("MKD", 2020, "nato_eu"),
        ("AUT", 1994, "other"),  # EU 1995, never NATO
        ("AUT", 1995, "nato_eu"),
        ("USA", 1960, "nato_eu"),
        ("RUS", 2010, "russia_belarus"),
        ("CHN", 2010, "china"),
    ],
)
def test_a_suppliers_bloc_is_the_one_it_had_in_that_year(supplier, year, bloc):
    assert list(data.bloc_in_year([supplier], [year])) == [bloc]


def test_montenegros_2010_deliveries_to_serbia_are_not_nato_eu_deliveries():
    """The deal list and SIPRI's volume both date the bloc: Serbia's 2006-10 imports came from
    Montenegro before it joined NATO, so no share of them is 'NATO/EU members'."""
    t = data.transfers()
    mne = t[(t["recipient"] == "SRB") & (t["supplier"] == "MNE")]
    assert len(mne) and set(mne["bloc"]) == {"other"}
    from balkanarms import sipri

    tiv = sipri.tiv_by_year("2026")
    srb = tiv[(tiv["recipient"] == "SRB") & (tiv["supplier"] == "MNE")]
    assert len(srb) and set(srb.loc[srb["year"] < 2017, "bloc"]) == {"other"}
    shares = sipri.tiv_shares("SRB", (2006, 2010), "2026", by="bloc").set_index("group")["share"]
    assert "nato_eu" not in shares.index or shares["nato_eu"] == 0


# ---------------------------------------------------------------- titles that state the finding


def test_chart_titles_state_their_finding_from_the_drawn_table():
    from balkanarms import titles

    shares = pd.DataFrame(
        {"russia_belarus": [90.0, 13.0], "china": [0.0, 61.0], "nato_eu": [10.0, 26.0]},
        index=["2016–20", "2021–25"],
    )
    assert titles.bloc_shift(shares, "Serbia", "volume") == (
        "Serbia: China led the volume in 2021–25 (61 %), Russia and Belarus in 2016–20"
    )
    assert titles.bloc_shift(shares.iloc[[1]], "Serbia", "volume") == "Serbia: China led the volume in 2021–25 (61 %)"
    assert titles.bloc_shift(shares * 0, "Kosovo", "volume") == "Kosovo: no volume recorded in these windows"
    tied = SYN[SYN.recipient == "SRB"]  # China 2, France 2, Russia 1
    assert titles.top_supplier(tied, "Serbia", {"CHN": "China", "FRA": "France"}, "2006–25") == (
        "Serbia: China and France have the most counted deals, 2 of 5 in 2006–25"
    )
    both = pd.DataFrame({"volume": [61.0, 7.0], "deals": [9.0, 18.0]}, index=["China", "Russia"])
    assert (
        titles.volume_vs_deals(both, "Serbia", "2021–25") == "Serbia, 2021–25: China leads by volume, Russia by deals"
    )


def test_windows_with_a_tiny_total_are_marked_not_drawn_as_plain_full_bars():
    shares = {"2006–10": pd.DataFrame(), "2011–15": pd.DataFrame(), "2016–20": pd.DataFrame()}
    for t, total in zip(shares.values(), [0.0, 2.5, 40.0]):
        t.attrs["total"] = total
    assert charts.thin_windows(shares) == {"2011–15"}
    table = pd.DataFrame({"nato_eu": [100.0, 100.0]}, index=["2011–15", "2016–20"])
    fig = charts.bloc_shares(table, counts={"2011–15": 2.5, "2016–20": 40}, thin={"2011–15"})
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any("small total" in lab and "2011–15" in lab for lab in labels)
    assert not any("small total" in lab and "2016–20" in lab for lab in labels)
    assert sum(1 for p in ax.patches if p.get_hatch()) == 1
    plt.close(fig)
