"""The teaching kit: exercises and their solutions, the runs they ask for, the glossary,
the student edition and the handout."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from balkanarms import ROOT, teaching
from balkanarms.validate import check_bib

TEACHING = ROOT / "book" / "teaching"
EXERCISES = TEACHING / "exercises.md"
GLOSSARY = TEACHING / "glossary.md"
TEACHING_BIB = ROOT / "data" / "evidence" / "_parts" / "teaching.bib"

_EX = re.compile(r"^`{3,}\{exercise(?:-start)?\}[^\n]*\n(?::[^\n]*\n)*?:label: (?P<label>[\w-]+)", re.M)
_SOL = re.compile(r"^`{3,}\{solution(?:-start)?\} (?P<label>[\w-]+)", re.M)
_TERM = re.compile(r"\{term\}`(?P<text>[^`<]*?)(?:\s*<(?P<target>[^>]+)>)?`")
_CITE = re.compile(r"\{cite(?::[pt])?\}`([^`]+)`")
_ROW_ID = re.compile(r"\b([TES]-(?:[A-Z]{3}-)?\d{3})\b")


def exercise_text() -> str:
    return EXERCISES.read_text(encoding="utf-8")


def exercise_blocks(text: str) -> dict[str, str]:
    """Exercise label -> the exercise's own text (up to the next solution)."""
    out = {}
    for m in _EX.finditer(text):
        nxt = _SOL.search(text, m.end())
        out[m["label"]] = text[m.end() : nxt.start() if nxt else len(text)]
    return out


def pages() -> list[Path]:
    """Every page of the book a reader sees: Markdown chapters and notebooks."""
    return sorted((ROOT / "book").rglob("*.md")) + sorted((ROOT / "notebooks").glob("*.ipynb"))


def page_text(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def glossary_terms() -> set[str]:
    """Terms defined by the glossary directive (term lines: unindented, inside the block)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    return {line.strip() for line in block.splitlines() if line.strip() and not line.startswith((" ", ":"))}


# ------------------------------------------------------------------ exercises


def test_at_least_twelve_exercises_each_followed_by_its_solution():
    text = exercise_text()
    labels = [m["label"] for m in _EX.finditer(text)]
    assert len(labels) >= 12, labels
    assert len(set(labels)) == len(labels), "duplicate exercise label"
    solutions = [m["label"] for m in _SOL.finditer(text)]
    assert solutions == labels, "each exercise must be followed by its own solution, in order"


def test_every_solution_is_a_dropdown():
    text = exercise_text()
    for m in _SOL.finditer(text):
        options = text[m.end() :].split("\n")[1]
        assert options.strip() == ":class: dropdown", f"solution of {m['label']} is not a dropdown"


def test_exercise_mix_covers_the_issue():
    """Coded solutions exist for most exercises, and none says 'run it and see'."""
    text = exercise_text()
    coded = re.findall(r"\{solution-start\} ([\w-]+)\n(?:.*\n)*?```\{code-cell\}", text)
    assert len(set(coded)) >= 10
    assert "run it and see" not in text.lower() and "run the notebook and compare" not in text.lower()


def test_parameter_changes_in_exercises_are_exactly_the_exercise_runs():
    """Every `NAME = value` an exercise asks for, in the notebook it names, is in EXERCISE_RUNS
    (and nothing else is), so the notebook tier runs what the students will run."""
    found = []
    for label, body in exercise_blocks(exercise_text()).items():
        nbs = re.findall(r"\{doc\}`\.\./\.\./notebooks/(\w+)`", body)
        params = {}
        for k, v in re.findall(r"`([A-Z_]+) = ([^`]+)`", body):
            params.setdefault(k, ast.literal_eval(v))  # the first value asked for is the change
        if params:
            assert len(set(nbs)) == 1, f"{label}: name exactly one notebook, found {nbs}"
            found.append((label, nbs[0], params))
    assert sorted(found, key=str) == sorted(teaching.EXERCISE_RUNS, key=str)


def test_exercise_runs_name_parameters_of_their_notebooks():
    for label, stem, params in teaching.EXERCISE_RUNS:
        nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(cells) == 1, f"{stem}: needs one cell tagged 'parameters' (for {label})"
        src = "".join(cells[0]["source"])
        for name in params:
            assert re.search(rf"^{name}\s*=", src, re.M), f"{stem}: no parameter {name} (for {label})"


@pytest.mark.notebooks
def test_coded_solutions_run(tmp_path):
    """Execute the exercises page (every coded solution) as the build does."""
    import nbformat
    from myst_nb.core.read import read_myst_markdown_notebook
    from nbclient import NotebookClient

    nb = read_myst_markdown_notebook(exercise_text())
    nb = nbformat.from_dict(nb)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(TEACHING)}}).execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error" or o.get("name") == "stderr"
    ]
    assert not errors, errors
    glued = {
        o["metadata"]["scrapbook"]["name"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "scrapbook" in o.get("metadata", {})
    }
    used = set(re.findall(r"\{glue:text\}`([\w]+)", exercise_text()))
    assert used <= glued, f"glued in the text but never computed: {sorted(used - glued)}"


# ------------------------------------------------------------------ guide, roles, sources


def test_session_plans_add_up_to_ninety_minutes():
    text = (TEACHING / "guide.md").read_text(encoding="utf-8")
    tables = re.findall(r"\| Start \| Minutes \| Step \|\n\|[^\n]*\n((?:\|[^\n]*\n)+)", text)
    assert len(tables) == 4, "one 90-minute plan and three sessions"
    for table in tables:
        rows = [r.split("|")[1:-1] for r in table.strip().splitlines()]
        steps = [int(r[1]) for r in rows if r[0].strip()]
        assert rows[-1][1].strip() == "**90**" and sum(steps) == 90, table
        assert "Opening" in rows[0][2] and "Wrap-up" in rows[-2][2]
        starts = [r[0].strip() for r in rows if r[0].strip()]
        clock = 0
        for start, minutes in zip(starts, steps, strict=True):
            assert start == f"{clock // 60}:{clock % 60:02d}", (start, clock)
            clock += minutes


def test_facilitator_notes_for_every_discussion_question():
    text = (TEACHING / "guide.md").read_text(encoding="utf-8")
    questions = re.findall(r"^### (Discussion \d)", text, re.M)
    notes = text.count(f":class: dropdown {teaching.FACILITATOR_CLASS}")
    assert len(questions) == 4 and notes == 4


def test_verdicts_named_in_the_guide_are_on_the_scorecard_scale():
    from balkanarms import claims

    named = re.findall(r"verdict is \*([^*]+)\*", (TEACHING / "guide.md").read_text(encoding="utf-8"))
    assert named and set(named) <= set(claims.VERDICTS), named


# ------------------------------------------------------------------ statements of the guide


def test_guide_china_leads_serbia_by_tiv_but_not_by_deals():
    """Discussion 2's notes: in the headline window China is Serbia's largest supplier by TIV,
    not by number of deals."""
    from balkanarms import aggregate as agg, data, sipri

    top = sipri.largest_supplier("SRB", sipri.HEADLINE_WINDOW, sipri.HEADLINE_EDITION, by="supplier")
    assert top is not None and top[0] == "CHN"
    by_deals = agg.largest_partner(data.transfers(), "SRB", group="supplier", window=sipri.HEADLINE_WINDOW)
    assert by_deals[0] != "CHN"


def test_guide_only_serbia_has_eastern_lines_by_volume():
    """Discussion 3's notes: in the headline window only Serbia has Chinese, Russian or Belarusian TIV."""
    from balkanarms import sipri

    tiv = sipri.tiv_by_year(sipri.HEADLINE_EDITION)
    east = tiv[tiv["year"].between(*sipri.HEADLINE_WINDOW) & tiv["bloc"].isin(["china", "russia_belarus"])]
    assert set(east.loc[east["tiv"] > 0, "recipient"]) == {"SRB"}


def test_guide_most_neighbours_in_nato_and_bosnia_mostly_donations():
    """Discussion 3's notes: most of Serbia's neighbours are NATO members; most of Bosnia and
    Herzegovina's deals are donations."""
    from balkanarms import data

    c = data.countries()
    neighbours = c[(c["role"] == "recipient") & (c["code"] != "SRB")]
    assert neighbours["nato_member_since"].notna().sum() > len(neighbours) / 2
    t = data.transfers()
    bih = t[t["recipient"] == "BIH"]
    assert (bih["deal_type"] == "donation").sum() > len(bih) / 2


def test_exercise_bosnia_chinese_deals_are_support_equipment():
    """ex-china-bih's solution: the Chinese deals with Bosnia and Herzegovina are not weapon systems."""
    from balkanarms import claims, data

    t = data.transfers()
    chn = t[(t["recipient"] == "BIH") & (t["supplier"] == "CHN")]
    assert len(chn) and not chn["capability"].isin(claims.WEAPON_CAPABILITIES).any()


def test_six_role_briefs_with_interests_red_lines_and_evidence():
    roles = ["belgrade", "beijing", "moscow", "brussels", "washington", "pristina"]
    for role in roles:
        text = (TEACHING / "roles" / f"{role}.md").read_text(encoding="utf-8")
        for section in ("## Interests", "## Likely red lines", "## What you would cite from the book"):
            assert section in text, (role, section)
        assert _ROW_ID.search(text) and "{cite:p}" in text and "{doc}`../../../notebooks/" in text, role
        assert len(text.split()) < 600, f"{role}: a brief must fit on one page"


def test_row_ids_named_in_teaching_pages_exist():
    import csv

    known = set()
    for table in ("transfers.csv", "engagements.csv"):  # read raw: this test is about ids only
        with open(ROOT / "data" / table, newline="", encoding="utf-8") as f:
            known |= {row["id"] for row in csv.DictReader(f)}
    for path in sorted(TEACHING.rglob("*.md")):
        for row in _ROW_ID.findall(path.read_text(encoding="utf-8")):
            if not row.startswith("S-"):
                assert row in known, f"{path.name}: no ledger row {row}"


def test_teaching_bib_is_valid_and_cited_keys_exist():
    keys, entries, problems = check_bib(TEACHING_BIB)
    assert not problems, problems
    main_keys, main_entries, _ = check_bib(ROOT / "data" / "references.bib")
    main_urls = {f.get("url") for f in main_entries.values()}
    for key, f in entries.items():
        assert f["urldate"] == "2026-12-01", key
        if key not in main_keys:  # not yet merged by the lead: must not duplicate a source
            assert f["url"] not in main_urls, f"{key}: this URL is already in references.bib"
    cited = {
        k.strip()
        for path in TEACHING.rglob("*.md")
        for group in _CITE.findall(path.read_text(encoding="utf-8"))
        for k in group.split(",")
    }
    assert cited <= keys | main_keys, sorted(cited - keys - main_keys)
    assert "swj2025china" in cited


# ------------------------------------------------------------------ glossary


def test_glossary_has_the_required_terms():
    terms = {t.lower() for t in glossary_terms()}
    required = {
        "tiv",
        "sipri",
        "major conventional weapons",
        "sam",
        "shorad",
        "manpads",
        "uav",
        "ucav",
        "isr",
        "dual-use",
        "licensed production",
        "second-hand transfer",
        "donation",
        "pfp",
        "supplier bloc",
        "deal",
        "gate",
        "bloc",
        "confidence level",
        "confirmed",
        "reported",
        "unconfirmed",
    }
    assert required <= terms, sorted(required - terms)


def test_every_term_link_has_an_entry_and_every_entry_is_linked():
    terms = {t.lower() for t in glossary_terms()}
    linked = set()
    for path in pages():
        for m in _TERM.finditer(page_text(path)):
            target = (m["target"] or m["text"]).strip().lower()
            assert target in terms, f"{path.name}: {{term}} '{target}' has no glossary entry"
            if path != GLOSSARY:
                linked.add(target)
    assert terms <= linked, f"glossary terms no page links to: {sorted(terms - linked)}"


# ------------------------------------------------------------------ student edition

SAMPLE = """# Page

```{exercise}
:label: ex-a

Question?
```

```{solution} ex-a
:class: dropdown

Secret answer A.
```

```{exercise-start}
:label: ex-b
```
Question B.
```{exercise-end}
```

```{solution-start} ex-b
:class: dropdown
```

```{code-cell} python
secret_b = 1
```

Secret answer B with {glue:text}`secret_b`.

```{solution-end}
```

````{admonition} Notes
:class: dropdown facilitator-notes

Secret note, with a fence inside:
```python
x = 1
```
````

Kept text.
"""


def test_strip_solutions_removes_solutions_and_facilitator_notes_only():
    out = teaching.strip_solutions(SAMPLE)
    assert "Secret" not in out and "secret_b" not in out and "solution" not in out
    assert "Question?" in out and "Question B." in out and "Kept text." in out
    assert out.count("{exercise") == 3  # exercise, exercise-start, exercise-end


def test_strip_solutions_rejects_an_unclosed_block():
    with pytest.raises(ValueError, match="never closed"):
        teaching.strip_solutions("```{solution} ex-a\nno end\n")


def test_strip_notebook_drops_gated_and_tagged_cells():
    nb = {
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": "Intro\n\n```{solution-start} ex-a\n:class: dropdown\n```",
            },
            {"cell_type": "code", "metadata": {}, "source": "secret = 1"},
            {"cell_type": "markdown", "metadata": {}, "source": "```{solution-end}\n```"},
            {"cell_type": "code", "metadata": {"tags": ["solution"]}, "source": "secret2 = 2"},
            {"cell_type": "code", "metadata": {}, "source": "kept = 3"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    out = teaching.strip_notebook(nb)
    sources = [c["source"] for c in out["cells"]]
    assert sources == ["Intro", "kept = 3"]


def test_stripped_exercises_keep_every_exercise_and_no_solution():
    out = teaching.strip_solutions(exercise_text())
    assert len(_EX.findall(out)) == len(_EX.findall(exercise_text()))
    assert not _SOL.search(out) and "{solution" not in out


def solution_phrases() -> list[str]:
    """Distinctive sentences from the solutions and facilitator notes (none appears elsewhere)."""
    return [
        "A good answer also notes that a bar counts deals",
        "a verdict between the two",
        "A real correction follows the README",
        "Push students who call the 353rd squadron claim",
        "The rubric's top band requires that",
    ]


@pytest.mark.build
def test_student_edition_has_no_solutions_and_its_notebooks_ran(student_html):
    exercises = (student_html / "book" / "teaching" / "exercises.html").read_text(encoding="utf-8")
    guide = (student_html / "book" / "teaching" / "guide.html").read_text(encoding="utf-8")
    for page in student_html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert 'class="solution' not in text, page
        for phrase in solution_phrases():
            assert phrase not in text, (page, phrase)
    assert exercises.count('class="exercise') >= 12 and "Discussion 4" in guide
    for stem in ("map", "serbia_suppliers", "measures"):
        html = (student_html / "notebooks" / f"{stem}.html").read_text(encoding="utf-8")
        assert "<img" in html and 'class="output traceback' not in html, stem


@pytest.fixture(scope="module")
def printed(student_html, tmp_path_factory) -> dict[str, Path]:
    """The handout and the role briefs, printed from the student edition by teaching.handout and
    teaching.role_briefs, each in a Python process of its own (Playwright's sync API cannot
    start inside the session's browser fixture, which already runs an event loop); the two
    print at once."""
    if not Path(teaching.CHROMIUM).exists():
        pytest.fail("Debian's chromium is required for the handout (make browser-deps)")
    out = tmp_path_factory.mktemp("printed")
    pdfs = {"handout": out / "handout.pdf", "role_briefs": out / "roles.pdf"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from pathlib import Path; from balkanarms import teaching; "
                f"teaching.{builder}(Path({str(student_html)!r}), Path({str(pdf)!r}))",
            ]
        )
        for builder, pdf in pdfs.items()
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    return pdfs


@pytest.mark.build
@pytest.mark.browser
def test_handout_is_an_a4_pdf_with_the_expected_sections(printed, tmp_path):
    pdf = printed["handout"]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.28) < 2 and abs(float(h) - 841.89) < 2 for w, h in boxes)
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils (pdftotext, pdftoppm) is required to read the handout")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for title in ("Seminar guide", "Exercises", "Glossary"):  # each part prints its title on a line of its own
        assert re.search(rf"^\s*{title}\s*$", text, re.M), title
    for section in ("Learning objectives", "A 90-minute session", "Reading a chart", "trend-indicator value"):
        assert section in text, section
    for phrase in solution_phrases():
        assert phrase not in text.replace("\n", " ")
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 3 and all(p.stat().st_size > 5_000 for p in pngs)


@pytest.mark.build
@pytest.mark.browser
def test_role_briefs_print_one_to_a_page(printed):
    pdf = printed["role_briefs"]
    pages = []
    for n in range(1, len(teaching.ROLES) + 2):
        out = subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"], capture_output=True, text=True
        )
        if out.returncode != 0:
            break
        pages.append(out.stdout)
    assert len(pages) == len(teaching.ROLES), f"{len(pages)} pages for {len(teaching.ROLES)} briefs"
    for role, text in zip(teaching.ROLES, pages, strict=True):
        assert text.strip().lower().startswith(role), (role, text[:80])
        assert "Likely red lines" in text


@pytest.mark.build
@pytest.mark.browser
def test_handout_charts_fit_the_printed_page(student_html, browser):
    """At print width for A4 (with the handout's margins), no image is wider than the text."""
    page = browser.new_page(viewport={"width": 680, "height": 1000})
    page.goto((student_html / "book" / "teaching" / "exercises.html").as_uri())
    page.add_style_tag(content=teaching.PRINT_CSS)
    page.emulate_media(media="print")
    widths = page.evaluate("""() => Array.from(document.images).filter(i => i.offsetParent)
        .map(i => [i.getBoundingClientRect().right, document.documentElement.clientWidth])""")
    page.close()
    assert widths and all(right <= doc + 1 for right, doc in widths), widths
