"""The benchmark behind ``make bench``: cold, no-change and incremental builds of a copy
of the book against the floor of executing its notebooks alone; page weights."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from .build import TIMEOUT, build, copy_book, notebook_env
from .data import validate_with_key


def execute_notebooks(book: Path) -> dict[str, float]:
    """The floor: execute every notebook once with nbclient, one after another."""
    import nbformat
    from nbclient import NotebookClient

    times = {}
    key, problems = validate_with_key(book / "data")  # validated once, as the build does
    if problems:
        raise RuntimeError(f"{len(problems)} problem(s) in {book / 'data'}: run `make validate`")
    with notebook_env(book / "data", validated=key):
        for path in sorted((book / "notebooks").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(
                nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
            ).execute()
            times[path.stem] = time.perf_counter() - start
            print(f"  executed {path.name} in {times[path.stem]:.1f} s", flush=True)
    return times


def timed_build(book: Path) -> float:
    start = time.perf_counter()
    proc = build(book, data_dir=book / "data", capture=True)
    if proc.returncode != 0:
        raise RuntimeError((proc.stdout + proc.stderr)[-3000:])
    return time.perf_counter() - start


def page_weights(html: Path) -> list[tuple[str, int]]:
    """Each page's size in bytes together with the images it shows, heaviest first."""
    out = []
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        size = page.stat().st_size
        for src in set(re.findall(r'<img [^>]*src="([^"]+)"', text)):
            img = (page.parent / src).resolve()
            if img.is_file():
                size += img.stat().st_size
        out.append((str(page.relative_to(html)), size))
    return sorted(out, key=lambda kv: kv[1], reverse=True)


def bench(workdir: Path) -> dict:
    """Time cold, no-change and incremental builds of a copy of the book against the floor."""
    book = copy_book(workdir / "book")
    print("floor: executing the notebooks alone", flush=True)
    per_notebook = execute_notebooks(book)
    floor = sum(per_notebook.values())
    print("cold build", flush=True)
    cold = timed_build(book)
    print("rebuild, nothing changed", flush=True)
    warm = timed_build(book)
    print("rebuild after editing one chapter", flush=True)
    with open(book / "book" / "intro.md", "a", encoding="utf-8") as f:
        f.write("\nAn edited sentence for the benchmark.\n")
    chapter = timed_build(book)
    print("rebuild after editing one notebook", flush=True)
    nb_path = book / "notebooks" / "capabilities.ipynb"
    nb = json.loads(nb_path.read_text())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["source"].append("\n# an edited line for the benchmark: the notebook runs again")
    nb_path.write_text(json.dumps(nb))
    notebook = timed_build(book)
    html = book / "_build" / "html"
    weights = page_weights(html)
    site = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
    return {
        "floor": floor,
        "cold": cold,
        "warm": warm,
        "chapter": chapter,
        "notebook": notebook,
        "per_notebook": per_notebook,
        "site_bytes": site,
        "heaviest": weights[0],
    }


def report(r: dict) -> str:
    rows = [
        ("execute notebooks alone (floor)", r["floor"], ""),
        ("cold build", r["cold"], f"{r['cold'] / r['floor']:.2f} x floor (target <= 1.10)"),
        ("rebuild, nothing changed", r["warm"], "target <= 3 s"),
        ("rebuild after editing a chapter", r["chapter"], ""),
        ("rebuild after editing a notebook", r["notebook"], ""),
    ]
    lines = [f"{'step':36} {'seconds':>8}  note", "-" * 80]
    lines += [f"{name:36} {secs:8.1f}  {note}" for name, secs, note in rows]
    slowest = max(r["per_notebook"].items(), key=lambda kv: kv[1])
    lines += [
        "-" * 80,
        f"slowest notebook: {slowest[0]} {slowest[1]:.1f} s (target <= 5 s)",
        f"site size: {r['site_bytes'] / 1e6:.1f} MB; heaviest page with its images: "
        f"{r['heaviest'][0]} {r['heaviest'][1] / 1e6:.2f} MB (target <= 1 MB)",
    ]
    return "\n".join(lines)
