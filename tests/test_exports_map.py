"""The map of the seven's arms exports (balkanarms.exports_map, words in balkanarms.beyond).

The flows are recomputed here from SIPRI's CSV file with the csv module alone, with the
destination of each recipient written out by hand; the figure is checked through what it drew
(artists tagged with a gid), not through what the drawing code says it drew."""

import io
import json
from collections import defaultdict

import matplotlib.pyplot as plt
import numpy as np
import pytest
from test_world import plain_split

from balkanarms import DATA_DIR, beyond, data, exports_map as em, maps, sipri, style, world, world_files
from balkanarms.aggregate import WINDOWS, window_label
from balkanarms.tables import tiv_text

pytestmark = pytest.mark.slow  # draws the exports map in every window

WB = DATA_DIR / "sipri" / world_files.FILES["wb"]
NOTEBOOK = DATA_DIR.parent / "notebooks" / "beyond_the_seven.ipynb"
#: Every recipient of the seven's exports in the file, and where the map sends it (SIPRI's regions,
#: Ukraine apart, one of the seven to its own capital), written out apart from world.REGIONS.
DESTINATION = {
    "Afghanistan": "Asia and Oceania", "Bangladesh": "Asia and Oceania", "Cambodia": "Asia and Oceania",
    "Myanmar": "Asia and Oceania", "Turkmenistan": "Asia and Oceania",
    "Armenia": "Europe", "Azerbaijan": "Europe", "Cyprus": "Europe", "Germany": "Europe",
    "Burkina Faso": "Africa", "Cameroon": "Africa", "DR Congo": "Africa", "Ethiopia": "Africa", "Guinea": "Africa",
    "Kenya": "Africa", "Nigeria": "Africa", "Sudan": "Africa", "Uganda": "Africa",
    "Egypt": "Middle East", "Iraq": "Middle East", "Saudi Arabia": "Middle East", "Syria rebels*": "Middle East",
    "United Arab Emirates": "Middle East",
    "Ukraine": "Ukraine", "Serbia": "Serbia", "North Macedonia": "North Macedonia",
    "unknown recipient(s)": em.UNKNOWN,
}  # fmt: skip
SOURCE = sipri.credit(world.EDITION)


def plain_flows(lo, hi):
    """{(exporter, destination): TIV delivered in lo..hi}, each deal's delivered TIV split evenly
    over its listed delivery years; plain csv, no pandas (the same independent sum as test_world)."""
    out = defaultdict(float)
    for (recipient, supplier), v in plain_split(WB, lo, hi).items():
        out[supplier, DESTINATION[recipient]] += v
    return {k: v for k, v in out.items() if v > 0}


@pytest.fixture(scope="module")
def countries():
    return data.countries()


@pytest.fixture(scope="module")
def figures(countries):
    """The map of every window, drawn once for the module."""
    style.apply()
    out = {}
    for w in WINDOWS:
        f = em.flows(w)
        span = window_label(w)
        fig = em.figure(f, countries, title=beyond.exports_map_title(f, span), span=span, source=SOURCE)
        fig.canvas.draw()
        out[w] = fig
    yield out
    for fig in out.values():
        plt.close(fig)


def drawn(fig):
    """What the figure drew: {(exporter, destination): (shaft, value text)}."""
    ax = fig.axes[0]
    shafts = {p.get_gid()[6:]: p for p in ax.patches if (p.get_gid() or "").startswith("arrow:")}
    values = {t.get_gid()[6:]: t for t in ax.texts if (t.get_gid() or "").startswith("value:")}
    assert shafts.keys() == values.keys()
    return {tuple(k.split("|")): (shafts[k], values[k]) for k in shafts}


# ------------------------------------------------------------------ the flows


@pytest.mark.parametrize("window", WINDOWS)
def test_the_flows_equal_an_independent_sum_from_the_csv(window):
    expected = plain_flows(*window)
    got = {(e, d): v for e, d, v in em.flows(window)[["exporter", "destination", "tiv"]].itertuples(index=False)}
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == pytest.approx(v), k


def test_the_flows_of_2021_25():
    assert plain_flows(2021, 2025) == pytest.approx(
        {
            ("Croatia", "Ukraine"): 96.48,
            ("North Macedonia", "Ukraine"): 90.40,
            ("Serbia", "Europe"): 41.30,
            ("Bosnia-Herzegovina", "Ukraine"): 5.5,
            ("Montenegro", "Ukraine"): 3.62,
            ("Bosnia-Herzegovina", "Africa"): 3.0,
            ("Serbia", "Asia and Oceania"): 1.64,
        }
    )


def test_a_recipient_without_a_region_is_an_error_not_an_unknown():
    assert em.destination("unknown recipient(s)") == em.UNKNOWN
    with pytest.raises(ValueError, match="Atlantis"):
        em.destination("Atlantis")


# ------------------------------------------------------------------ what the map draws


@pytest.mark.parametrize("window", WINDOWS)
def test_the_map_draws_every_flow_over_the_threshold_and_no_other(figures, window):
    expected = plain_flows(*window)
    over = {k: v for k, v in expected.items() if v >= em.THRESHOLD and k[1] != em.UNKNOWN}
    shown = drawn(figures[window])
    assert shown.keys() == over.keys()
    vmax = max(max(plain_flows(*w).values()) for w in WINDOWS)
    for k, (shaft, value) in shown.items():
        assert value.get_text() == tiv_text(over[k]), k
        assert shaft.get_linewidth() == pytest.approx(1 + (em.MAX_LINE - 1) * over[k] / vmax), k
        colour = em.COLOURS["Europe" if k[1] in em.CODES else k[1]]
        assert shaft.get_edgecolor()[:3] == pytest.approx(plt.matplotlib.colors.to_rgb(colour)), k


def test_small_and_unnamed_flows_exist_and_are_not_drawn(figures):
    """The threshold test above cannot pass vacuously: these flows are in the data and off the map."""
    assert plain_flows(2011, 2015)[("Croatia", "Middle East")] < em.THRESHOLD
    assert ("Croatia", "Middle East") not in drawn(figures[(2011, 2015)])
    assert plain_flows(2016, 2020)[("Serbia", em.UNKNOWN)] > em.THRESHOLD
    assert ("Serbia", em.UNKNOWN) not in drawn(figures[(2016, 2020)])
    small = beyond.exports_map_small(em.flows((2006, 2010)), "2006–10")
    assert "Serbia to Africa (TIV <1 million)" in small and "Bosnia and Herzegovina to the rest of Europe" in small
    assert "Serbia's TIV 22 million" in beyond.exports_map_small(em.flows((2016, 2020)), "2016–20")


@pytest.mark.parametrize("window", WINDOWS)
def test_each_number_is_written_at_its_arrowhead(figures, window):
    fig = figures[window]
    r = fig.canvas.get_renderer()
    for k, (shaft, value) in drawn(fig).items():
        tip = fig.axes[0].transData.transform(shaft.get_path().vertices[-1])
        box = value.get_bbox_patch().get_window_extent(r)
        gap = np.hypot(max(box.x0 - tip[0], 0, tip[0] - box.x1), max(box.y0 - tip[1], 0, tip[1] - box.y1))
        assert gap < 0.3 * fig.dpi, k  # within 0.3 in of the head (the shaft stops just short of it)


@pytest.mark.parametrize("window", WINDOWS)
def test_the_title_names_the_largest_exporter(figures, window):
    by_exporter = defaultdict(float)
    for (e, _), v in plain_flows(*window).items():
        by_exporter[e] += v
    largest = max(by_exporter, key=by_exporter.get)
    title = next(t.get_text() for t in figures[window].texts if t.get_gid() == "title")
    assert beyond.name(largest) in title.replace("\n", " ")
    assert window_label(window) in title.replace("\n", " ")


def test_the_title_of_2021_25_states_the_finding(figures):
    title = next(t.get_text() for t in figures[(2021, 2025)].texts if t.get_gid() == "title")
    assert title.replace("\n", " ") == (
        "Croatia and North Macedonia sent most of the region's arms exports to Ukraine in 2021–25"
    )
    f = em.flows((2021, 2025))
    assert beyond.exports_map_sentence(f, "2021–25") == (
        "In 2021–25 the seven delivered TIV 242 million of major arms; TIV 196 million (81 %) went to Ukraine."
    )


@pytest.mark.parametrize("window", WINDOWS)
def test_it_reads_on_a_phone(figures, window):
    """6.4 in wide at the import map's resolution; text at 10 pt or more (the source line 7.5 pt);
    no two labels on the map overlap."""
    fig = figures[window]
    assert fig.get_figwidth() == pytest.approx(6.4) and fig.dpi >= maps.DPI
    texts = [t for t in fig.findobj(plt.Text) if t.get_text().strip() and t.get_visible()]
    for t in texts:
        least = em.SOURCE_FONT if t.get_text().startswith("Source:") else 10
        assert t.get_fontsize() >= least, t.get_text()
    r = fig.canvas.get_renderer()
    ax = fig.axes[0]
    labels = [t for t in ax.texts if (t.get_gid() or "").split(":")[0] in ("value", "gate", "name")]
    boxes = [(t.get_gid(), t.get_window_extent(r)) for t in labels]
    for i, (a, ba) in enumerate(boxes):
        assert ax.get_window_extent(r).contains(ba.x0, ba.y0) and ax.get_window_extent(r).contains(ba.x1, ba.y1), a
        for b, bb in boxes[i + 1 :]:
            assert not ba.overlaps(bb), (a, b)


def test_an_empty_window_draws_a_map_that_says_so(countries):
    f = em.flows((1950, 1954))
    assert f.empty
    fig = em.figure(f, countries, title=beyond.exports_map_title(f, "1950–54"), span="1950–54", source=SOURCE)
    fig.canvas.draw()
    assert not drawn(fig)
    said = next(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "empty").replace("\n", " ")
    assert said == "SIPRI records no major arms exports from the seven in 1950–54."
    assert beyond.exports_map_title(f, "1950–54") == "SIPRI records no major arms exports from the seven in 1950–54"
    plt.close(fig)
    small = em.flows((2011, 2015)).query("destination == 'Middle East' and exporter == 'Croatia'")
    fig = em.figure(small, countries, title="t", span="2011–15", source=SOURCE)
    fig.canvas.draw()
    assert not drawn(fig)
    said = next(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "empty").replace("\n", " ")
    assert "reaches TIV 1 million" in said
    plt.close(fig)


def test_the_figure_is_deterministic(countries):
    f = em.flows((2021, 2025))

    def png():
        fig = em.figure(f, countries, title="t", span="2021–25", source=SOURCE)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
        plt.close(fig)
        return buf.getvalue()

    assert png() == png()


# ------------------------------------------------------------------ the chapter


def test_the_chapter_captions_the_map_and_refers_to_it():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    figs = [c["metadata"].get("mystnb", {}) for c in cells]
    meta = [m for m in figs if m.get("figure", {}).get("name") == "fig-bt-exports-map"]
    assert len(meta) == 1
    assert em.THRESHOLD_TEXT in meta[0]["figure"]["caption"]
    assert len(meta[0]["image"]["alt"]) > 80
    prose = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "{numref}`fig-bt-exports-map`" in prose
    assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")
