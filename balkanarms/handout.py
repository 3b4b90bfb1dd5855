"""Printing the teaching kit: the student handout, the role briefs and the instructor's copy,
as tagged A4 PDFs printed from a built edition by Debian's headless Chromium (``make handout``)."""

from __future__ import annotations

import re
from pathlib import Path

from . import ROOT

#: The print style sheets, kept as CSS files beside this module.
PRINT_DIR = Path(__file__).resolve().parent / "print"

#: The written tasks, marked with the rubric (each has an exemplar answer in its solution).
WRITTEN = ["ex-scorecard", "ex-scorecard-outpace", "ex-influence", "ex-two-sources", "ex-source", "ex-argue"]

#: Where the student edition is built, and the pages the handout prints, in order.
STUDENT_DIR = ROOT / "_build" / "student"
HANDOUT_PAGES = [
    "book/teaching/guide",
    "book/teaching/exercises",
    "book/teaching/roles",
    "book/teaching/glossary",
    "book/teaching/rubric",
]
HANDOUT_PDF = STUDENT_DIR / "handout.pdf"
#: The instructor's copy: the same parts from the instructor's edition, notes and answers open.
INSTRUCTOR_PAGES = ["book/teaching/guide", "book/teaching/exercises", "book/teaching/roles", "book/teaching/rubric"]
INSTRUCTOR_PDF = STUDENT_DIR / "instructor.pdf"
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


#: Print styles: only the page's text, charts no wider than the page, each part on a new page;
#: tables and long outputs may break across pages (so no page is left mostly blank), figures may not.
PRINT_CSS = (PRINT_DIR / "handout.css").read_text(encoding="utf-8")

#: The instructor's copy: answers and notes open, the answers' code hidden (their results stay).
INSTRUCTOR_CSS = PRINT_CSS + (PRINT_DIR / "instructor.css").read_text(encoding="utf-8")

_ARTICLE = "article.bd-article"

#: Run in the page before printing: open every dropdown (the instructor's answers and notes), print the
#: address after each external link whose text is not already the address, name the book page an
#: internal link leads to, and leave ruled space under each written task.
_PREPARE = r"""([written, answerSpace]) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('article a[href]').forEach(a => {
    const href = a.getAttribute('href');
    if (!href || href.startsWith('#') || a.closest('.printed-url')) return;
    const span = document.createElement('span');
    span.className = 'printed-url';
    if (/^https?:/.test(href)) {
      if (a.textContent.trim() === href || a.textContent.trim() === href.replace(/\/$/, '')) return;
      span.textContent = ' <' + href + '>';
    } else {
      const page = href.split('#')[0].replace(/\.html$/, '').replace(/^(\.\.\/)+/, '');
      if (!page || a.closest('.handout-part, article') === null) return;
      if (document.querySelector('[data-printed-page="' + page + '"]')) return;
      if (!/notebooks\/|claims|intro|evidence_trail|status/.test(page)) return;
      span.textContent = ' (book: ' + page.split('/').pop().replace(/_/g, ' ') + ')';
    }
    a.after(span);
  });
  if (answerSpace) {
    for (const id of written) {
      const ex = document.getElementById(id);
      if (!ex) continue;
      const box = document.createElement('div');
      box.className = 'answer-space';
      let at = ex;
      while (at.nextElementSibling && at.nextElementSibling.matches('.cell, .docutils.container')) {
        at = at.nextElementSibling;
      }
      at.after(box);
    }
  }
}"""


def _article(page: Path) -> str:
    """The main article of a built page, as HTML."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    node = soup.select_one(_ARTICLE)
    if node is None:
        raise ValueError(f"{page}: no <{_ARTICLE}> element to print")
    return node.decode_contents()


#: Role briefs print one to an A4 page: no print title or contents, compact type.
ROLES_CSS = PRINT_CSS + (PRINT_DIR / "roles.css").read_text(encoding="utf-8")

BOOK_TITLE = "Arms and influence in the Western Balkans"


def _edition_label() -> str:
    """The SIPRI edition the book's headline figures use, as the handouts' header names it."""
    try:
        from . import sipri

        return sipri.edition_label(sipri.HEADLINE_EDITION)
    except Exception:  # the header must not stop a printout
        return "SIPRI Arms Transfers Database"


def _header(title: str) -> str:
    import datetime

    today = datetime.date.today().isoformat()
    return (
        '<div style="font-size:7.5px;width:100%;margin:0 14mm;display:flex;justify-content:space-between;'
        f'color:#333;"><span>{BOOK_TITLE}: {title}</span>'
        f"<span>Printed {today} · SIPRI data: {_edition_label()}</span></div>"
    )


def _footer(title: str) -> str:
    return (
        '<div style="font-size:8px;width:100%;text-align:center;">'
        f'{BOOK_TITLE}: {title}, page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
    )


def print_pages(pages: list[Path], pdf: Path, css: str, title: str, answer_space: bool = False) -> Path:
    """Print built pages to one tagged A4 PDF: the first page's document with the others' articles
    appended, each part starting on a new page. The pages must share a folder tree, so that
    relative image paths hold (parts from sub-folders have their image paths rewritten)."""
    from playwright.sync_api import sync_playwright

    missing = [str(p) for p in pages if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"build the student edition first (make student); missing: {missing}")
    base = pages[0].parent
    parts = []
    for p in pages[1:]:
        html = _article(p)
        if p.parent != base:  # images and links of a page in another folder: make them absolute
            html = re.sub(
                r'(src|href)="(?!https?:|#|/|data:)([^"]+)"',
                lambda m, d=p.parent: f'{m[1]}="{(d / m[2]).resolve().as_uri()}"',
                html,
            )
        parts.append(
            (p.relative_to(base.parent.parent).with_suffix("").as_posix() if len(p.parents) > 2 else p.stem, html)
        )
    pdf = Path(pdf)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(pages[0].as_uri(), wait_until="load")
        page.evaluate(
            """([sel, parts]) => {
            const main = document.querySelector(sel);
            for (const [name, html] of parts) {
                const div = document.createElement('div');
                div.className = 'handout-part';
                div.dataset.printedPage = name;
                div.innerHTML = html;
                main.appendChild(div);
            }
        }""",
            [_ARTICLE, parts],
        )
        page.evaluate(_PREPARE, [WRITTEN, answer_space])
        page.add_style_tag(content=css)
        page.emulate_media(media="print")
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")
        page.pdf(
            path=str(pdf),
            format="A4",
            print_background=True,
            prefer_css_page_size=True,
            display_header_footer=True,
            header_template=_header(title),
            footer_template=_footer(title),
            tagged=True,
            outline=True,
        )
        browser.close()
    print(f"{title}: {pdf}", flush=True)
    return pdf


def handout(html: Path = STUDENT_DIR / "html", pdf: Path = HANDOUT_PDF) -> Path:
    """Print the student handout (no answers) from a built student edition, with answer space."""
    pages = [Path(html) / f"{p}.html" for p in HANDOUT_PAGES]
    return print_pages(pages, pdf, PRINT_CSS, "student handout", answer_space=True)


def instructor_copy(html: Path = STUDENT_DIR / "instructor-html", pdf: Path = INSTRUCTOR_PDF) -> Path:
    """Print the instructor's copy (notes, answers, exemplars, timings) from the instructor's edition."""
    pages = [Path(html) / f"{p}.html" for p in INSTRUCTOR_PAGES]
    return print_pages(pages, pdf, INSTRUCTOR_CSS, "instructor's copy")


def role_briefs(html: Path = STUDENT_DIR / "html", pdf: Path = ROLES_PDF) -> Path:
    """Print the six role briefs, one to an A4 page, to one PDF."""
    return print_pages([Path(html) / f"{p}.html" for p in ROLE_PAGES], pdf, ROLES_CSS, "role briefs")
