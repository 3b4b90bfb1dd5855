"""The seminar's slide deck: about ten slides built from the book's own figures and numbers, offline,
printed to a tagged PDF by headless Chromium (``make slides``, or part of ``make handout``).

The figures are the images of the built book (the map, Serbia's shares by window, the two measures), so
the slides show what the book shows; the numbers and the list of claims are computed by the same
functions the book glues. The template is ``_static/slides/slides.html``.

    python -m balkanarms.teaching slides [OUTPUT_DIR]    from OUTPUT_DIR/html, into OUTPUT_DIR/slides.pdf
"""

from __future__ import annotations

import html as _html
from pathlib import Path

from . import ROOT

TEMPLATE = ROOT / "_static" / "slides" / "slides.html"

#: (slide title, page of the built book, figure name): the book's figures the deck shows.
FIGURES = [
    ("Where the region's arms come from", "notebooks/map", "fig-map"),
    ("Serbia's suppliers by volume, window by window", "notebooks/serbia_suppliers", "fig-srb-tiv-windows"),
    ("Two measures, two answers", "notebooks/measures", "fig-measures"),
]


def figure(html_dir: Path, page: str, name: str) -> tuple[str, str]:
    """The image (as a file URI) and the caption of a named figure of a built page."""
    from bs4 import BeautifulSoup

    path = Path(html_dir) / f"{page}.html"
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    node = soup.find(id=name)
    img = node.find("img") if node else None
    if img is None:
        raise ValueError(f"{path}: no figure named {name}")
    caption = node.find("figcaption")
    text = caption.get_text(" ", strip=True).rstrip("#").strip() if caption else ""  # no permalink sign
    for prefix in ("Fig.", "Figure"):
        if text.startswith(prefix):
            text = text.split(" ", 2)[-1]
    return (path.parent / img["src"]).resolve().as_uri(), text


def content(html_dir: Path) -> list[dict]:
    """The slides: each a title and its body (HTML), in order."""
    from . import aggregate as agg, claims, data, findings, sipri

    card = claims.scorecard(data.transfers())
    key_facts = findings.key_findings()
    edition = sipri.edition_label(sipri.HEADLINE_EDITION)
    window = agg.window_label(sipri.HEADLINE_WINDOW)
    esc = _html.escape
    slides = [
        {
            "title": "Has China bought influence in Serbia through arms, and how would we know?",
            "body": "<p class='sub'>A seminar on arms and influence in the Western Balkans, from the book's own "
            f"evidence: a list of arms deals from public sources and SIPRI's data ({esc(edition)}).</p>",
        },
        {
            "title": "The article's argument",
            "body": "<ol><li>China has become Serbia's main new arms partner: air-defence missiles and armed drones."
            "</li>"
            "<li>The ties reach beyond sales: training in China, a drone co-developed, a joint exercise in 2025.</li>"
            "<li>Serbia buys from the West and Russia too, but Chinese purchases create a dependence that could "
            "undercut NATO's and the EU's influence.</li></ol><p class='src'>Small Wars Journal, 5 November 2025.</p>",
        },
    ]
    for title, page, name in FIGURES:
        uri, caption = figure(html_dir, page, name)
        slides.append(
            {
                "title": title,
                "body": f"<figure><img src='{uri}' alt='{esc(caption)}'>"
                f"<figcaption>{esc(caption)}</figcaption></figure>",
            }
        )
    slides.append(
        {
            "title": f"The numbers, {esc(window)}",
            "body": "<ul>"
            + "".join(f"<li>{esc(key_facts[k])}</li>" for k in ("deals", "russia", "pending") if k in key_facts)
            + "</ul>",
        }
    )
    items = [f"<li>{esc(c)}</li>" for c in card["claim"]]
    half = (len(items) + 1) // 2
    slides.append(
        {
            "title": "The claims you will judge (1)",
            "body": f"<ol class='small'>{''.join(items[:half])}</ol>"
            f"<p class='src'>Scale: {esc('; '.join(claims.VERDICTS))}.</p>",
        }
    )
    slides.append(
        {
            "title": "The claims you will judge (2)",
            "body": f"<ol class='small' start='{half + 1}'>{''.join(items[half:])}</ol>",
        }
    )
    slides.append(
        {
            "title": "The simulation",
            "body": "<p><b>Brussels, before the Commission's report on Serbia.</b> Should Serbia's arms "
            "purchases from China (and Russia) weigh in its path to the EU?</p>"
            "<ul><li>Six delegations: Belgrade, Beijing, Moscow, Brussels, Washington, Pristina "
            "(and Ankara, Zagreb, Banja Luka).</li><li>A draft communiqué of three paragraphs; each "
            "passes with two-thirds of the delegations and no veto from Belgrade or Brussels.</li>"
            "<li>Every claim cites an evidence card, a deal or a chart.</li></ul>",
        }
    )
    slides.append(
        {
            "title": "Debrief",
            "body": "<ol><li>Which card was cited most, and by whom?</li><li>Which claim had no evidence, "
            "and why?</li><li>Did volume and number of deals lead to different conclusions?</li>"
            "<li>What did arms buy in this room?</li><li>What would you need beyond this book's "
            "data?</li></ol>",
        }
    )
    return slides


def render(html_dir: Path) -> str:
    """The deck as one HTML document, from the template."""
    template = TEMPLATE.read_text(encoding="utf-8")
    sections = "\n".join(
        f"<section class='slide'><h1>{s['title']}</h1>{s['body']}"
        f"<footer>Arms and influence in the Western Balkans · {i} / N</footer></section>"
        for i, s in enumerate(content(html_dir), 1)
    )
    n = sections.count("<section")
    return template.replace("{{ slides }}", sections.replace(" / N</footer>", f" / {n}</footer>"))


def slides(html_dir: Path, pdf: Path) -> Path:
    """Print the deck to a tagged PDF, one slide (16:9) to a page, offline."""
    from playwright.sync_api import sync_playwright

    from .teaching import CHROMIUM, CHROMIUM_ARGS

    pdf = Path(pdf)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    doc = pdf.with_suffix(".html")
    doc.write_text(render(Path(html_dir)), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(doc.as_uri(), wait_until="load")
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")
        page.pdf(
            path=str(pdf),
            width="254mm",
            height="142.9mm",
            print_background=True,
            prefer_css_page_size=True,
            tagged=True,
            outline=True,
        )
        browser.close()
    doc.unlink()
    print(f"slides: {pdf}", flush=True)
    return pdf
