"""What a reader sees on the new parts of the book: the scorecard with its counts, searchable
tables that need no other host, a map sharp enough to zoom, tables that signal they scroll."""

import re

import pytest
from conftest import block_other_hosts

from balkanarms import claims

pytestmark = pytest.mark.browser


def local_page(browser, server, path, width=1280):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    external = block_other_hosts(page, server)
    page.goto(f"{server}/{path}.html", wait_until="networkidle")
    return page, external


@pytest.mark.parametrize("path", ["book/claims"])
def test_scorecard_renders_every_claim_and_the_verdict_counts(opened, path):
    o = opened(path)
    page, external = o.page, o.external
    card = claims.scorecard()
    rows = page.locator("table#T_scorecard tbody tr")
    assert rows.count() == len(card)
    text = page.inner_text("main")
    for verdict, n in card["verdict"].value_counts().reindex(claims.VERDICTS, fill_value=0).items():
        assert re.search(rf"{verdict}\b.*?\({n}( claims)?\)", text), verdict
    assert external == []


def test_interactive_ledger_filters_with_no_request_to_another_host(server, browser):
    page, external = local_page(browser, server, "notebooks/evidence")
    ledger = page.locator("table#itable-ledger-all")
    ledger.locator("tbody tr").first.wait_for()
    before = page.locator("#itable-ledger-all_wrapper, .dt-container:has(#itable-ledger-all)").first.inner_text()
    page.locator(".dt-container:has(#itable-ledger-all) input[type=search]").fill("FK-3")
    page.wait_for_timeout(300)
    shown = ledger.locator("tbody tr")
    assert 1 <= shown.count() < 10
    assert "T-SRB-017" in ledger.inner_text()
    assert "145" in before or "entries" in before
    assert external == [], external
    page.close()


@pytest.mark.parametrize("path", ["notebooks/map"])
def test_map_image_has_at_least_twice_its_display_width(opened, path):
    page = opened(path).page
    natural, shown = page.eval_on_selector("#fig-map img", "i => [i.naturalWidth, i.clientWidth]")
    assert natural >= 2 * shown, (natural, shown)
    assert page.eval_on_selector("#fig-map img", "i => i.closest('a') !== null")  # click to enlarge


WIDE_WITHOUT_CUE = """() => [...document.querySelectorAll('main table')].filter(t => {
  let box = t.parentElement;
  while (box && box !== document.body) {
    const s = getComputedStyle(box);
    if (s.overflowX === 'auto' || s.overflowX === 'scroll') return false;  // it scrolls in its box
    box = box.parentElement;
  }
  return t.getBoundingClientRect().right > window.innerWidth + 1;
}).map(t => t.id || t.className)"""


@pytest.mark.parametrize(
    "path",
    [
        "notebooks/evidence",
        "notebooks/region_compared",
        "book/claims",
        "notebooks/reconciliation",
        "notebooks/measures",
    ],
)
def test_no_table_runs_off_a_phone_screen_without_a_scroll_box(opened, path):
    page = opened(path, 390).page
    page.wait_for_load_state("networkidle")  # the interactive tables are built once their script ran
    assert page.evaluate(WIDE_WITHOUT_CUE) == []
    cue = page.evaluate("""() => { const o = document.querySelector('div.cell_output div.output.text_html');
        return o ? getComputedStyle(o).backgroundImage : 'none'; }""")
    assert "gradient" in cue  # the scroll shadow that tells a reader there is more to the side
