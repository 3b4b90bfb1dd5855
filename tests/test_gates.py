"""Quality gates that need a second build of the book, with markup injected into its data:
strings from the data reach HTML only as text; and, compared with the main build, every page
the injection does not touch has the same figures and tables (two separate executions)."""
import csv
import hashlib
import re
from pathlib import Path

import pytest

from balkanarms.build import build as build_book, copy_book


def build(book: Path) -> Path:
    """A cold, strict build of a copy of the book, reading the copy's data."""
    proc = build_book(book, data_dir=book / "data", capture=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return book / "_build" / "html"


SCRIPT = "<script>window.__injected = 1</script>"
IMG = '<img src="x" onerror="window.__injected = 2">'


@pytest.fixture(scope="session")
def injected_book(tmp_path_factory) -> Path:
    book = copy_book(tmp_path_factory.mktemp("injected"))
    path = book / "data" / "transfers.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0])
    hit_designation = hit_notes = False
    for row in rows:
        if row["recipient"] == "SRB" and row["designation"] == "CH-92A":
            row["designation"] = f"CH-92A {SCRIPT}"
            hit_designation = True
        if row["confidence"] == "unconfirmed" and not hit_notes:
            row["notes"] = f"{IMG} {row['notes']}"
            hit_notes = True
    assert hit_designation and hit_notes
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return build(book)


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("page_file,payload", [("notebooks/serbia_suppliers", SCRIPT),
                                               ("notebooks/china_footprint", SCRIPT),
                                               ("notebooks/evidence", IMG)])
def test_markup_in_the_data_is_shown_as_text(injected_book, browser_factory, page_file, payload):
    html = (injected_book / f"{page_file}.html").read_text()
    assert payload not in html  # never written to the page as markup
    page = browser_factory()
    page.goto((injected_book / f"{page_file}.html").as_uri(), wait_until="load")
    assert page.evaluate("window.__injected") is None  # nothing executed
    assert payload in page.inner_text("main")  # ...and the reader sees the text as it is
    page.close()


def figures_and_tables(html_dir: Path) -> dict[str, list[str]]:
    """Per chapter notebook page: the digest of each figure it shows, in order, and of its tables."""
    out = {}
    for page in sorted((html_dir / "notebooks").glob("*.html")):
        html = page.read_text()
        pngs = re.findall(r'<img [^>]*src="\.\./(_images/[^"]+\.png)"', html)
        tables = re.findall(r"<table.*?</table>", html, flags=re.S)
        out[page.stem] = [hashlib.sha256((html_dir / src).read_bytes()).hexdigest() for src in pngs]
        out[page.stem].append(hashlib.sha256("".join(tables).encode()).hexdigest())
    return out


@pytest.mark.build
def test_two_builds_give_identical_figures_and_tables(built_book, injected_book):
    """The main build and the injected build execute every notebook separately: each page
    that shows no injected string must come out the same, figure by figure."""
    touched = {page.stem for page in (injected_book / "notebooks").glob("*.html")
               if "__injected" in page.read_text()}
    assert {"serbia_suppliers", "china_footprint", "evidence"} <= touched
    first, second = figures_and_tables(built_book), figures_and_tables(injected_book)
    compared = {stem: digests for stem, digests in first.items() if stem not in touched}
    assert len(compared) >= 3 and sum(len(d) - 1 for d in compared.values()) >= 4  # pages, figures
    assert compared == {stem: second[stem] for stem in compared}


def test_cache_is_dropped_when_the_data_changes(tmp_path, fixture_dir):
    from balkanarms.build import refresh_cache
    (tmp_path / ".jupyter_cache").mkdir()
    assert refresh_cache(tmp_path, fixture_dir) is True  # never stamped: rebuild everything
    marker = tmp_path / ".jupyter_cache" / "executed-marker"
    marker.write_text("x")
    assert refresh_cache(tmp_path, fixture_dir) is False  # nothing changed: the cache stays
    assert marker.exists()
    (fixture_dir / "transfers.csv").write_text((fixture_dir / "transfers.csv").read_text() + "\n")
    assert refresh_cache(tmp_path, fixture_dir) is True  # data changed: cache cleared
    assert not marker.exists()
