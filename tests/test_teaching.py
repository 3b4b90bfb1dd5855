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
        runs, params = [], {}
        for k, v in re.findall(r"`([A-Z_]+) = ([^`]+)`", body):
            if k in params:  # a second value for a parameter is a second run, the rest unchanged
                runs.append(params)
                params = dict(params)
            params[k] = ast.literal_eval(v)
        if params:
            runs.append(params)
            assert len(set(nbs)) == 1, f"{label}: name exactly one notebook, found {nbs}"
            found += [(label, nbs[0], run) for run in runs]
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
    sections = re.split(r"^### ", text, flags=re.M)[1:]
    discussions = [s for s in sections if s.startswith("Discussion ")]
    assert len(discussions) == 4
    for section in discussions:
        assert f":class: dropdown {teaching.FACILITATOR_CLASS}" in section, section[:40]


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


def test_guide_most_neighbours_in_nato_and_bosnia_most_reliant_on_donations():
    """Discussion 3's notes: most of Serbia's neighbours are NATO members; donations are a larger
    share of Bosnia and Herzegovina's counted deals than of any other recipient's."""
    from balkanarms import aggregate as agg, data

    c = data.countries()
    neighbours = c[(c["role"] == "recipient") & (c["code"] != "SRB")]
    assert neighbours["nato_member_since"].notna().sum() > len(neighbours) / 2
    counted = agg.counted(data.transfers())
    share = (counted["deal_type"] == "donation").groupby(counted["recipient"]).mean()
    assert share.idxmax() == "BIH" and (share.drop("BIH") < share["BIH"]).all()


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


def test_cited_keys_exist_and_new_sources_are_dated():
    """Every source the teaching pages cite is in references.bib (the teaching sources are merged there)."""
    main_keys, main_entries, problems = check_bib(ROOT / "data" / "references.bib")
    assert not problems, problems[:5]
    cited = {
        k.strip()
        for path in [*TEACHING.rglob("*.md"), ROOT / "book" / "teaching.md"]
        for group in _CITE.findall(path.read_text(encoding="utf-8"))
        for k in group.split(",")
    }
    assert cited <= main_keys, sorted(cited - main_keys)
    assert "swj2025china" in cited
    assert all(main_entries[k].get("urldate") for k in cited)


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
        "deal list",
        "entry point",
        "bloc",
        "kfor",
        "unscr 1244",
        "caatsa",
        "kosovo security force",
        "eu foreign-policy alignment",
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
        "Exemplar answer",
        "For the instructor",
    ]


def test_solution_phrases_are_in_the_instructor_pages():
    """The phrases the student edition is searched for exist in the sources, so their absence means something."""
    text = " ".join(re.sub(r"\s+", " ", p.read_text(encoding="utf-8")) for p in [EXERCISES, TEACHING / "guide.md"])
    for phrase in solution_phrases():
        assert phrase in text, phrase


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
        lines = [l for l in text.strip().splitlines() if l.strip()]
        assert lines[0].strip().startswith("Arms and influence in the Western Balkans"), "the header comes first"
        assert lines[1].strip().lower().startswith(role), (role, text[:160])
        assert "Likely red lines" in text and "Sources" in text and "Your private objective" in text


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


# ------------------------------------------------------------------ second pass (issue 24)


def exercise_titles(text: str) -> dict[str, str]:
    """Exercise label -> the title on its directive line."""
    return {
        m["label"]: m["title"].strip()
        for m in re.finditer(
            r"^`{3,4}\{exercise(?:-start)?\} (?P<title>[^\n]+)\n(?::[^\n]*\n)*?:label: (?P<label>[\w-]+)", text, re.M
        )
    }


def test_every_exercise_has_its_title_level_time_and_skill():
    text = exercise_text()
    labels = [m["label"] for m in _EX.finditer(text)]
    assert labels == [e[0] for e in teaching.EXERCISES], "exercises and teaching.EXERCISES in the same order"
    titles = exercise_titles(text)
    blocks = exercise_blocks(text)
    for label, title, level, minutes, skill, code in teaching.EXERCISES:
        assert titles.get(label) == title, (label, titles.get(label))
        line = teaching.exercise_line(label)
        assert line[:-1] in blocks[label], f"{label}: the line {line!r} is missing or differs"
        row = re.search(
            rf"^\| \d+ \| \{{ref\}}`{label}` \| {level} \| {minutes} \| {skill} \| "
            rf"{'notebook' if code else 'no code'} \|$",
            text,
            re.M,
        )
        assert row, f"{label}: the overview table disagrees with teaching.EXERCISES"


NUMBER_WORDS = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"]


def test_the_no_code_path_is_signposted():
    text = exercise_text()
    intro = text[: text.index("| No. |")]
    no_code = [e[0] for e in teaching.EXERCISES if not e[5]]
    assert f"**{NUMBER_WORDS[len(no_code)]} need no code**" in intro
    assert re.findall(r"\{ref\}`(ex-[\w-]+)`", intro) == no_code
    guide = (TEACHING / "guide.md").read_text(encoding="utf-8")
    plan_b = guide[guide.index("(plan-b)=") :]
    assert re.findall(r"\{ref\}`(ex-[\w-]+)`", plan_b.split("- Without a network")[0])[-len(no_code) :] == no_code


def test_pandas_tasks_have_starter_code_and_a_hint():
    blocks = exercise_blocks(exercise_text())
    for label in ("ex-pandas-donations", "ex-pandas-tb2", "ex-add-deal"):
        assert "```python" in blocks[label] and ":class: dropdown" in blocks[label] and "Hint" in blocks[label], label


def test_every_written_task_has_an_exemplar_with_marks_and_a_grade():
    text = exercise_text()
    for label in teaching.WRITTEN:
        start = (
            text.index(f"{{solution-start}} {label}")
            if f"{{solution-start}} {label}" in text
            else text.index(f"{{solution}} {label}")
        )
        end = text.index("{solution-end}", start) if "{solution-start}" in text[start - 20 : start + 20] else len(text)
        sol = text[start:end]
        assert "**Exemplar answer" in sol, label
        marks = re.search(
            r"Evidence (\d), Measure (\d), Counter-evidence (\d), Limits (\d), Clarity (\d): (\d+) of 15, "
            r"grade ([A-F])",
            re.sub(r"\s+", " ", sol),
        )
        assert marks, f"{label}: exemplar without its marks and grade"
        parts, total, grade = [int(x) for x in marks.groups()[:5]], int(marks[6]), marks[7]
        assert sum(parts) == total, (label, parts, total)
        bands = {"A": (13, 15), "B": (10, 12), "C": (7, 9), "D": (5, 6), "F": (0, 4)}
        assert bands[grade][0] <= total <= bands[grade][1], (label, total, grade)


def test_rubric_has_grades_objectives_and_criteria_for_notebooks_and_the_simulation():
    text = (TEACHING / "rubric.md").read_text(encoding="utf-8")
    for heading in (
        "## What each task assesses",
        "### From scores to grades",
        "## Criteria for the notebook work",
        "## Criteria for the simulation",
    ):
        assert heading in text, heading
    objectives = re.findall(r"^\| (\d)\. ", text, re.M)
    assert objectives == ["1", "2", "3", "4", "5"]
    assessed = set(re.findall(r"\{ref\}`(ex-[\w-]+)`", text))
    assert set(teaching.WRITTEN) <= assessed


def test_keys_count_deals_by_the_books_one_rule():
    """The solutions count deals only through agg.counted or the claims functions built on it: no key
    takes len() or value_counts() of the raw deal list."""
    text = exercise_text()
    for m in re.finditer(r"\{solution-start\} (?P<label>[\w-]+)\n.*?\{solution-end\}", text, re.S):
        for cell in re.findall(r"```\{code-cell\} python\n(.*?)```", m.group(0), re.S):
            raw = re.findall(r"\btransfers\[transfers\[", cell)
            assert not raw or m["label"] == "ex-pandas-tb2", f"{m['label']}: filters the raw deal list: {raw}"


def test_tb2_key_leaves_out_the_cancelled_serbian_plan():
    from balkanarms import aggregate as agg, data

    t = data.transfers()
    tb2 = t[t["designation"].str.contains("Bayraktar", regex=False)]
    serbian = tb2[tb2["recipient"] == "SRB"]
    assert len(serbian) and (serbian["status"] == "cancelled").all()
    counted = agg.counted(tb2)
    assert "SRB" not in set(counted["recipient"])
    assert counted["designation"].str.contains("TB2", regex=False).all()
    assert "cancelled with no contract\nconfirmed, so Serbia has neither ordered nor received any" in exercise_text()


def test_chart_exercise_counts_what_the_chart_draws():
    """ex-read-orders: the chart draws the counted deals; the key's top supplier count is one of them."""
    from balkanarms import aggregate as agg, claims, data

    t = data.transfers()
    srb = t[t["recipient"] == "SRB"]
    c = claims.deal_counts("SRB", t)
    assert c["counted"] == c["drawn"] == len(agg.counted(srb))
    listed = srb["supplier"].value_counts()
    drawn = agg.counted(srb)["supplier"].value_counts()
    assert (drawn <= listed.reindex(drawn.index)).all()


def test_fk3_is_medium_range_everywhere():
    for path in [*TEACHING.rglob("*.md"), ROOT / "book" / "teaching.md"]:
        text = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        assert not re.search(r"long-range air-defence", text), path.name
    assert "The FK-3 (T-SRB-017), the export version of China's HQ-22, is a medium-range SAM." in re.sub(
        r"\s+", " ", GLOSSARY.read_text(encoding="utf-8")
    )
    assert teaching.weapon_guide().loc["FK-3", "what it is"].lower().startswith("medium-range")


def test_teaching_pages_use_the_words_of_the_field():
    for path in [*TEACHING.rglob("*.md"), ROOT / "book" / "teaching.md"]:
        text = path.read_text(encoding="utf-8")
        prose = re.sub(r"```.*?```", "", text, flags=re.S)
        assert not re.search(r"\bexercises? \{ref\}", prose), f"{path.name}: 'exercise Exercise n'"
        assert not re.search(r"\bledger\b", prose.lower()), f"{path.name}: say 'the book's deal list'"
        assert "Turkey" not in prose, f"{path.name}: write Türkiye"


def test_student_pages_say_nothing_of_answers_or_instructor_notes():
    for path in [*TEACHING.rglob("*.md"), ROOT / "book" / "teaching.md"]:
        out = re.sub(r"```.*?```", "", teaching.strip_solutions(path.read_text(encoding="utf-8")), flags=re.S)
        for word in (
            r"\bsolutions?\b",
            "facilitator",
            "instructor's copy",
            "instructor's edition",
            "exemplar",
            "answer key",
        ):
            assert not re.search(word, out.lower()), f"{path.name}: the student edition mentions '{word}'"


def test_guide_lists_the_claims_before_the_verdicts():
    text = (TEACHING / "guide.md").read_text(encoding="utf-8")
    assert "## The question and the argument" in text and "{glue:md} guide_claims" in text
    before = text[text.index("(before-the-seminar)=") : text.index("**After the first session**")]
    assert "{doc}`../claims`" not in before, "the claims page (the verdicts) is not pre-reading"
    assert text.index("(claims-to-judge)=") < text.index("(before-the-seminar)=")
    assert "(plan-b)=" in text and "(student-laptops)=" in text
    for command in (
        r".venv\Scripts\python -m balkanarms lab",
        ".venv/bin/python -m balkanarms lab",
        "-r requirements-student.txt",
    ):
        assert command in text, command


def test_simulation_can_be_run():
    text = (TEACHING / "roles.md").read_text(encoding="utf-8")
    for heading in (
        "## The setting and the decision",
        "## The chair's script",
        "## Private objectives",
        "## Scaling from 8 to 40 students",
        "## Optional delegations",
        "## Evidence cards",
        "## Debrief questions",
        "## A shorter variant: the debate",
    ):
        assert heading in text, heading
    assert "**Decision rule.**" in text and "**End\nproduct:**" in text
    for role in ("Ankara", "Zagreb", "Banja Luka"):
        assert f"**{role}" in text, role
    script = re.search(r"\| Start \| Minutes \| What the chair does and says \|\n\|[^\n]*\n((?:\|[^\n]*\n)+)", text)
    rows = [r.split("|")[1:-1] for r in script.group(1).strip().splitlines()]
    assert sum(int(r[1]) for r in rows if r[0].strip()) == 90 and rows[-1][1].strip() == "**90**"
    for role in teaching.ROLES:
        brief = (TEACHING / "roles" / f"{role}.md").read_text(encoding="utf-8")
        assert "## Your private objective" in brief and "teaching.brief_sources" in brief, role


def test_evidence_cards_come_from_the_data_with_their_sources():
    cards = teaching.evidence_cards()
    assert len(cards) == len(teaching.CARD_IDS) >= 12
    assert cards["sources"].str.len().gt(0).all() and cards["row"].tolist() == teaching.CARD_IDS
    assert (cards.loc[cards["row"] == "T-SRB-045", "status and confidence"].str.startswith("cancelled")).all()


def test_role_briefs_cite_no_weak_source_and_print_their_sources():
    weak = {"defencepk2020ap", "urdupoint2022kurti", "timeturk2022borrell"}
    for path in (TEACHING / "roles").glob("*.md"):
        cited = {k.strip() for g in _CITE.findall(path.read_text(encoding="utf-8")) for k in g.split(",")}
        assert not cited & weak, (path.name, cited & weak)
        listed = teaching.brief_sources(path)
        assert listed.count("\n- ") + 1 == len(cited) and "<https://" in listed, path.name


def test_requirements_student_are_ranges_for_python_310_to_313():
    lines = [
        l.split("#")[0].strip()
        for l in (ROOT / "requirements-student.txt").read_text(encoding="utf-8").splitlines()
        if l.split("#")[0].strip()
    ]
    names = {re.split(r"[<>=!~ ;\[]", l)[0].lower() for l in lines}
    assert {
        "pandas",
        "matplotlib",
        "geopandas",
        "pyogrio",
        "shapely",
        "pyproj",
        "jupyterlab",
        "itables",
        "ipykernel",
        "myst-nb",
    } <= names
    for l in lines:
        assert "==" not in l and ">=" in l and "<" in l, f"a range with both bounds, not a pin: {l}"
    pinned = {l.split("==")[0].lower() for l in (ROOT / "requirements.txt").read_text().splitlines() if "==" in l}
    assert names <= pinned | {"numpy"}, "every student package is also in the book's pinned environment"


def test_lab_command_opens_the_notebooks_with_this_package_on_the_path():
    import os

    from balkanarms.__main__ import lab_command

    cmd, env = lab_command(["--no-browser"])
    assert cmd[1:4] == ["-m", "jupyterlab", str(ROOT / "notebooks")] and "--no-browser" in cmd
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT)


def test_greyscale_safe_gives_every_series_its_own_pattern():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.colors as mcolors

    from balkanarms import charts, data, style

    style.apply()
    t = data.transfers()
    fig = charts.stacked_by_year(t[t["recipient"] == "SRB"], names=data.names(), title="t")
    key = teaching.greyscale_safe(fig)
    assert len(key) >= 3 and key["pattern"].is_unique and key["series"].is_unique
    ax = fig.axes[0]
    by_colour = {}
    for patch in ax.patches:
        by_colour.setdefault(mcolors.to_hex(patch.get_facecolor()), set()).add(patch.get_hatch() or "")
    assert all(len(h) == 1 for h in by_colour.values()), "one pattern per series"
    assert len({next(iter(h)) for h in by_colour.values()}) == len(by_colour)
    legend = ax.get_legend()
    assert [h.get_hatch() or "" for h in legend.legend_handles] == [
        next(k for k, v in teaching.HATCH_NAMES.items() if v == p) for p in key["pattern"]
    ]


@pytest.mark.environment
def test_a_fresh_student_environment_runs_two_notebooks(tmp_path):
    """The student route from scratch: a new virtual environment, `pip install -r requirements-student.txt`
    and nothing else (pip uses the machine's configured indexes), then two chapters executed in it with
    this folder on the path, as `python -m balkanarms lab` starts them."""
    import os
    import venv

    venv.create(tmp_path / "venv", with_pip=True)
    py = tmp_path / "venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements-student.txt")],
        check=True,
        timeout=1800,
    )
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "for stem in ('serbia_suppliers', 'map'):\n"
        f"    nb = nbformat.read({str(ROOT / 'notebooks')!r} + '/' + stem + '.ipynb', as_version=4)\n"
        f"    resources = {{'metadata': {{'path': {str(tmp_path)!r}}}}}\n"
        "    NotebookClient(nb, timeout=600, kernel_name='python3', resources=resources).execute()\n"
        "    errors = [o for c in nb.cells for o in c.get('outputs', []) if o.get('output_type') == 'error']\n"
        "    assert not errors, (stem, errors)\n"
        "    print(stem, 'ran')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("BALKANARMS_VALIDATED", None)
    out = subprocess.run([str(py), "-c", script], env=env, capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "serbia_suppliers ran" in out.stdout and "map ran" in out.stdout


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.fixture(scope="module")
def printed_more(student_html, built_book, tmp_path_factory) -> dict[str, Path]:
    """The instructor's copy (from the main build, which is the instructor's edition) and the slides."""
    out = tmp_path_factory.mktemp("printed-more")
    pdfs = {"instructor": out / "instructor.pdf", "slides": out / "slides.pdf"}
    calls = {
        "instructor": f"teaching.instructor_copy(Path({str(built_book)!r}), Path({str(pdfs['instructor'])!r}))",
        "slides": f"slides.slides(Path({str(student_html)!r}), Path({str(pdfs['slides'])!r}))",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", f"from pathlib import Path; from balkanarms import slides, teaching; {call}"]
        )
        for call in calls.values()
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    return pdfs


@pytest.mark.build
@pytest.mark.browser
def test_handout_reads_in_greyscale_and_prints_well(printed, tmp_path):
    """The handout's charts tell their series apart without colour (each series' pattern is named in
    the text layer), every page carries the header, links print their address, the PDF is tagged,
    and no page is left mostly blank."""
    pdf = printed["handout"]
    data = pdf.read_bytes()
    assert b"/StructTreeRoot" in data, "the handout must be a tagged PDF"
    pages = _pdf_pages(pdf)
    text = " ".join(pages)
    keys = re.findall(
        r"^\s*(China|Russia|France|United States|Germany|Israel|NATO/EU members|Russia and Belarus)\s+"
        r"(plain|right slants|dots|crosses|left slants|rings|horizontal lines)\s*$",
        text,
        re.M,
    )
    assert len({s for s, _ in keys}) >= 4 and len({p for _, p in keys}) >= 4, keys
    for page in pages:
        assert "Arms and influence in the Western Balkans" in page and "SIPRI" in page, page[:200]
    flat = re.sub(r"\s+", "", text)
    assert "https://smallwarsjournal.com/2025/11/05/" in flat, "addresses print in full"
    assert "(book:map)" in flat, "a link to a chapter not in the handout names the chapter"
    assert text.count("Your answer") >= len(teaching.WRITTEN)
    blank = [i for i, p in enumerate(pages[:-1], 1) if len(p.split()) < 60]
    assert len(blank) <= max(1, len(pages) // 10), f"mostly blank pages: {blank} of {len(pages)}"
    subprocess.run(["pdftoppm", "-gray", "-r", "40", str(pdf), str(tmp_path / "g")], check=True)
    assert len(list(tmp_path.glob("g-*.pgm"))) == len(pages)


@pytest.mark.build
@pytest.mark.browser
def test_instructor_copy_has_notes_answers_and_timings_and_the_student_handout_has_none(printed, printed_more):
    instructor = " ".join(_pdf_pages(printed_more["instructor"]))
    student = " ".join(_pdf_pages(printed["handout"]))
    flat = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731
    for phrase in ("Exemplar answer", "A good answer", "For the instructor", "What the chair does and says"):
        assert phrase in flat(instructor), phrase
    for phrase in ("Exemplar answer", "A good answer", "For the instructor"):
        assert phrase not in flat(student), phrase
    assert "What each task assesses" in flat(student) and "From scores to grades" in flat(student)
    assert b"/StructTreeRoot" in printed_more["instructor"].read_bytes()


@pytest.mark.build
@pytest.mark.browser
def test_slides_are_about_ten_pages_from_the_books_figures(printed_more):
    pages = _pdf_pages(printed_more["slides"])
    assert 8 <= len(pages) <= 12
    text = " ".join(pages)
    for title in ("The article's argument", "The claims you will judge", "The simulation", "Debrief"):
        assert title in text, title
