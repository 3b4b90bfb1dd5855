"""The book builds strictly, every page exists, and the repository stays clean."""
import functools
import http.server
import json
import re
import socketserver
import subprocess
import sys
import threading
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


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    # exactly what `make book` runs: validate, refresh the execution cache, strict build
    proc = subprocess.run([sys.executable, "-m", "balkanarms", "build", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    warnings = [l for l in log.splitlines() if "WARNING" in l]
    assert warnings == [], warnings
    return out / "_build" / "html"


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
def test_every_page_with_its_images_stays_under_1_mb(built_book):
    from balkanarms.build import page_weights
    heavy = [(page, size) for page, size in page_weights(built_book) if size > 1_000_000]
    assert heavy == []


@pytest.mark.build
def test_figures_have_alt_text_and_captions(built_book):
    for f in toc_files():
        html = (built_book / f"{f}.html").read_text()
        for img in re.findall(r"<img [^>]*>", html):
            if "logo" in img:
                continue
            assert re.search(r'alt="[^"]{15,}"', img), (f, img[:200])


@pytest.fixture(scope="session")
def server(built_book):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=str(built_book))
    httpd = socketserver.TCPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.browser
@pytest.mark.parametrize("page_file", toc_files())
def test_page_in_browser(server, browser, page_file):
    page = browser.new_page()
    errors, external = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    resp = page.goto(f"{server}/{page_file}.html", wait_until="load")
    assert resp.status == 200
    assert errors == [], errors
    # the theme is served whole from the build: no page asks any other host for anything
    assert external == [], external
    imgs = page.eval_on_selector_all("img", "els => els.map(e => [e.src, e.naturalWidth, e.alt])")
    for src, width, alt in imgs:
        assert width > 0, src
        assert alt, src
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for href in {l.split("#")[0] for l in links if l.startswith(server)}:
        assert page.request.get(href).status == 200, href
    assert page.inner_text("main").strip()
    assert page.locator("nav.bd-docs-nav a").count() >= len(toc_files()) - 1  # navigation rendered
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("page_file", [f for f in toc_files() if f.startswith("notebooks/")])
def test_no_horizontal_scroll_at_phone_width(server, browser, page_file):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server) else r.abort())
    page.goto(f"{server}/{page_file}.html", wait_until="load")
    overflow = page.evaluate("document.body.scrollWidth - window.innerWidth")
    assert overflow <= 1, overflow
    page.close()


@pytest.mark.browser
def test_search_finds_a_term_from_the_data(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/search.html?q=FK-3", wait_until="load")
    page.wait_for_selector("#search-results ul li", timeout=15_000)
    hits = page.eval_on_selector_all("#search-results ul li a", "els => els.map(e => e.href)")
    assert any("serbia_suppliers" in h or "china_footprint" in h for h in hits), hits
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("page_file", ["book/intro", "notebooks/evidence", "notebooks/serbia_suppliers",
                                       "notebooks/map", "book/claims"])
def test_accessibility(server, browser, page_file):
    from axe_playwright_python.sync_playwright import Axe
    page = browser.new_page()
    page.goto(f"{server}/{page_file}.html", wait_until="load")
    violations = Axe().run(page).response["violations"]
    severe = [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
    assert severe == [], severe
    page.close()


# ---------------------------------------------------------------- repository hygiene

def test_notebooks_have_no_outputs():
    nbs = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert nbs
    for nb in nbs:
        cells = json.loads(nb.read_text())["cells"]
        for c in cells:
            if c["cell_type"] == "code":
                assert c.get("outputs") == [] and c.get("execution_count") is None, nb.name


def test_requirements_are_pinned():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [l for l in lines if l and not l.startswith("#")]
    assert len(reqs) > 20
    loose = [l for l in reqs if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", l)]
    assert loose == []


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()


def test_no_blanket_warning_filters():
    for path in list((ROOT / "balkanarms").glob("*.py")) + list((ROOT / "notebooks").glob("*.ipynb")):
        assert 'filterwarnings("ignore")' not in path.read_text(), path


def test_bib_keys_are_all_used():
    import balkanarms.data as data
    used = set()
    for name in ["transfers", "engagements", "statistics", "countries"]:
        used |= {k for ks in data.load_table(name)["sources"] for k in ks}
    text = " ".join(p.read_text() for p in (ROOT / "book").glob("*.md"))
    text += " ".join(p.read_text() for p in (ROOT / "notebooks").glob("*.ipynb"))
    used |= set(re.findall(r"[a-z0-9]+", text))
    defined = set(data.references()["key"])
    assert defined - used == set()
