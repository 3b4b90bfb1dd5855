"""The teaching kit's machinery.

* :data:`EXERCISE_RUNS`: every exercise that asks students to change a notebook
  parameter, with exactly that change, so the notebook test tier runs it;
* the student edition: a copy of the book with solutions and facilitator notes
  removed, built into its own folder (``make student``);
* the handout: the seminar guide, the exercises and the glossary of the student
  edition printed to one A4 PDF by headless Chromium (``make handout``), with the six
  role briefs in a second PDF, one brief to a page.

    python -m balkanarms.teaching student [OUTPUT_DIR]
    python -m balkanarms.teaching handout [PDF_PATH]
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

from . import ROOT

#: (exercise label, notebook stem, {parameter: value}): each exercise that changes a
#: notebook's ``parameters`` cell, with the change it asks for (names in CONTRACTS.md).
EXERCISE_RUNS: list[tuple[str, str, dict]] = [
    ("ex-recipient", "serbia_suppliers", {"RECIPIENT": "HRV"}),
    ("ex-china-bih", "china_footprint", {"RECIPIENT": "BIH"}),
    ("ex-region-window", "region_compared", {"WINDOW": (2016, 2020), "MEASURE": "tiv"}),
    ("ex-edition", "measures", {"EDITION": "2025", "WINDOW": (2020, 2024)}),
    ("ex-window", "map", {"WINDOW": (2006, 2015)}),
    ("ex-map-measure", "map", {"MEASURE": "deals"}),
]

#: Where the student edition is built, and the pages the handout prints, in order.
STUDENT_DIR = ROOT / "_build" / "student"
HANDOUT_PAGES = ["book/teaching/guide", "book/teaching/exercises", "book/teaching/glossary"]
HANDOUT_PDF = STUDENT_DIR / "handout.pdf"
ROLES = ["belgrade", "beijing", "moscow", "brussels", "washington", "pristina"]
ROLE_PAGES = [f"book/teaching/roles/{r}" for r in ROLES]
ROLES_PDF = STUDENT_DIR / "role-briefs.pdf"

#: Debian's chromium, driven by Playwright without a browser download.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Class that marks a block as for instructors only (dropped from the student edition).
FACILITATOR_CLASS = "facilitator-notes"

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}")


# ------------------------------------------------------------------ student edition


def _block_end(lines: list[str], start: int, fence: str) -> int:
    """Index of the line that closes the directive opened at ``start`` with ``fence``."""
    for j in range(start + 1, len(lines)):
        if lines[j].strip() == fence:
            return j
    raise ValueError(f"directive opened on line {start + 1} with {fence} is never closed")


def _options(lines: list[str], start: int) -> str:
    """The ``:option:`` lines right after a directive's first line, joined."""
    out = []
    for line in lines[start + 1 :]:
        if not line.startswith(":") or _OPEN.match(line):
            break
        out.append(line)
    return "\n".join(out)


def _is_instructor_only(name: str, options: str) -> bool:
    if name in ("solution", "solution-start"):
        return True
    return bool(re.search(rf":class:.*\b{FACILITATOR_CLASS}\b", options))


def strip_solutions(text: str) -> str:
    """Remove ``solution`` directives, gated ``solution-start`` ... ``solution-end`` blocks
    (with the code cells between them) and facilitator notes from MyST Markdown."""
    lines = text.splitlines(keepends=True)
    out, i, gated = [], 0, False
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if gated:
            if m and m["name"] == "solution-end":
                i = _block_end(lines, i, m["fence"])
                gated = False
            i += 1
            continue
        if m and _is_instructor_only(m["name"], _options(lines, i)):
            end = _block_end(lines, i, m["fence"])
            gated = m["name"] == "solution-start"
            i = end + 1
            continue
        out.append(lines[i])
        i += 1
    if gated:
        raise ValueError("a solution-start block is never closed by solution-end")
    return re.sub(r"\n{3,}", "\n\n", "".join(out))


def strip_notebook(nb: dict) -> dict:
    """The same for a Jupyter notebook: cells tagged ``solution`` or lying between a
    ``solution-start`` and a ``solution-end`` cell are dropped; markdown is stripped."""
    cells, gated = [], False
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        if gated:
            gated = "{solution-end}" not in src
            continue
        if cell["cell_type"] == "markdown" and "{solution-start}" in src and "{solution-end}" not in src:
            gated = True
            src = src[: src.index("{solution-start}")].rsplit("\n", 1)[0].rstrip("\n")
        if cell["cell_type"] == "markdown":
            src = strip_solutions(src)
        cells.append(dict(cell, source=src))
    return dict(nb, cells=cells)


def strip_book(book: Path) -> list[Path]:
    """Strip every page of a copy of the book in place; returns the files changed."""
    import json

    changed = []
    for path in sorted(book.glob("book/**/*.md")):
        text = path.read_text(encoding="utf-8")
        new = strip_solutions(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    for path in sorted(book.glob("notebooks/*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        new = strip_notebook(nb)
        if new != nb:
            path.write_text(json.dumps(new, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            changed.append(path)
    return changed


def add_bib_parts(book: Path, parts: list[Path]) -> list[str]:
    """Append to a copy's ``references.bib`` the entries of BibTeX parts whose keys and
    URLs it lacks (parts not yet merged into the bibliography); returns the keys added."""
    from .validate import check_bib

    bib = book / "data" / "references.bib"
    have, fields, _ = check_bib(bib)
    urls = {f.get("url", "") for f in fields.values()}
    added, chunks = [], []
    for part in parts:
        for entry in re.split(r"\n(?=@)", part.read_text(encoding="utf-8").strip()):
            m = re.match(r"@\w+\{([^,\s]+),", entry.strip())
            url = re.search(r"^\s*url = \{([^}]*)\}", entry, re.M)
            if m and m.group(1) not in have and not (url and url.group(1) in urls):
                chunks.append(entry.strip())
                added.append(m.group(1))
                have.add(m.group(1))
                urls.add(url.group(1) if url else "")
    if chunks:
        with open(bib, "a", encoding="utf-8") as f:
            f.write("\n\n" + "\n\n".join(chunks) + "\n")
    return added


def student_edition(output: Path = STUDENT_DIR, bib_parts: list[Path] = (), cache_from: Path = ROOT) -> Path:
    """Build the student edition from the book's own sources into ``output/html``.

    The copy reuses the execution cache of the book in ``cache_from`` where it has one, so
    only pages whose code changed (the exercises, once their solutions are gone) execute again.
    ``bib_parts`` are BibTeX parts to add to the copy's bibliography where their keys
    are missing (for a build before the parts are merged)."""
    from .build import build, copy_book

    with tempfile.TemporaryDirectory(prefix="balkanarms-student-") as tmp:
        book = copy_book(Path(tmp) / "book")
        added = add_bib_parts(book, list(bib_parts))
        if added:
            print(f"sources added from parts not yet merged: {', '.join(added)}", flush=True)
        if (Path(cache_from) / ".jupyter_cache").is_dir():
            shutil.copytree(Path(cache_from) / ".jupyter_cache", book / ".jupyter_cache")
        for path in strip_book(book):
            print(f"solutions removed: {path.relative_to(book)}", flush=True)
        proc = build(book, data_dir=book / "data")
        if proc.returncode != 0:
            raise RuntimeError(f"the student edition failed to build (exit {proc.returncode})")
        html = Path(output) / "html"
        if html.exists():
            shutil.rmtree(html)
        shutil.copytree(book / "_build" / "html", html)
    print(f"student edition: {html / 'index.html'}", flush=True)
    return html


# ------------------------------------------------------------------ handout

#: Print styles: only the page's text, charts no wider than the page, one part per page.
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .header-article,
.prev-next-area, .bd-footer, .bd-footer-article, .bd-footer-content, footer, .toggle-button,
.headerlink, .search-button, #pst-back-to-top, .copybtn { display: none !important; }
.bd-main .bd-content .bd-article-container, .bd-page-width, .bd-container__inner,
.bd-article-container { max-width: 100% !important; width: 100% !important; padding: 0 !important; }
body { font-size: 10.5pt; }
img, svg, canvas, video { max-width: 100% !important; height: auto !important; }
figure, img, table, .admonition, div.exercise, .cell_output { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
.handout-part { break-before: page; }
.handout-part h1 { display: block !important; }  /* the theme prints only the page's own title */
details.hide.above-input, .cell.tag_hide-input .cell_input { display: none !important; }
p:has(+ table), p:has(+ .pst-scrollable-table-container) { break-after: avoid; }
table { font-size: 9pt; }
"""

_ARTICLE = "article.bd-article"


def _article(page: Path) -> str:
    """The main article of a built page, as HTML."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    node = soup.select_one(_ARTICLE)
    if node is None:
        raise ValueError(f"{page}: no <{_ARTICLE}> element to print")
    return node.decode_contents()


#: Role briefs print one to an A4 page: no print title or contents, compact type.
ROLES_CSS = (
    PRINT_CSS
    + """
#jb-print-docs-body { display: none !important; }
article.bd-article h1 { display: block !important; font-size: 17pt; margin: 0 0 6pt; }
article.bd-article h2 { font-size: 12pt; margin: 9pt 0 3pt; }
body { font-size: 10.5pt; line-height: 1.35; }
article.bd-article p, article.bd-article li { margin-bottom: 2pt; }
"""
)


def _footer(title: str) -> str:
    return (
        '<div style="font-size:8px;width:100%;text-align:center;">Arms and influence in the Western '
        f'Balkans: {title}, page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
    )


def print_pages(pages: list[Path], pdf: Path, css: str, title: str) -> Path:
    """Print built pages to one A4 PDF: the first page's document with the others' articles
    appended, each part starting on a new page. The pages must share a folder, so that
    relative image paths hold."""
    from playwright.sync_api import sync_playwright

    missing = [str(p) for p in pages if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"build the student edition first (make student); missing: {missing}")
    if len({p.parent for p in pages}) != 1:
        raise ValueError(f"pages to print together must share a folder: {pages}")
    parts = [_article(p) for p in pages[1:]]
    pdf = Path(pdf)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(pages[0].as_uri(), wait_until="load")
        page.evaluate(
            """([sel, parts]) => {
            const main = document.querySelector(sel);
            for (const html of parts) {
                const div = document.createElement('div');
                div.className = 'handout-part';
                div.innerHTML = html;
                main.appendChild(div);
            }
        }""",
            [_ARTICLE, parts],
        )
        page.add_style_tag(content=css)
        page.emulate_media(media="print")
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")
        page.pdf(
            path=str(pdf),
            format="A4",
            print_background=True,
            prefer_css_page_size=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=_footer(title),
        )
        browser.close()
    print(f"{title}: {pdf}", flush=True)
    return pdf


def handout(html: Path = STUDENT_DIR / "html", pdf: Path = HANDOUT_PDF) -> Path:
    """Print the handout pages of a built (student) book to one A4 PDF."""
    return print_pages([Path(html) / f"{p}.html" for p in HANDOUT_PAGES], pdf, PRINT_CSS, "seminar handout")


def role_briefs(html: Path = STUDENT_DIR / "html", pdf: Path = ROLES_PDF) -> Path:
    """Print the six role briefs, one to an A4 page, to one PDF."""
    return print_pages([Path(html) / f"{p}.html" for p in ROLE_PAGES], pdf, ROLES_CSS, "role briefs")


def bib_parts() -> list[Path]:
    """The research helpers' BibTeX parts (merged into references.bib by the lead)."""
    return sorted((ROOT / "data" / "evidence" / "_parts").glob("*.bib"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["student"]:
        student_edition(Path(argv[1]) if len(argv) > 1 else STUDENT_DIR, bib_parts=bib_parts())
        return 0
    if argv[:1] == ["handout"]:
        html = STUDENT_DIR / "html"
        if not (html / f"{HANDOUT_PAGES[0]}.html").is_file():
            student_edition(STUDENT_DIR, bib_parts=bib_parts())
        handout(html, Path(argv[1]) if len(argv) > 1 else HANDOUT_PDF)
        role_briefs(html, (Path(argv[1]).with_name("role-briefs.pdf")) if len(argv) > 1 else ROLES_PDF)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
