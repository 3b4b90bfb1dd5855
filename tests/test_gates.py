"""The markup gate, on a partial build of the book with markup injected into its data:
strings from the data reach HTML only as text. (That two executions of a notebook give the
same figures and tables is checked by the notebook grid against the main build.)"""
import csv
from pathlib import Path

import pytest
import yaml

from balkanarms.build import build as build_book, copy_book, markdown_notebooks

#: The pages that show the injected strings: the only ones the partial build keeps.
PAGES = ["notebooks/serbia_suppliers", "notebooks/china_footprint", "notebooks/evidence"]


def keep_only(book: Path, pages: list[str]) -> None:
    """Reduce a copy of the book to ``pages``: a table of contents of them alone, and no
    other notebook or Markdown page with code left to execute."""
    for nb in (book / "notebooks").glob("*.ipynb"):
        if f"notebooks/{nb.stem}" not in pages:
            nb.unlink()
    for md in markdown_notebooks(book):
        md.unlink()
    toc = {"format": "jb-book", "root": pages[0], "chapters": [{"file": p} for p in pages[1:]]}
    (book / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")


def build(book: Path) -> Path:
    """A cold build of a partial copy of the book, reading the copy's data. Not strict: its
    pages link to chapters the copy leaves out."""
    proc = build_book(book, data_dir=book / "data", capture=True, strict=False)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return book / "_build" / "html"


SCRIPT = "<script>window.__injected = 1</script>"
IMG = '<img src="x" onerror="window.__injected = 2">'


@pytest.fixture(scope="session")
def injected_book(tmp_path_factory) -> Path:
    book = copy_book(tmp_path_factory.mktemp("injected"))
    keep_only(book, PAGES)
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
@pytest.mark.parametrize("page_file,payload", [(PAGES[0], SCRIPT), (PAGES[1], SCRIPT), (PAGES[2], IMG)])
def test_markup_in_the_data_is_shown_as_text(injected_book, browser_factory, page_file, payload):
    html = (injected_book / f"{page_file}.html").read_text()
    assert payload not in html  # never written to the page as markup
    page = browser_factory()
    page.goto((injected_book / f"{page_file}.html").as_uri(), wait_until="load")
    assert page.evaluate("window.__injected") is None  # nothing executed
    assert payload in page.inner_text("main")  # ...and the reader sees the text as it is
    page.close()


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
