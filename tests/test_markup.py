"""The markup gate, on a partial build of the book with markup injected into its data:
strings from the data reach HTML only as text. (That two executions of a notebook give the
same figures and tables is checked by the notebook grid against the main build.)"""

import pytest
from books import IMG, INJECTED_PAGES as PAGES, SCRIPT


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("page_file,payload", [(PAGES[0], SCRIPT), (PAGES[1], SCRIPT), (PAGES[2], IMG)])
def test_markup_in_the_data_is_shown_as_text(injected_book, browser_factory, page_file, payload):
    html = (injected_book / f"{page_file}.html").read_text()
    assert payload not in html  # never written to the page as markup
    page = browser_factory()
    page.goto((injected_book / f"{page_file}.html").as_uri(), wait_until="load")
    assert page.evaluate("window.__injected") is None  # nothing executed
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # long cells fold
    assert payload in page.inner_text("main")  # ...and the reader sees the text as it is
    page.close()
