"""Every figure of the book reads on a phone: the smallest text a reader sees at 390 px is at least
9 CSS px (issue 21). Each figure function the notebooks use is drawn with small synthetic data and the
source line the notebooks add, saved as the book saves it (cropped to what is drawn, at its dpi), and
every text of it (titles, tick labels, legends, numbers on bars and lines, notes) is measured at the
width the figure is shown on a phone: ``style.PHONE_CONTENT_PX`` (358 px, measured in chromium), or,
for the map drawn only for wide screens, ``style.WIDE_MIN_CONTENT_PX`` (640 px).
text px = font pt / 72 * dpi * min(1, shown px / image px)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from balkanarms import aggregate as agg, charts, charts_tiv, data, maps, style  # noqa: E402

pytestmark = pytest.mark.slow  # draws every figure of the book at full resolution (about 10 s)

SIPRI = "Source: SIPRI, 2026 edition. Information from the SIPRI Arms Transfers Database, " * 2
LONG_TITLE = "Serbia: China led the volume in 2021–25 (61 %), Russia and Belarus in 2016–20, NATO/EU before"
NAMES = {
    "SRB": "Serbia",
    "CHN": "China",
    "RUS": "Russia",
    "FRA": "France",
    "USA": "United States",
    "BLR": "Belarus",
    "DEU": "Germany",
    "ISR": "Israel",
    "TUR": "Türkiye",
}


def deals():
    rng = np.random.default_rng(21)
    sup = ["CHN", "RUS", "FRA", "USA", "BLR", "DEU", "ISR", "TUR"]
    bloc = {"CHN": "china", "RUS": "russia_belarus", "BLR": "russia_belarus", "ISR": "israel", "TUR": "turkey"}
    rows = []
    for k in range(60):
        s = sup[k % len(sup)]
        y = int(rng.integers(2006, 2026))
        rows.append(
            {
                "id": f"T-{k}",
                "recipient": agg.RECIPIENTS[k % 7],
                "supplier": s,
                "bloc": bloc.get(s, "nato_eu"),
                "order_year": y,
                "delivery_start": y,
                "confidence": "confirmed",
                "status": "delivered",
                "deal_type": "purchase",
                "capability": ["air_defence", "uav", "armour", "helicopter"][k % 4],
            }
        )
    df = pd.DataFrame(rows)
    for c in ("order_year", "delivery_start"):
        df[c] = pd.array(df[c], dtype="Int64")
    return df


def shares():
    t = pd.DataFrame(
        {"nato_eu": [10, 25, 8, 25], "russia_belarus": [0, 0, 90, 13], "china": [0, 0, 2, 61], "other": [90, 75, 0, 1]},
        index=["2006–10", "2011–15", "2016–20", "2021–25"],
        dtype=float,
    )
    return t


def flows(scale=1.0):
    return pd.DataFrame(
        {
            "recipient": ["SRB", "SRB", "SRB", "HRV", "BIH", "XKX", "ALB", "MKD", "MNE", "SRB"],
            "supplier": ["CHN", "RUS", "FRA", "USA", "TUR", "TUR", "USA", "BGR", "USA", "ISR"],
            "bloc": [
                "china",
                "russia_belarus",
                "nato_eu",
                "nato_eu",
                "turkey",
                "turkey",
                "nato_eu",
                "nato_eu",
                "nato_eu",
                "israel",
            ],
            "value": np.array([585, 121, 236, 335, 1, 15, 28, 19, 10, 10]) * scale,
            "unconfirmed": [0] * 10,
        }
    )


def figures():
    """(name, figure, dpi the book saves it at, width it is shown at on the smallest screen that shows it)."""
    countries = data.countries()
    phone, wide = style.PHONE_CONTENT_PX, style.WIDE_MIN_CONTENT_PX
    d = deals()
    tiv = pd.DataFrame(
        [
            {"recipient": r, "year": y, "bloc": b, "tiv": 5.0 + y % 7}
            for r in agg.RECIPIENTS
            for y in range(1950, 2026, 3)
            for b in ("nato_eu", "china")
        ]
    )
    two = pd.DataFrame({"2025": [60.1, 20.0, 10.5], "2026": [61.2, 18.3, 12.0]}, index=["CHN", "RUS", "FRA"])
    split = pd.DataFrame(
        {"exact": [400.0, 20.0], "split": [50.0, 5.0], "edge": [10.0, 1.0]}, index=["Serbia", "Bosnia and Herzegovina"]
    )
    both = pd.DataFrame(
        {
            "share of volume (SIPRI, 2026 edition; of TIV 952 million)": [61, 12, 7],
            "share of counted deals (of 22 dated 2021–25)": [9, 9, 18],
        },
        index=["China", "France", "United States"],
    )
    context = pd.DataFrame(
        {
            "year": [1999, 2008, 2016, 2020, 2024, 2024, 2025],
            "label": [
                "Chinese embassy bombed",
                "China opposes Kosovo independence",
                "Strategic partnership",
                "FK-3 airlifted to Belgrade",
                "Rafale contract",
                "Xi visit",
                "Peace Defenders exercise",
            ],
        }
    )
    ties = pd.DataFrame(
        {
            "lane": ["china", "russia_belarus", "nato_eu", "nato_eu", "china"],
            "year": [2019, 2017, 2021, 2021, 2024],
            "kind": ["deal", "exercise", "training", "technology_transfer", "co_development"],
        }
    )
    matrix = pd.crosstab(d["supplier"], d["capability"])
    window = {w: flows(0.5) for w in ("2006–10", "2011–15", "2016–20", "2021–25")}
    yield (
        "bloc_shares",
        charts.bloc_shares(
            shares(), counts=pd.Series([3, 4, 22, 22], index=shares().index), thin={"2011–15"}, title=LONG_TITLE
        ),
        None,
        phone,
    )
    yield "stacked_by_year", charts.stacked_by_year(d, names=NAMES, title=LONG_TITLE), None, phone
    yield "small_multiples", charts.small_multiples(d, names=data.names(), title=LONG_TITLE), None, phone
    yield "capability_heatmap", charts.capability_heatmap(matrix, row_labels=NAMES, title=LONG_TITLE), None, phone
    yield (
        "ties_timeline",
        charts.ties_timeline(
            ties, context, lanes=["china", "russia_belarus", "nato_eu"], lane_labels=agg.BLOC_LABELS, title=LONG_TITLE
        ),
        None,
        phone,
    )
    yield "edition_revision", charts_tiv.edition_revision(two, NAMES, title=LONG_TITLE), None, phone
    yield "bloc_history", charts_tiv.bloc_history(tiv, data.names(), title=LONG_TITLE), None, phone
    yield "split_bars", charts_tiv.split_bars(split, title=LONG_TITLE), None, phone
    yield "volume_vs_deals", charts_tiv.volume_vs_deals(both, title=LONG_TITLE), None, phone
    yield "map_figure", maps.map_figure(flows(), countries, unit="tiv", title=LONG_TITLE, source=SIPRI), maps.DPI, wide
    yield (
        "phone_figure",
        maps.phone_figure(flows(), countries, unit="tiv", title=LONG_TITLE, source=SIPRI),
        maps.PHONE_DPI,
        phone,
    )
    yield (
        "periods_figure",
        maps.periods_figure(window, countries, unit="tiv", title=LONG_TITLE, source=SIPRI),
        150,
        phone,
    )
    from balkanarms import beyond, exports_map, world

    w = (2021, 2025)
    rec = world.china_recipients(w)
    yield "china_top", beyond.china_top(rec, highlight="Serbia", title=LONG_TITLE), None, phone
    yield "exports_since", beyond.exports_since(world.exports_since(2022), title=LONG_TITLE), None, phone
    blocs = pd.concat([world.seven_blocs(w), world.neighbour_blocs(w)])
    yield "blocs_compared", beyond.blocs_compared(blocs, title=LONG_TITLE, split=len(world.SEVEN)), None, phone
    yield (
        "exports_map",
        exports_map.figure(exports_map.flows(w), countries, title=LONG_TITLE, span="2021–25", source=SIPRI),
        maps.DPI,
        phone,
    )


@pytest.fixture(scope="module", autouse=True)
def book_style():
    """The book's style, as every notebook sets it, for this module only."""
    with matplotlib.rc_context():
        style.apply()
        yield


@pytest.fixture(scope="module")
def drawn(book_style):
    out = {}
    for name, fig, dpi, shown in figures():
        if not name.endswith(("_figure", "_map")):
            style.add_source(fig, SIPRI)  # as the notebooks do
        out[name] = (fig, dpi, shown)
    yield out
    plt.close("all")


NAMES_DRAWN = [
    "bloc_shares",
    "stacked_by_year",
    "small_multiples",
    "capability_heatmap",
    "ties_timeline",
    "edition_revision",
    "bloc_history",
    "split_bars",
    "volume_vs_deals",
    "map_figure",
    "phone_figure",
    "periods_figure",
    "china_top",
    "exports_since",
    "blocs_compared",
    "exports_map",
]


@pytest.mark.parametrize("name", NAMES_DRAWN)
def test_smallest_text_is_at_least_9_px_where_the_figure_is_shown(drawn, name):
    fig, dpi, shown = drawn[name]
    sizes = style.text_px(fig, shown, dpi)
    assert len(sizes) > 5, name  # the measure reads the texts drawn
    px, text = sizes[0]
    assert px >= style.MIN_TEXT_PX, f"{name}: {px:.2f} px for {text[:40]!r}"


def test_the_measure_fails_a_font_too_small(drawn):
    """The test can fail: shrink one tick label of a chart to 9 pt and it is under 9 px on a phone."""
    fig = charts.bloc_shares(shares(), title="t")
    style.add_source(fig)
    assert style.text_px(fig)[0][0] >= style.MIN_TEXT_PX
    fig.axes[0].get_yticklabels()[0].set_fontsize(9)
    assert style.text_px(fig)[0][0] < style.MIN_TEXT_PX
    plt.close(fig)


def test_charts_are_drawn_at_the_house_width_and_do_not_spill_over(drawn):
    """Every chart is FIG_WIDTH wide and nothing sticks out of it by more than the saved margin."""
    for name, (fig, _dpi, _) in drawn.items():
        if name in ("map_figure", "periods_figure", "phone_figure"):
            continue
        assert fig.get_figwidth() == pytest.approx(style.FIG_WIDTH), name
        assert style.shown_width(fig) <= (style.FIG_WIDTH + 2 * style.SAVE["pad_inches"]) * fig.dpi + 2, name


def test_the_rule_follows_from_the_measured_phone_width():
    assert style.PHONE_CONTENT_PX == style.PHONE_WIDTH_PX - 2 * 16  # the article's padding, measured
    assert style.min_font_pt() == pytest.approx(11.58, abs=0.01)
    assert style.SMALL_PT >= style.min_font_pt()


def test_the_phone_map_draws_only_lines_above_its_threshold_with_numbers_at_the_arrowheads(book_style):
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 4.8))
    f = flows()
    got = maps.draw_map(
        ax, f, data.countries(), unit="tiv", vmax=585, min_value=maps.PHONE_MIN["tiv"], fontsize=style.SMALL_PT
    )
    assert len(got["lines"]) == int((f["value"] >= maps.PHONE_MIN["tiv"]).sum())
    caps = maps._project(data.countries())
    for lab in got["labels"]:  # each number sits by its arrowhead: nearer its own capital than any other
        d = {r: np.hypot(lab["xy"][0] - caps[r][0], lab["xy"][1] - caps[r][1]) for r in agg.RECIPIENTS}
        assert min(d, key=d.get) == lab["recipient"], (lab["text"], lab["recipient"], min(d, key=d.get))
    boxes = [lab["xy"] for lab in got["labels"]]
    for i, a in enumerate(boxes):  # no two numbers on top of each other
        for b in boxes[i + 1 :]:
            assert np.hypot(a[0] - b[0], a[1] - b[1]) > 10_000
    plt.close(fig)
