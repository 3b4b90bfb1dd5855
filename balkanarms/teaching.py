"""The teaching kit's machinery.

* :data:`EXERCISE_RUNS`: every exercise that asks students to change a notebook
  parameter, with exactly that change, so the notebook test tier runs it;
* the student edition: a copy of the book with solutions and facilitator notes
  removed, built into its own folder (``make student``);
* the handouts, printed to tagged A4 PDFs by headless Chromium (``make handout``): the
  student handout (guide, exercises, simulation, glossary, rubric; no answers), the six
  role briefs one to a page, and the instructor's copy (notes, answers, timings) from the
  instructor's edition built beside the student edition.

    python -m balkanarms.teaching student [OUTPUT_DIR]    both editions, into OUTPUT_DIR/html and instructor-html
    python -m balkanarms.teaching handout [OUTPUT_DIR]    the three PDFs (building the editions if needed)
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from . import ROOT
from .handout import (  # noqa: F401  (the printing half of the kit, re-exported for `python -m balkanarms.teaching`)
    CHROMIUM,
    CHROMIUM_ARGS,
    HANDOUT_PAGES,
    HANDOUT_PDF,
    INSTRUCTOR_PAGES,
    INSTRUCTOR_PDF,
    PRINT_CSS,
    ROLE_PAGES,
    ROLES,
    ROLES_CSS,
    ROLES_PDF,
    STUDENT_DIR,
    WRITTEN,
    handout,
    instructor_copy,
    print_pages,
    role_briefs,
)

if TYPE_CHECKING:
    import pandas as pd

#: (exercise label, notebook stem, {parameter: value}): each exercise that changes a
#: notebook's ``parameters`` cell, with the change it asks for (names in CONTRACTS.md).
EXERCISE_RUNS: list[tuple[str, str, dict]] = [
    ("ex-recipient", "serbia_suppliers", {"RECIPIENT": "HRV"}),
    ("ex-china-bih", "china_footprint", {"RECIPIENT": "BIH"}),
    ("ex-region-window", "region_compared", {"WINDOW": (2016, 2020), "MEASURE": "tiv"}),
    ("ex-edition", "measures", {"EDITION": "2025", "WINDOW": (2020, 2024)}),
    ("ex-edition", "measures", {"EDITION": "2026", "WINDOW": (2020, 2024)}),  # the exercise's second half
    ("ex-window", "map", {"WINDOW": (2006, 2015)}),
    ("ex-map-measure", "map", {"MEASURE": "deals"}),
]

#: Class that marks a block as for instructors only (dropped from the student edition).
FACILITATOR_CLASS = "facilitator-notes"

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}")


# ------------------------------------------------------------------ exercises

#: Every exercise: (label, title, level, minutes, skill, needs code). The exercises page prints
#: this line under each title and the overview table from it; a test keeps the two in step.
EXERCISES: list[tuple[str, str, str, int, str, bool]] = [
    ("ex-read-orders", "Reading a chart of deals", "introductory", 10, "reading a chart", False),
    ("ex-read-shares", "Shares and their denominator", "introductory", 10, "reading a measure", False),
    ("ex-recipient", "Croatia instead of Serbia", "intermediate", 15, "re-running an analysis", True),
    ("ex-china-bih", "China's ties with Bosnia and Herzegovina", "intermediate", 10, "re-running an analysis", True),
    ("ex-region-window", "The region in 2016–20", "intermediate", 15, "re-running an analysis", True),
    ("ex-edition", "Two editions of SIPRI's data", "intermediate", 15, "re-running an analysis", True),
    ("ex-window", "The map before the Chinese systems", "intermediate", 10, "re-running an analysis", True),
    ("ex-map-measure", "The map by number of deals", "intermediate", 10, "reading a measure", True),
    ("ex-pandas-donations", "Donations, supplier by supplier", "advanced", 20, "querying the data", True),
    ("ex-pandas-tb2", "Who has Bayraktar drones?", "advanced", 20, "querying the data", True),
    ("ex-add-deal", "Adding a deal to a copy of the data", "advanced", 40, "correcting the data", True),
    ("ex-scorecard", "Serbia as China's primary client in Europe", "intermediate", 20, "judging a claim", False),
    ("ex-scorecard-outpace", "Do Chinese sales outpace the rest?", "intermediate", 20, "judging a claim", False),
    ("ex-influence", "What arms buy", "intermediate", 25, "analysing influence", False),
    ("ex-two-sources", "Two sources on one deal", "intermediate", 25, "judging sources", False),
    ("ex-source", "What would confirm a deal?", "intermediate", 20, "tracing a source", False),
    ("ex-argue", "Two replies to the article", "advanced", 60, "arguing from evidence", False),
]


def exercise_line(label: str) -> str:
    """The line printed under an exercise's title: level, time, skill and whether it needs code."""
    _, _, level, minutes, skill, code = next(e for e in EXERCISES if e[0] == label)
    path = "notebook" if code else "no code"
    return f"*{level.capitalize()} · {minutes} minutes · skill: {skill} · {path}*"


#: Fill patterns for greyscale print, in the order series are drawn, with the words that name them.
HATCHES = ["", "///", "...", "xxx", "\\\\\\", "ooo", "---", "+++", "|||", "**"]
HATCH_NAMES = {
    "": "plain",
    "///": "right slants",
    "...": "dots",
    "xxx": "crosses",
    "\\\\\\": "left slants",
    "ooo": "rings",
    "---": "horizontal lines",
    "+++": "plus signs",
    "|||": "vertical lines",
    "**": "stars",
}


def greyscale_safe(fig) -> pd.DataFrame:
    """Give each series of a bar chart a fill pattern as well as its colour, so that the series
    can be told apart on a black-and-white printout, redraw the legend with the patterns, and
    return the key (series, pattern) for printing as text under the chart.

    The chart functions draw in colour only; this works on their output, bar by bar, and leaves
    overlays that are not series (a hatched 'small total' veil) as they are."""
    import matplotlib.colors as mcolors
    import pandas as pd
    from matplotlib.patches import Patch

    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    series = []  # (label, rgba)
    for leg in legends:
        for handle, text in zip(leg.legend_handles, leg.get_texts()):
            series.append((text.get_text(), mcolors.to_rgba(handle.get_facecolor())[:3]))
    hatch = {rgb: HATCHES[i % len(HATCHES)] for i, (_, rgb) in enumerate(series)}

    def ink(rgb):  # pattern lines light on dark fills, dark on light ones, so they show in grey
        return "#ffffff" if 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 0.5 else "#1a1a1a"

    for ax in fig.axes:
        for patch in ax.patches:
            rgb = mcolors.to_rgba(patch.get_facecolor())[:3]
            if rgb in hatch and patch.get_alpha() in (None, 1):
                patch.set_hatch(hatch[rgb])
                patch.set_edgecolor(ink(rgb))
                patch.set_linewidth(0.5)
    handles = [Patch(facecolor=rgb, edgecolor=ink(rgb), hatch=hatch[rgb], label=label) for label, rgb in series]
    for leg in legends:
        loc = leg._loc if hasattr(leg, "_loc") else "best"
        ncols = getattr(leg, "_ncols", 3)
        if leg in fig.legends:
            fig.legends.remove(leg)
            fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.06), ncols=ncols, fontsize=8.5)
        else:
            leg.axes.legend(handles=handles, loc=loc, ncols=ncols, fontsize=8.5)
    return pd.DataFrame({"series": [s for s, _ in series], "pattern": [HATCH_NAMES[hatch[rgb]] for _, rgb in series]})


# ------------------------------------------------------------------ simulation and role briefs

#: The evidence cards of the simulation: deals, ties and exports from the book's data, in this order.
CARD_IDS = [
    "T-SRB-017",
    "T-SRB-013",
    "T-SRB-030",
    "E-143",
    "E-188",
    "T-SRB-032",
    "T-SRB-025",
    "E-006",
    "E-007",
    "T-SRB-008",
    "T-SRB-022",
    "E-140",
    "X-SRB-001",
    "T-XKX-008",
    "T-XKX-013",
    "E-168",
    "T-SRB-045",
    "T-HRV-016",
]


def _outlets(keys, refs, n: int = 2) -> str:
    """The first ``n`` sources of a row as 'Outlet (year)', and how many more there are."""
    shown = []
    for k in keys[:n]:
        if k in refs.index:
            year = str(refs.loc[k, "date"])[:4]
            shown.append(f"{refs.loc[k, 'outlet']} ({year})" if year[:1].isdigit() else str(refs.loc[k, "outlet"]))
    more = len(keys) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def evidence_cards(ids: list[str] = CARD_IDS, data_dir=None) -> pd.DataFrame:
    """One card per deal, tie or export in ``ids``, from the book's data: what it is, between whom,
    when, how sure the book is, and its first sources. The simulation prints them to cut apart."""
    import pandas as pd

    from . import DATA_DIR, data

    d = DATA_DIR if data_dir is None else data_dir
    names = data.names(d)
    refs = data.references(d).set_index("key")
    t = data.transfers(d).set_index("id")
    e = data.engagements(d).set_index("id")
    x = data.exports(d).set_index("id")
    cards = []
    for n, i in enumerate(ids, 1):
        if i in t.index:
            r = t.loc[i]
            year = r["order_year"] if pd.notna(r["order_year"]) else r["delivery_start"]
            what = f"{r['designation']}: {r['description']}"
            who = f"{names.get(r['supplier'], r['supplier'])} to {names.get(r['recipient'], r['recipient'])}"
            status = f"{r['status'].replace('_', ' ')}; {r['confidence']}"
        elif i in e.index:
            r = e.loc[i]
            year, what = r["year"], r["title"]
            who = ", ".join(names.get(p, p) for p in r["parties"])
            status = r["confidence"]
        elif i in x.index:
            r = x.loc[i]
            year = r["last_year"]
            what = r["item"]
            who = f"{names.get(r['supplier'], r['supplier'])} to {names.get(r['recipient'], r['recipient'])}"
            status = f"{r['status']}; {r['confidence']}"
        else:
            raise KeyError(f"evidence card {i}: no such deal, tie or export in the data")
        keys = r["sources"] if isinstance(r["sources"], list) else str(r["sources"]).split(";")
        cards.append(
            {
                "card": n,
                "row": i,
                "what": what,
                "between": who,
                "year": "" if pd.isna(year) else str(int(year)),
                "status and confidence": status,
                "sources": _outlets(keys, refs),
            }
        )
    return pd.DataFrame(cards).set_index("card")


#: The weapon systems the book's teaching pages name, each with the deal whose description defines it.
WEAPONS = [
    ("FK-3", "T-SRB-017"),
    ("HQ-17", "T-SRB-030"),
    ("CH-92A", "T-SRB-013"),
    ("CH-95", "T-SRB-027"),
    ("CM-400AKG", "T-SRB-036"),
    ("Pantsir-S1", "T-SRB-022"),
    ("MiG-29", "T-SRB-008"),
    ("T-72B1MS", "T-SRB-009"),
    ("BRDM-2MS", "T-SRB-007"),
    ("Mi-17V-5", "T-SRB-004"),
    ("Mi-35M", "T-SRB-021"),
    ("Rafale", "T-SRB-032"),
    ("Mistral 3", "T-SRB-019"),
    ("C295", "T-SRB-025"),
    ("H145M", "T-SRB-006"),
    ("Humvee (HMMWV)", "T-XKX-002"),
    ("Bayraktar TB2", "T-XKX-008"),
    ("Javelin", "T-XKX-013"),
    ("Puma", "T-XKX-006"),
    ("HIMARS", "T-HRV-025"),
    ("Black Hawk", "T-HRV-014"),
    ("Stryker", "T-MKD-004"),
    ("Leopard 2A8", "T-HRV-028"),
]


def weapon_guide(data_dir=None) -> pd.DataFrame:
    """One line per weapon system the book names: what it is (the deal list's description, without its
    counts and asides), its capability class, the supplier, and the deal that describes it."""
    import pandas as pd

    from . import DATA_DIR, data
    from .aggregate import CAPABILITY_LABELS
    from .wording import capitalised

    t = data.transfers(DATA_DIR if data_dir is None else data_dir).set_index("id")
    rows = []
    for name, row_id in WEAPONS:
        r = t.loc[row_id]
        what = re.sub(r"\s*\([^)]*\)", "", str(r["description"]))
        what = re.sub(r"^(\d+\s+|additional\s+|new-build\s+)", "", what).split(";")[0].strip()
        rows.append(
            {
                "system": name,
                "what it is": capitalised(what),
                "kind": CAPABILITY_LABELS.get(r["capability"], r["capability"]),
                "supplier": r["supplier_name"],
                "deal": row_id,
            }
        )
    return pd.DataFrame(rows).set_index("system")


_CITES = re.compile(r"\{cite:[pt]\}`([^`]+)`")


def brief_sources(page: str | Path) -> str:
    """The sources a page cites, as a Markdown list (outlet, title, date, address) to print with it."""
    from . import data

    path = Path(page) if Path(page).is_absolute() else ROOT / page
    keys = list(
        dict.fromkeys(k.strip() for g in _CITES.findall(path.read_text(encoding="utf-8")) for k in g.split(","))
    )
    refs = data.references().set_index("key")
    lines = []
    for k in keys:
        r = refs.loc[k]
        date = "" if str(r["date"]) in ("", "n.d.", "nan", "<NA>") else f", {r['date']}"
        lines.append(f"- {r['outlet']}, *{r['title']}*{date}. <{r['url']}>")
    return "\n".join(lines)


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
    (with the code cells between them) and facilitator notes from MyST Markdown.

    Why not sphinx-exercise's own ``hide_solutions``: it drops solutions from the rendered HTML
    only, so they stay in the page sources a student can download and their code still runs,
    and it does not cover the facilitator notes."""
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


def student_edition(output: Path = STUDENT_DIR, cache_from: Path = ROOT, instructor: bool = False) -> Path:
    """Build the student edition from the book's own sources into ``output/html`` and, with
    ``instructor``, the instructor's edition (answers and notes kept) into ``output/instructor-html``.

    Both build in one copy of the book: the instructor's edition first, then the copy is stripped and
    built again, so only the pages whose code changed execute twice. The copy reuses the execution
    cache of the book in ``cache_from`` where it has one."""
    from .build import build, copy_book

    def keep(book: Path, name: str) -> Path:
        dest = Path(output) / name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(book / "_build" / "html", dest)
        return dest

    with tempfile.TemporaryDirectory(prefix="balkanarms-student-") as tmp:
        book = copy_book(Path(tmp) / "book")
        if (Path(cache_from) / ".jupyter_cache").is_dir():
            shutil.copytree(Path(cache_from) / ".jupyter_cache", book / ".jupyter_cache")
        if instructor:
            proc = build(book, data_dir=book / "data")
            if proc.returncode != 0:
                raise RuntimeError(f"the instructor's edition failed to build (exit {proc.returncode})")
            print(f"instructor's edition: {keep(book, 'instructor-html') / 'index.html'}", flush=True)
        for path in strip_book(book):
            print(f"solutions removed: {path.relative_to(book)}", flush=True)
        proc = build(book, data_dir=book / "data")
        if proc.returncode != 0:
            raise RuntimeError(f"the student edition failed to build (exit {proc.returncode})")
        html = keep(book, "html")
    print(f"student edition: {html / 'index.html'}", flush=True)
    return html


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["student"]:
        student_edition(Path(argv[1]) if len(argv) > 1 else STUDENT_DIR, instructor=True)
        return 0
    if argv[:1] == ["handout"]:
        out = Path(argv[1]) if len(argv) > 1 else STUDENT_DIR
        if not all((out / d / f"{HANDOUT_PAGES[0]}.html").is_file() for d in ("html", "instructor-html")):
            student_edition(out, instructor=True)
        handout(out / "html", out / HANDOUT_PDF.name)
        role_briefs(out / "html", out / ROLES_PDF.name)
        instructor_copy(out / "instructor-html", out / INSTRUCTOR_PDF.name)
        return 0
    if argv[:1] == ["slides"]:
        from .slides import slides

        out = Path(argv[1]) if len(argv) > 1 else STUDENT_DIR
        slides(out / "html", out / "slides.pdf")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
