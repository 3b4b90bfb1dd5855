"""Quality gates that need their own builds of the book: strings from the data reach
HTML only as text, and two clean builds give the same figures and tables."""
import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from balkanarms import ROOT

BOOK_PARTS = ["_config.yml", "_toc.yml", "book", "notebooks", "data", "_static"]


def copy_book(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in BOOK_PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / part)
    return dest


def build(book: Path) -> Path:
    """A cold, strict build of a copy of the book, reading the copy's data."""
    env = dict(os.environ, BALKANARMS_DATA=str(book / "data"))
    jb = str(Path(sys.executable).parent / "jupyter-book")
    proc = subprocess.run([jb, "build", str(book), "-W", "-n", "--keep-going"], env=env, cwd=book,
                          capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return book / "_build" / "html"


SCRIPT = "<script>window.__injected = 1</script>"
IMG = '<img src="x" onerror="window.__injected = 2">'


@pytest.fixture(scope="module")
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


def digest_figures_and_tables(html_dir: Path) -> dict[str, str]:
    out = {}
    for png in sorted((html_dir / "_images").glob("*.png")):
        out[png.name] = hashlib.sha256(png.read_bytes()).hexdigest()
    for page in sorted((html_dir / "notebooks").glob("*.html")):
        tables = re.findall(r"<table.*?</table>", page.read_text(), flags=re.S)
        out[page.name] = hashlib.sha256("".join(tables).encode()).hexdigest()
    return out


@pytest.mark.build
def test_two_clean_builds_are_identical(tmp_path):
    first = digest_figures_and_tables(build(copy_book(tmp_path / "a")))
    second = digest_figures_and_tables(build(copy_book(tmp_path / "b")))
    assert sum(k.endswith(".png") for k in first) >= 9
    assert first == second
