"""Readable on a phone and light to load (issue 21, tables, long pages, page weight): at 390 px no
page scrolls sideways and none is taller than the limit; interactive tables keep their first column
in view and short rows; long cells fold without JavaScript; pages stay light."""

import re
import statistics

import pytest
import yaml

from balkanarms import ROOT
from balkanarms.bench import INTRO, page_files, page_weights, pages

PHONE = 390
#: The tallest a page may be at 390 px (the bibliography counts too: its groups are folded).
MAX_HEIGHT = 25_000
#: Page weights, gzip-compressed, with every local file a browser fetches (balkanarms.bench).
MEDIAN_MAX, PAGE_MAX, INTRO_MAX = 500_000, 1_000_000, 400_000
#: The tallest a row of an interactive table may be at 390 px, as a median and at most.
ROW_MEDIAN_MAX, ROW_MAX = 80, 160


def toc_pages() -> list[str]:
    """Every page of the table of contents, sections included."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    out = [toc["root"]]

    def walk(entries):
        for e in entries:
            out.append(e["file"])
            walk(e.get("sections", []))

    for part in toc.get("parts", []):
        walk(part["chapters"])
    return out


PAGES = toc_pages()
#: The pages with interactive tables (each checked below to be all of them).
TABLE_PAGES = ["notebooks/evidence", "notebooks/data", "book/evidence_trail", "book/changes", "book/references"]


# ---------------------------------------------------------------- units (no build)


def test_a_long_cell_folds_behind_its_first_words_and_stays_escaped():
    import html

    from balkanarms.tables import FOLD_AT, folded

    short = html.escape("<b>short</b>")
    assert folded(short) == short
    long = html.escape("<script>x</script> & " * 10)
    out = folded(long)
    assert out.startswith('<details class="ba-fold"><summary>') and out.endswith("</details>")
    assert "<script>" not in out and long in out
    preview = re.search(r'class="ba-preview">([^<]*)…<', out).group(1)
    assert len(html.unescape(preview)) < FOLD_AT and not re.search(r"&[#\w]*$", preview)


def test_interactive_tables_put_what_a_reader_needs_first_and_fold_long_text():
    import pandas as pd

    from balkanarms import interactive

    df = pd.DataFrame(
        {
            "sources": ["a2019; b2020; c2021; d2022; e2023; f2024; g2025"],
            "confidence": ["confirmed"],
            "designation": ["MiG-29"],
            "status": ["delivered"],
            "id": ["T-SRB-008"],
            "order_year": ["2016"],
            "recipient": ["Serbia"],
        }
    )
    assert interactive.reader_order(list(df.columns))[:5] == ["id", "designation", "order_year", "status", "confidence"]
    assert list(interactive.foldable(df)) == ["sources"]
    long_name = df.assign(designation="anti-drone system (a long description of its maker, type unspecified)")
    assert interactive.foldable(long_name) == {"sources": 30, "designation": 48}
    out = interactive.table(df, "Order test").data
    assert re.search(r'"fixedColumns": ?\{"start": ?1\}', out)
    assert out.count("ba-fold") >= 2  # in the interactive table's data and in the plain table


def test_page_files_are_what_a_browser_fetches(tmp_path):
    from balkanarms.bench import page_files, page_weights

    (tmp_path / "_static").mkdir()
    (tmp_path / "book").mkdir()
    (tmp_path / "_static" / "a.css").write_text("@import url(b.css); @font-face{src:url(big.woff2)}")
    (tmp_path / "_static" / "b.css").write_text("p{}")
    (tmp_path / "_static" / "big.woff2").write_bytes(b"0" * 5000)
    (tmp_path / "_static" / "small.woff").write_bytes(b"0" * 50)
    (tmp_path / "_static" / "t.js").write_text("x" * 100)
    (tmp_path / "_static" / "bundle.js").write_text("y" * 100)
    (tmp_path / "book" / "p.html").write_text(
        '<link rel="stylesheet" href="../_static/a.css?v=1"><link rel="preload" as="font" href="../_static/small.woff">'
        "<script src=\"../_static/t.js\"></script><script>import(base + 'bundle.js')</script>"
        '<img src="https://example.org/x.png"><img src="data:image/png;base64,AA==">'
    )
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/p.html" />')
    names = {p.name for p in page_files(tmp_path / "book" / "p.html", tmp_path)}
    assert names == {"p.html", "a.css", "b.css", "small.woff", "t.js", "bundle.js"}  # not the CSS-only font
    assert [p for p, _ in page_weights(tmp_path)] == ["book/p.html"]  # the redirect is no page


# ---------------------------------------------------------------- the built site, no browser


@pytest.mark.build
def test_page_weights_stay_under_the_targets(built_book):
    weights = dict(page_weights(built_book))
    median = statistics.median(weights.values())
    assert median <= MEDIAN_MAX, f"median page {median / 1e3:.0f} KB"
    assert [(p, w) for p, w in weights.items() if w > PAGE_MAX] == []
    assert weights[INTRO] <= INTRO_MAX, f"introduction {weights[INTRO] / 1e3:.0f} KB"


@pytest.mark.build
def test_every_page_loads_a_small_icon_font_and_no_font_awesome_script(built_book):
    from fontTools.ttLib import TTFont

    static = built_book / "_static"
    assert (static / "scripts" / "fontawesome.js").stat().st_size < 1_000
    font = static / "fa-solid-subset.woff"
    assert font.stat().st_size < 20_000
    glyphs = set(TTFont(font).getBestCmap())
    # every icon class a page uses has its character in the subset (as the theme's CSS maps it)
    css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    code = {
        name: int(c, 16)
        for sel, c in re.findall(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]{4})"\}', css)
        for name in re.findall(r"\.fa-([a-z0-9-]+):before", sel)
    }
    used = set()
    for page in pages(built_book):
        for classes in re.findall(r'<i class="([^"]*\bfa-[^"]*)"', page.read_text(encoding="utf-8")):
            used |= {c[3:] for c in classes.split() if c.startswith("fa-") and c[3:] in code}
        assert font in page_files(page, built_book), page  # preloaded: no page shows a blank icon first
    assert used and {n for n in used if code[n] not in glyphs} == set()


@pytest.mark.build
def test_the_table_library_loads_only_on_pages_with_interactive_tables(built_book):
    bundle = (built_book / "_static" / "dt_bundle.js").resolve()
    with_tables = set()
    for page in pages(built_book):
        has_table = '"ba-itable"' in page.read_text(encoding="utf-8")  # itables' classes option
        assert (bundle in page_files(page, built_book)) == has_table, page
        if has_table:
            with_tables.add(str(page.relative_to(built_book))[: -len(".html")])
    assert with_tables == set(TABLE_PAGES)


@pytest.mark.build
def test_long_cells_fold_without_javascript(built_book):
    """The ledger's plain table (what a reader without JavaScript sees) folds its sources; the
    bibliography is grouped in closed groups; the SIPRI comparison folds its long lists."""
    evidence = (built_book / "notebooks" / "evidence.html").read_text(encoding="utf-8")
    plain = evidence[evidence.index('id="itable-ledger-all_fallback"') :]
    plain = plain[: plain.index("</table>")]
    assert plain.count('<details class="ba-fold">') >= 20
    refs = (built_book / "book" / "references.html").read_text(encoding="utf-8")
    groups = re.findall(r"<details class=\"sd-sphinx-override sd-dropdown[^\"]*\"(?! open)", refs)
    assert len(groups) >= 10
    recon = (built_book / "notebooks" / "reconciliation.html").read_text(encoding="utf-8")
    assert recon.count('<details class="admonition hide above-output">') >= 3
    folds = recon.index('<details class="admonition hide')
    assert folds > recon.index('id="T_reconcile-coverage"')  # the summary and coverage come first


# ---------------------------------------------------------------- at 390 px in the browser

SIZE = """() => ({height: document.documentElement.scrollHeight,
  sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth})"""
FONTS = """() => performance.getEntriesByType('resource').map(e => e.name)
  .filter(u => /\\.(woff2?|ttf|otf)(\\?|$)/.test(u))"""


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_a_phone_reads_the_page_without_sideways_scroll_and_under_the_height_limit(opened, path):
    o = opened(path, PHONE)
    o.page.wait_for_load_state("networkidle")  # interactive tables are built once their script ran
    size = o.page.evaluate(SIZE)
    assert size["sideways"] <= 0, f"{path} scrolls {size['sideways']} px sideways"
    assert size["height"] <= MAX_HEIGHT, f"{path} is {size['height']} px tall"
    fonts = o.page.evaluate(FONTS)
    assert fonts and all(u.endswith("fa-solid-subset.woff") for u in fonts), fonts  # never the whole icon font
    assert o.external == []


TABLES = """() => [...document.querySelectorAll('table.ba-itable.dataTable')]
  .filter(t => t.closest('.dt-scroll-body')).map(t => t.id)"""
FIRST_COLUMN = """(id) => {
  const body = document.getElementById(id).closest('.dt-scroll-body');
  const cell = document.querySelector('#' + id + ' tbody tr:first-child td:first-child');
  const inView = () => { const r = cell.getBoundingClientRect();
    return r.width > 20 && r.left >= -1 && r.right <= window.innerWidth + 1; };
  const before = inView();
  body.scrollLeft = body.scrollWidth;  // scrolled all the way to the right
  const after = inView();
  body.scrollLeft = 0;
  const rows = [...document.querySelectorAll('#' + id + ' tbody tr')].map(r => r.getBoundingClientRect().height);
  return {before, after, rows};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("path", TABLE_PAGES)
def test_interactive_tables_keep_their_first_column_and_short_rows_on_a_phone(opened, path):
    page = opened(path, PHONE).page
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("table.ba-itable.dataTable tbody tr", state="attached")
    tables = page.evaluate(TABLES)
    assert tables, path
    for table_id in tables:
        r = page.evaluate(FIRST_COLUMN, table_id)
        assert r["before"] and r["after"], (table_id, r)  # in view, also when scrolled sideways
        rows = [h for h in r["rows"] if h > 0]
        assert statistics.median(rows) <= ROW_MEDIAN_MAX and max(rows) <= ROW_MAX, (table_id, rows)


@pytest.mark.browser
def test_a_folded_cell_opens_on_a_tap(server, browser):
    from conftest import block_other_hosts

    page = browser.new_page(viewport={"width": PHONE, "height": 844})
    external = block_other_hosts(page, server)
    page.goto(f"{server}/notebooks/evidence.html", wait_until="networkidle")
    cell = page.locator("#itable-ledger-all tbody details.ba-fold").first
    row = cell.locator("xpath=ancestor::tr")
    closed = row.bounding_box()["height"]
    cell.locator("summary").click()
    assert cell.evaluate("d => d.open")
    assert row.bounding_box()["height"] > closed
    assert external == []
    page.close()


@pytest.mark.browser
def test_a_citation_opens_its_group_of_the_bibliography(server, browser):
    page = browser.new_page(viewport={"width": PHONE, "height": 844})
    page.goto(f"{server}/book/intro.html", wait_until="load")
    link = page.locator("main a[href*='references.html#']").first
    target = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_url(re.compile(r"references\.html#"))
    entry = page.locator(f"[id='{target}']")
    assert entry.evaluate("e => e.closest('details') ? e.closest('details').open : true")
    assert entry.is_visible()
    page.close()
