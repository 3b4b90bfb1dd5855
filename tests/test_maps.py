"""The map: flows, gates, routes, colours drawn and determinism across processes."""

import hashlib
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402

from balkanarms import (  # noqa: E402
    aggregate as agg,  # noqa: E402
    data,
    gates,
    maps,
    style,
)
from balkanarms.data import validate_with_key  # noqa: E402


@pytest.fixture(scope="module")
def countries():
    return data.countries()


def ledger(rows):
    cols = ["recipient", "supplier", "bloc", "order_year", "delivery_start", "confidence"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("order_year", "delivery_start"):
        df[c] = pd.array(df[c], dtype="Int64")
    df["status"] = "delivered"
    return df


SYN = ledger(
    [
        ("SRB", "CHN", "china", 2019, 2022, "confirmed"),
        ("SRB", "CHN", "china", 2020, None, "confirmed"),
        ("SRB", "RUS", "russia_belarus", 2017, 2017, "reported"),
        ("SRB", "BLR", "russia_belarus", 2017, 2017, "unconfirmed"),
        ("HRV", "FRA", "nato_eu", 2021, 2023, "confirmed"),
        ("HRV", "USA", "nato_eu", 2010, 2011, "confirmed"),
        ("BIH", "SRB", "other", 2018, 2018, "confirmed"),
    ]
)


def test_ledger_flows_count_the_counted_deals_in_the_window():
    f = agg.ledger_flows(SYN, (2016, 2025)).set_index(["recipient", "supplier"])
    assert f.loc[("SRB", "CHN"), "value"] == 2
    assert f.loc[("SRB", "RUS"), ["value", "unconfirmed"]].tolist() == [1, 0]
    assert ("SRB", "BLR") not in f.index  # unconfirmed: listed, not counted
    assert ("HRV", "USA") not in f.index  # 2010 is outside the window


def test_tiv_flows_sum_the_volume_in_the_window():
    tiv = pd.DataFrame(
        {
            "recipient": ["SRB", "SRB", "SRB"],
            "supplier": ["CHN", "CHN", "RUS"],
            "bloc": ["china", "china", "russia_belarus"],
            "year": [2020, 2026, 2021],
            "tiv": [10.0, 99.0, 2.5],
        }
    )
    f = agg.tiv_flows(tiv, (2020, 2025)).set_index("supplier")
    assert f.loc["CHN", "value"] == 10.0 and f.loc["RUS", "value"] == 2.5


def test_dominant_bloc_breaks_ties_in_the_fixed_bloc_order():
    f = pd.DataFrame(
        {
            "recipient": ["SRB", "SRB"],
            "supplier": ["CHN", "FRA"],
            "bloc": ["china", "nato_eu"],
            "value": [3, 3],
            "unconfirmed": [0, 0],
        }
    )
    assert agg.dominant_bloc(f) == {"SRB": "nato_eu"}


def test_bearings_point_the_right_way_and_gates_spread_on_the_given_frame():
    assert 40 < gates.bearing(19.5, 43.5, 116.4, 39.9) < 80  # Beijing: east-north-east
    assert 280 < gates.bearing(19.5, 43.5, -77.04, 38.9) < 320  # Washington: north-west
    frame = (-100.0, 100.0, -50.0, 50.0)
    placed = gates.place({"A": 0.0, "B": 1.0}, frame, inset=10.0, min_gap=40.0)
    assert all(abs(x) <= 90 + 1e-6 and abs(y) <= 40 + 1e-6 for x, y in placed.values())
    assert np.hypot(*np.subtract(placed["A"], placed["B"])) >= 39


def test_neighbours_start_at_their_capital_faraway_suppliers_at_their_bloc_gate(countries):
    o = maps.origins(agg.ledger_flows(SYN, (2016, 2025)), countries)
    assert set(o["origin"]) == {"SRB", "bloc:china", "bloc:russia_belarus", "bloc:nato_eu"}


def test_routes_keep_clear_of_other_capitals(countries):
    caps = maps._project(countries)
    pts = maps.route(caps["SRB"], caps["BIH"], [caps["MNE"], caps["XKX"]])
    d = min(np.hypot(*(pts - np.array(caps[c])).T).min() for c in ("MNE", "XKX"))
    assert d >= 40_000
    # a line from the east to Sarajevo bends away from Belgrade instead of running through it
    gate = (500_000.0, 0.0)
    pts = maps.route(gate, caps["BIH"], [caps["SRB"]])
    assert np.hypot(*(pts - np.array(caps["SRB"])).T).min() >= 40_000


def test_widths_are_proportional():
    assert maps.width_for(10, 10) == pytest.approx(8.0)
    assert maps.width_for(5, 10) - 1.0 == pytest.approx((8.0 - 1.0) / 2)


def test_lines_are_drawn_in_their_bloc_colour(countries):
    fig, ax = plt.subplots()
    drawn = maps.draw_map(ax, agg.ledger_flows(SYN, (2016, 2025)), countries, unit="deals", vmax=2)
    edge = {to_hex(p.get_edgecolor()) for p in ax.patches if isinstance(p, PathPatch) and p.get_linewidth() >= 1}
    assert {style.bloc_colour(b).lower() for b in ("china", "russia_belarus", "nato_eu")} <= edge
    assert drawn["fills"] == {"SRB": "china", "HRV": "nato_eu", "BIH": "other"}
    plt.close(fig)


def test_map_image_is_at_least_twice_its_display_width(countries):
    fig = maps.map_figure(agg.ledger_flows(SYN, (2016, 2025)), countries, unit="deals", title="t", source="s")
    assert fig.get_size_inches()[0] * fig.dpi >= 2 * 720  # the book's text column is about 720 px wide
    plt.close(fig)


def test_empty_selection_draws_a_map_that_says_none_recorded(countries):
    fig = maps.map_figure(agg.ledger_flows(SYN, (1990, 1991)), countries, unit="deals", title="t", source="s")
    assert any("none recorded" in t.get_text() for ax in fig.axes for t in ax.texts)
    plt.close(fig)


RENDER = """
import hashlib, io, matplotlib
matplotlib.use("Agg")
from balkanarms import aggregate as agg, data, maps, style
style.apply()
f = agg.ledger_flows(data.transfers(), (2016, 2025))
fig = maps.map_figure(f, data.countries(), unit="deals", title="t", source="s")
buf = io.BytesIO(); fig.savefig(buf, format="png", dpi=60, metadata={"Software": None})
print(hashlib.sha256(buf.getvalue()).hexdigest())
"""


@pytest.mark.slow
def test_map_is_identical_when_drawn_in_two_processes(monkeypatch):
    key, problems = validate_with_key()
    assert problems == []
    monkeypatch.setenv(data.VALIDATED_ENV, key)  # as the build does: the processes need not validate again
    procs = [subprocess.Popen([sys.executable, "-c", RENDER], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    runs = [p.communicate(timeout=120)[0] for p in procs]  # two processes at once
    assert [p.returncode for p in procs] == [0, 0]
    assert runs[0] == runs[1] and len(runs[0].strip()) == len(hashlib.sha256().hexdigest())
