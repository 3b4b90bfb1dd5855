"""What readers see: parameter errors, table formatting, wording, the bibliography style,
interactive tables (no CDN in the built book)."""

import pandas as pd
import pytest
from pybtex.database import parse_string
from pybtex.plugin import find_plugin

from balkanarms import bibstyle, interactive, params, tables, wording


def test_parameter_errors_name_the_parameter_and_the_allowed_values():
    with pytest.raises(params.ParameterError, match=r"RECIPIENT must be one of .*'SRB'.*got 'XYZ'"):
        params.recipient("XYZ")
    with pytest.raises(params.ParameterError, match=r"WINDOW must be \(start, end\) with 2006 <= start <= end"):
        params.window((2020, 2010), 2006, 2026)
    with pytest.raises(params.ParameterError, match="RECIPIENTS"):
        params.recipients([])
    assert params.window([2006, 2010], 2006, 2026) == (2006, 2010)
    assert params.recipient("ALL", allow_all=True) == "ALL"


def test_tables_have_no_index_no_na_and_formatted_numbers():
    df = pd.DataFrame({"id": ["T-1", "T-2"], "n": pd.array([3, None], dtype="Int64"), "x": [2745000000.0, None]})
    html = tables.show(df, "My table").to_html()
    assert "<NA>" not in html and "nan" not in html
    assert "2,745,000,000.0" in html
    assert 'id="T_my-table"' in html and "row_heading" not in html
    assert tables.money(2745000000.0, "USD") == "USD 2,745,000,000"
    linked = tables.show(pd.DataFrame({"a": ["<b>x</b>"], "c": ["map"]}), "t", links={"c": lambda v: v + ".html"})
    assert "&lt;b&gt;x&lt;/b&gt;" in linked.to_html() and '<a href="map.html">map</a>' in linked.to_html()
    assert tables.words("nato_eu") == "NATO/EU members" and tables.words("in_delivery") == "in delivery"


def test_wording_follows_the_numbers():
    assert (
        wording.of_which({"donation": 6, "purchase": 10}, "deals with Russia and Belarus")
        == "Of the 16 deals with Russia and Belarus, 10 were purchases and 6 donations."
    )
    assert wording.of_which({"purchase": 1}, "deals with China") == "The one deal with China was a purchase."
    c = {"listed": 61, "counted": 48, "drawn": 48, "unconfirmed": 9, "cancelled": 1, "undated": 2, "outside": 1}
    assert (
        wording.counted(c, "Serbia", (2006, 2025))
        == "The book counts 48 of the 61 deals it lists for Serbia: of the others, 9 are unconfirmed, "
        "1 was cancelled, 2 have no public year and 1 falls outside 2006–25."
    )


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_generated_sentences_agree_in_number_for_edge_counts(n):
    """Every sentence the wording helpers build reads right for 0, 1, 2 and more."""
    parts = {"purchase": n} if n else {}
    text = wording.of_which(parts, "deals with China")
    c = dict.fromkeys(["unconfirmed", "cancelled", "undated", "outside"], n)
    c.update(listed=n * 5, counted=n, drawn=max(n - 1, 0))
    text += " " + wording.counted(c, "Kosovo", (2006, 2025))
    text += " " + wording.plural(n, "deal")
    bad = [
        "1 are",
        "1 were",
        "1 have",
        "1 deals",
        "All 2",
        "All 1",
        "All 0",
        "0 was",
        "2 is",
        "2 has",
        "2 was",
        "1 fall ",
    ]
    assert not [b for b in bad if b in text], text
    if n == 2:
        assert "Both deals with China were purchases." in text


BIB = """@misc{a2019, author = {{RFE/RL}}, title = {US-Albania Strategic Dialogue with Emmanuel Macron},
year = {2019}, note = {In uk}, url = {https://example.org/a}}
@misc{b2019, author = {{RFE/RL}}, title = {Second}, year = {2019}, url = {https://example.org/b}}"""


def test_bibliography_keeps_capitals_labels_author_year_and_names_languages():
    bibstyle.setup(None)
    style = find_plugin("pybtex.style.formatting", "balkanarms")()
    out = list(style.format_entries(parse_string(BIB, "bibtex").entries.values()))
    text = next(o for o in out if o.key == "a2019").text.render_as("text")
    assert "US-Albania Strategic Dialogue with Emmanuel Macron" in text
    assert "In Ukrainian" in text and "In uk" not in text
    assert sorted(o.label for o in out) == ["RFE/RL 2019a", "RFE/RL 2019b"]


def test_interactive_tables_load_the_bundle_from_the_book_not_a_cdn():
    html = interactive.table(pd.DataFrame({"a": range(30)}), "Test table").data
    assert "_static/" in html and "import { ITable" not in html
    assert 'id="itable-test-table"' in html
    assert not [u for u in ("unpkg.com/dt_for_itables@", "cdn.") if u in html]
    assert (interactive.bundle_dir() / "dt_bundle.js").exists()
    assert "itables.org" not in html
    # the whole table is there as plain, escaped HTML for a page opened from disk
    plain = interactive.table(pd.DataFrame({"a": ["<b>x</b>"] * 30}), "Plain").data
    assert plain.count("&lt;b&gt;x&lt;/b&gt;") >= 30 and "<b>x</b>" not in plain
