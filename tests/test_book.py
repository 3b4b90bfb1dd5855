"""The book built as `make book` builds it: every page, figure captions, the bundle and its
links, and every page in Debian's chromium."""

import json
import re
from pathlib import Path

import pytest
import yaml

from balkanarms import ROOT


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


@pytest.mark.build
def test_every_toc_entry_has_a_page(built_book):
    for f in toc_files():
        assert (built_book / f"{f}.html").exists(), f


@pytest.mark.build
def test_numbers_are_glued_into_the_prose(built_book):
    html = (built_book / "notebooks" / "evidence.html").read_text()
    import balkanarms.data as data

    assert f"records {len(data.transfers())} deals" in re.sub(r"<[^>]+>", "", html)


@pytest.mark.build
def test_the_trail_counts_read_the_same_on_every_page_that_states_them(built_book):
    """The quoted passages and logged changes are counted once (data.trail_counts) and written alike
    on the evidence trail, the data chapter and the changes page; field codes read as words there."""
    import balkanarms.data as data

    counts = data.trail_counts()
    assert "," in counts["changes"]  # written as readers write thousands
    for page, wanted in [
        ("book/evidence_trail", ("evidence", "changes")),
        ("notebooks/data", ("evidence", "changes")),
        ("book/changes", ("changes",)),
    ]:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (built_book / f"{page}.html").read_text()))
        for what in wanted:
            assert counts[what] in text, (page, what)
    changes_page = (built_book / "book" / "changes.html").read_text()
    assert "sipri_disagreements" not in changes_page.split('id="full-change-log"')[0]


@pytest.mark.build
def test_every_page_with_its_images_stays_under_1_mb(built_book):
    from balkanarms.bench import page_weights

    heavy = [(page, size) for page, size in page_weights(built_book) if size > 1_000_000]
    assert heavy == []


@pytest.mark.build
def test_figures_have_alt_text_and_captions(built_book):
    """Every image in a chapter has alt text and sits in a figure with a caption."""
    from bs4 import BeautifulSoup

    images = 0
    for f in toc_files():
        article = BeautifulSoup((built_book / f"{f}.html").read_text(), "html.parser").select_one("article")
        for img in article.find_all("img"):
            images += 1
            assert len(img.get("alt", "").strip()) >= 15, (f, img.get("src"))
            figure = img.find_parent("figure")
            caption = figure.find("figcaption") if figure else None
            assert caption is not None and len(caption.get_text(strip=True)) >= 15, (f, img.get("src"))
    assert images >= 9


@pytest.mark.build
def test_every_chapter_offers_the_bundle_next_to_the_download_button(built_book):
    from balkanarms.bundle import ARCHIVE

    assert (built_book / ARCHIVE).is_file()
    for f in toc_files():
        html = (built_book / f"{f}.html").read_text()
        download = html.index("dropdown-download-buttons")
        link = html.index(f'{"../" * f.count("/")}{ARCHIVE}"')
        assert link > download, f  # in the download menu and right after it


@pytest.mark.build
def test_downloaded_notebooks_carry_their_outputs(built_book):
    images = 0
    for f in toc_files():
        if f.startswith("notebooks/"):
            nb = json.loads((built_book / "_sources" / f"{f}.ipynb").read_text())
            outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
            assert outputs, f
            images += sum("image/png" in o.get("data", {}) for o in outputs)
    assert images >= 9  # the charts and the map are there before anything is run


@pytest.mark.build
def test_bundle_runs_a_notebook_from_a_temporary_folder(built_book, tmp_path):
    """Unpacked anywhere, the bundle's notebooks run with its own package and data (the venv
    gives the pinned libraries; nothing is installed)."""
    import zipfile

    import nbformat
    from nbclient import NotebookClient

    from balkanarms.build import notebook_env
    from balkanarms.bundle import ARCHIVE, NAME

    with zipfile.ZipFile(built_book / ARCHIVE) as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / NAME
    path = folder / "notebooks" / "capabilities.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell("import balkanarms; print(balkanarms.__file__); print(balkanarms.DATA_DIR)")
    )
    with notebook_env(folder / "data"), pytest.MonkeyPatch.context() as mp:
        mp.delenv("BALKANARMS_DATA")  # the bundle's package finds its own data
        mp.setenv("PYTHONPATH", str(folder))
        NotebookClient(
            nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    printed = nb.cells[-1].outputs[0]["text"].split()
    assert printed == [str(folder / "balkanarms" / "__init__.py"), str(folder / "data")]
    assert any("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


#: A phone's width in CSS pixels.
PHONE = 390
#: Internal links already fetched with status 200 in this session.
LINKS_OK: set[str] = set()


@pytest.mark.browser
@pytest.mark.parametrize("page_file", toc_files())
def test_page_in_browser(opened, server, page_file):
    o = opened(page_file)
    page = o.page
    assert o.response.status == 200
    assert o.errors == [], o.errors
    # the theme is served whole from the build: no page asks any other host for anything
    assert o.external == [], o.external
    imgs = page.eval_on_selector_all("img", "els => els.map(e => [e.src, e.naturalWidth, e.alt])")
    for src, width, alt in imgs:
        assert width > 0, src
        assert alt, src
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for href in {l.split("#")[0] for l in links if l.startswith(server)} - LINKS_OK:
        assert page.request.get(href).status == 200, href
        LINKS_OK.add(href)  # every page links to the others and the bundle: each is fetched once
    assert page.inner_text("main").strip()
    assert page.locator("nav.bd-docs-nav a").count() >= len(toc_files()) - 1  # navigation rendered


@pytest.mark.browser
@pytest.mark.parametrize("page_file", [f for f in toc_files() if f.startswith("notebooks/")])
def test_no_horizontal_scroll_at_phone_width(opened, page_file):
    overflow = opened(page_file, PHONE).page.evaluate("document.body.scrollWidth - window.innerWidth")
    assert overflow <= 1, overflow


@pytest.mark.browser
def test_search_finds_a_term_from_the_data(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/search.html?q=FK-3", wait_until="load")
    page.wait_for_selector("#search-results ul li", timeout=15_000)
    hits = page.eval_on_selector_all("#search-results ul li a", "els => els.map(e => e.href)")
    assert any("serbia_suppliers" in h or "china_footprint" in h for h in hits), hits
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "page_file", ["book/intro", "notebooks/evidence", "notebooks/serbia_suppliers", "notebooks/map", "book/claims"]
)
def test_accessibility(opened, page_file):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(opened(page_file).page).response["violations"]
    severe = [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
    assert severe == [], severe


@pytest.mark.build
def test_the_build_executes_every_page_before_sphinx_starts(built_book, main_build_log):
    """Notebooks and Markdown pages with code run in parallel before Jupyter Book starts (or were
    already in the cache, filled from the same sources), so Jupyter Book finds every one in the
    cache and executes nothing itself."""
    from balkanarms.build import markdown_notebooks

    executed = set(re.findall(r"^executed (\S+)$", main_build_log, flags=re.M))
    cached = set(re.findall(r"^cached (\S+)$", main_build_log, flags=re.M))
    expected = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")} | {p.name for p in markdown_notebooks(ROOT)}
    assert executed | cached == expected and not executed & cached
    assert "Executing notebook" not in main_build_log
    assert main_build_log.count("Using cached notebook") == len(expected)


def glued_values(html: Path) -> dict[str, dict[str, str]]:
    """Every value glued on every page of a built book: name -> {page: value}."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted((html.parent / "jupyter_execute").rglob("*.glue.json")):
        page = str(path.relative_to(html.parent / "jupyter_execute")).removesuffix(".glue.json")
        for name, output in json.loads(path.read_text()).items():
            out.setdefault(name, {})[page] = output["data"].get("text/plain", "")
    return out


@pytest.mark.build
def test_one_fact_one_value_across_the_built_book(built_book):
    """A name glued on several pages shows one value everywhere, and the names the package declares
    to state the same fact agree: a reader cannot meet two values for one quantity."""
    from balkanarms.findings import SAME_FACT

    glued = glued_values(built_book)
    assert len(glued) > 100 and {p for v in glued.values() for p in v} >= {"book/intro", "notebooks/map"}
    clashes = {name: pages for name, pages in glued.items() if len(set(pages.values())) > 1}
    assert not clashes, clashes
    for group in SAME_FACT:
        values = {ref: glued[ref.split(":")[1]][ref.split(":")[0]] for ref in group}
        assert len(set(values.values())) == 1, values


#: Words of the code, not of the field: they must not reach a reader's page (the methods appendix and the
#: data tables may show file and column names; the teaching kit's exercises work on the files).
INTERNAL_TERMS = [
    r"\bledger\b",
    r"\bgates?\b",
    r"\bstaged\b",
    r"\bpassages?\b",
    r"\btest_\w+",
    r"\btests/",
    r"\b_add\b",
    r"\[\s*'",
    r"\b\w+\.(?:csv|json|py)\b",
    r"\bNone\b",
    r"\bnan\b",
    r"\bTurkey\b",
    r"\bexercise Exercise\b",
    r"\b[TES]-(?:[A-Z]{3}-)?\d{3}\b",  # row ids belong in tables and links, not in running text
]
#: The chapters and pages a reader reads for the argument (not the methods appendix or the teaching kit).
METHODS_NOTEBOOKS = ("reconciliation", "data")
READER_PAGES = ["book/intro", "book/claims"] + [
    f"notebooks/{p.stem}" for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if p.stem not in METHODS_NOTEBOOKS
]


def reader_text(html_file: Path) -> str:
    """The running text of a built page: its article without tables, code and scripts."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article") or soup
    for node in article.select("table, pre, .cell_input, script, style, .itables"):
        node.decompose()
    return article.get_text(" ", strip=True)


@pytest.mark.build
def test_no_internal_term_reaches_a_readers_page(built_book):
    found = {}
    for page in READER_PAGES:
        text = reader_text(built_book / f"{page}.html")
        assert len(text) > 500, page  # the page was read
        hits = sorted({m.group() for pat in INTERNAL_TERMS for m in re.finditer(pat, text)})
        if hits:
            found[page] = hits
    assert not found, found
