"""Building the book: the strict build, the execution-cache guard, copies of the book
for tests, and the benchmark behind ``make bench``."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import DATA_DIR, ROOT

#: What a copy of the book needs to build on its own.
BOOK_PARTS = ["_config.yml", "_toc.yml", "book", "notebooks", "data", "_static"]


def jupyter_book() -> str:
    return str(Path(sys.executable).parent / "jupyter-book")


def build_command(source: Path = ROOT, output: Path | None = None, everything: bool = False) -> list[str]:
    """The strict Jupyter Book build: warnings are errors, references are checked.
    ``everything`` makes Sphinx re-read every page, not only changed sources."""
    cmd = [jupyter_book(), "build", str(source), "-W", "-n", "--keep-going"]
    if everything:
        cmd.append("--all")
    if output is not None:
        cmd += ["--path-output", str(output)]
    return cmd


def inputs_digest(root: Path = ROOT, data_dir: Path = DATA_DIR) -> str:
    """Hash of everything a notebook reads besides itself: the package and the data.

    Jupyter Book's execution cache is keyed on the notebook's own code only, so a
    changed dataset or chart function would otherwise leave stale outputs in the book."""
    h = hashlib.sha256()
    files = sorted((ROOT / "balkanarms").glob("*.py")) + sorted(p for p in data_dir.rglob("*") if p.is_file())
    for path in files:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def refresh_cache(root: Path = ROOT, data_dir: Path = DATA_DIR) -> bool:
    """Drop the execution cache when the package or the data changed since it was filled.
    Returns True when every page must be rebuilt."""
    cache = root / ".jupyter_cache"
    stamp = cache / "inputs.sha256"
    digest = inputs_digest(root, data_dir)
    changed = not stamp.exists() or stamp.read_text() != digest
    if changed and cache.exists():
        print("package or data changed: clearing the notebook execution cache", flush=True)
        shutil.rmtree(cache)
    cache.mkdir(exist_ok=True)
    stamp.write_text(digest)
    return changed


def pre_execute(source: Path, data_dir: Path) -> None:
    """Execute the notebooks whose outputs are not cached yet, several at a time, into the
    execution cache that the build then reads. Jupyter Book runs notebooks one after
    another and leaves the second core idle; this is where the cold build gains its time."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(source / ".jupyter_cache"))
    for nb in sorted((source / "notebooks").glob("*.ipynb")):
        cache.add_nb_to_project(str(nb))
    before = os.environ.get("BALKANARMS_DATA")
    os.environ["BALKANARMS_DATA"] = str(data_dir)
    try:
        result = load_executor("local-parallel", cache).run_and_cache(timeout=120)
    finally:
        if before is None:
            os.environ.pop("BALKANARMS_DATA", None)
        else:
            os.environ["BALKANARMS_DATA"] = before
    for uri in result.succeeded:
        print(f"executed {Path(uri).name}", flush=True)
    # failures are left to the build, which re-executes them and reports the error in full


def build(source: Path = ROOT, output: Path | None = None, data_dir: Path = DATA_DIR,
          capture: bool = False) -> subprocess.CompletedProcess:
    """Refresh the cache guard, execute changed notebooks in parallel, then run the strict
    build with ``source`` as working directory (the execution cache lives there) and
    ``BALKANARMS_DATA`` pointing at ``data_dir``."""
    everything = refresh_cache(source, data_dir)
    pre_execute(source, data_dir)
    env = dict(os.environ, BALKANARMS_DATA=str(data_dir))
    return subprocess.run(build_command(source, output, everything), cwd=source, env=env,
                          capture_output=capture, text=True)


def copy_book(dest: Path) -> Path:
    """A self-contained copy of the book's sources (its data included) in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in BOOK_PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / part)
    return dest


# ------------------------------------------------------------------ benchmark

def execute_notebooks(book: Path) -> dict[str, float]:
    """The floor: execute every notebook once with nbclient, one after another."""
    import nbformat
    from nbclient import NotebookClient

    times = {}
    env_before = os.environ.get("BALKANARMS_DATA")
    os.environ["BALKANARMS_DATA"] = str(book / "data")
    try:
        for path in sorted((book / "notebooks").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(nb, timeout=120, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            times[path.stem] = time.perf_counter() - start
            print(f"  executed {path.name} in {times[path.stem]:.1f} s", flush=True)
    finally:
        if env_before is None:
            os.environ.pop("BALKANARMS_DATA", None)
        else:
            os.environ["BALKANARMS_DATA"] = env_before
    return times


def timed_build(book: Path) -> float:
    start = time.perf_counter()
    proc = build(book, data_dir=book / "data", capture=True)
    if proc.returncode != 0:
        raise RuntimeError((proc.stdout + proc.stderr)[-3000:])
    return time.perf_counter() - start


def page_weights(html: Path) -> list[tuple[str, int]]:
    """Each page's size in bytes together with the images it shows."""
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
    return {"floor": floor, "cold": cold, "warm": warm, "chapter": chapter, "notebook": notebook,
            "per_notebook": per_notebook, "site_bytes": site, "heaviest": weights[0]}


def report(r: dict) -> str:
    rows = [("execute notebooks alone (floor)", r["floor"], ""),
            ("cold build", r["cold"], f"{r['cold'] / r['floor']:.2f} x floor (target <= 1.10)"),
            ("rebuild, nothing changed", r["warm"], "target <= 3 s"),
            ("rebuild after editing a chapter", r["chapter"], ""),
            ("rebuild after editing a notebook", r["notebook"], "")]
    lines = [f"{'step':36} {'seconds':>8}  note", "-" * 80]
    lines += [f"{name:36} {secs:8.1f}  {note}" for name, secs, note in rows]
    slowest = max(r["per_notebook"].items(), key=lambda kv: kv[1])
    lines += ["-" * 80,
              f"slowest notebook: {slowest[0]} {slowest[1]:.1f} s (target <= 5 s)",
              f"site size: {r['site_bytes'] / 1e6:.1f} MB; heaviest page with its images: "
              f"{r['heaviest'][0]} {r['heaviest'][1] / 1e6:.2f} MB (target <= 1 MB)"]
    return "\n".join(lines)
