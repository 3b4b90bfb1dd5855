"""The notebook grid: every chapter notebook runs for every allowed value of every parameter.

Each parameter is varied one at a time from the notebook's defaults (every recipient, every
window of the book plus one custom window, every basis, measure and edition), and every
exercise that asks a student to change a parameter runs with exactly that change. A run
must finish with no error and nothing on stderr, and draw its figures. The runs go two at
a time (this machine has two cores), each worker in one kernel that it resets between runs
(starting a kernel per run would cost more than most runs); the tier reports its own time.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import re
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest

from balkanarms import DATA_DIR, ROOT, aggregate as agg
from balkanarms.params import ParameterError

pytestmark = pytest.mark.notebooks

NOTEBOOKS = ROOT / "notebooks"
RECIPIENTS = agg.RECIPIENTS
WINDOWS = agg.WINDOWS + [(2009, 2013)]  # the book's windows and one custom window


def _editions() -> list[str]:
    try:
        return list(importlib.import_module("balkanarms.sipri").EDITIONS)
    except ImportError:
        return []


def grid() -> list[tuple[str, dict]]:
    """(notebook, parameter overrides) for every run of the tier; {} is the default run."""
    ed = [{"EDITION": e} for e in _editions()]
    # the 2025 edition ends in 2024: its runs take a window inside it
    ed_w = [{"EDITION": e, "WINDOW": (2020, 2024)} for e in _editions()]
    g = {
        "evidence": [{}] + [{"RECIPIENT": r} for r in RECIPIENTS],
        "serbia_suppliers": [{}]
        + [{"RECIPIENT": r} for r in RECIPIENTS if r != "SRB"]
        + [{"BASIS": b} for b in agg.BASES if b != "deal"]
        + ed,
        "china_footprint": [{}] + [{"RECIPIENT": r} for r in RECIPIENTS if r != "SRB"],
        "region_compared": [{}] + [{"WINDOW": w} for w in WINDOWS] + [{"MEASURE": "deals"}] + ed_w,
        "capabilities": [{}] + [{"RECIPIENTS": [r]} for r in RECIPIENTS] + [{"MIN_DEALS": 1}],
        "measures": [{}]
        + [{"RECIPIENT": r} for r in RECIPIENTS if r != "SRB"]
        + [{"WINDOW": w} for w in WINDOWS]
        + ed_w,
        "map": [{}]
        + [{"WINDOW": w} for w in WINDOWS]
        + [{"WINDOW": (2026, 2026), "MEASURE": "deals"}]
        + [{"MEASURE": "deals"}]
        + ed_w,
        "history": [{}] + ed,
        "data": [{}, {"EDITION": "2025"}],
        "beyond_the_seven": [{}] + [{"WINDOW": w} for w in agg.WINDOWS] + [{"SINCE": 2006}, {"SINCE": 2025}],
        "reconciliation": [{}] + [{"RECIPIENT": r} for r in RECIPIENTS],
    }
    runs = [(nb, p) for nb, ps in g.items() if (NOTEBOOKS / f"{nb}.ipynb").exists() for p in ps]
    try:
        exercise_runs = importlib.import_module("balkanarms.teaching").EXERCISE_RUNS
    except (ImportError, AttributeError):
        exercise_runs = []
    runs += [(nb, dict(p)) for _, nb, p in exercise_runs if (nb, dict(p)) not in runs]
    return runs


def with_parameters(nb: nbformat.NotebookNode, overrides: dict) -> nbformat.NotebookNode:
    """Insert the overrides right after the cell tagged ``parameters`` (papermill's convention)."""
    idx = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    if len(idx) != 1:
        raise ValueError(f"{len(idx)} cells tagged 'parameters' (a chapter has exactly one)")
    if overrides:
        src = "\n".join(f"{k} = {v!r}" for k, v in overrides.items())
        nb.cells.insert(idx[0] + 1, nbformat.v4.new_code_cell(src, metadata={"tags": ["injected-parameters"]}))
    return nb


#: This process's kernel (:func:`kernel`), reused run after run.
_KERNEL: dict = {}
#: Run first in the reused kernel: what a fresh kernel starts with, back again. The namespace is
#: emptied, figures closed, matplotlib's settings reset to the kernel's first ones, and warnings
#: already shown once may show again (a fresh kernel would show them).
RESET = """%reset -f
import warnings, matplotlib, matplotlib.pyplot
matplotlib.pyplot.close("all")
if not hasattr(matplotlib, "_grid_rc"):  # the backend and its interactive mode stay as IPython set them
    matplotlib._grid_rc = {k: v for k, v in matplotlib.rcParams.items() if k not in ("backend", "interactive")}
matplotlib.rcParams.update(matplotlib._grid_rc)
warnings._filters_mutated()
"""


def kernel(validated: str | None):
    """A kernel for this process, started once, with the environment the build gives its kernels
    (:func:`balkanarms.build.kernel_env`); it is shut down when the process ends. Starting a kernel
    per run would cost more than most runs do."""
    if _KERNEL and not _KERNEL["km"].is_alive():  # a run timed out or killed it
        _KERNEL["km"].restart_kernel(now=True)
    if not _KERNEL:
        from multiprocessing.util import Finalize

        from jupyter_client import KernelManager

        from balkanarms.build import kernel_env

        ipython = tempfile.TemporaryDirectory(prefix="balkanarms-grid-ipython-")
        env = dict(os.environ) | kernel_env(DATA_DIR, validated, Path(ipython.name))
        km = KernelManager(kernel_name="python3")
        km.start_kernel(cwd=str(NOTEBOOKS), env=env)
        _KERNEL.update(km=km, ipython=ipython)
        Finalize(km, _shutdown, args=(km, ipython), exitpriority=10)
    return _KERNEL["km"]


def _shutdown(km, ipython) -> None:
    km.shutdown_kernel(now=True)
    ipython.cleanup()


def execute(name: str, overrides: dict, validated: str | None = None) -> dict:
    """Run one notebook with overrides in this process's kernel, reset first (:data:`RESET`);
    return what the tests check (runs in a worker process).
    ``validated``: the content key of the data, validated once for the whole grid."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    start = time.perf_counter()
    error = None
    try:
        nb = with_parameters(nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4), overrides)
        nb.cells.insert(0, nbformat.v4.new_code_cell(RESET))
        client = NotebookClient(nb, km=kernel(validated), timeout=120, resources={"metadata": {"path": str(NOTEBOOKS)}})
        try:
            client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
        nb.cells.pop(0)
    except (CellExecutionError, ValueError) as exc:
        return {
            "error": str(exc)[-2000:],
            "seconds": time.perf_counter() - start,
            "stderr": [],
            "figures": 0,
            "figure_cells": 0,
            "figure_digests": set(),
            "table_digests": set(),
        }
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    pngs = [base64.b64decode(o["data"]["image/png"]) for o in outputs if "image/png" in o.get("data", {})]
    html = "".join(v for o in outputs for k, v in o.get("data", {}).items() if k.endswith("text/html"))
    return {
        "error": error,
        "seconds": time.perf_counter() - start,
        "stderr": [o.get("text", "") for o in outputs if o.get("name") == "stderr"],
        "figures": len(pngs),
        "figure_cells": sum(1 for c in nb.cells if c.cell_type == "code" and "figure" in c.metadata.get("mystnb", {})),
        "figure_digests": {digest(png) for png in pngs},
        "table_digests": set(map(digest, tables_in(html))),
    }


def digest(content: str | bytes) -> str:
    return hashlib.sha256(content.encode() if isinstance(content, str) else content).hexdigest()


def tables_in(html: str) -> list[str]:
    return re.findall(r"<table.*?</table>", html, flags=re.S)


def _id(run) -> str:
    nb, p = run
    return nb + ("-" + "-".join(f"{k}={json.dumps(v)}" for k, v in p.items()) if p else "-defaults")


RUNS = grid()


#: The grid's run in the background: started by conftest as soon as the tests are collected, so
#: that it runs while the tests that need no notebook do; :func:`results` waits for it.
_GRID: dict = {}


def run_grid() -> dict:
    """Every run of :data:`RUNS`, two at a time, in worker processes started afresh (spawned: this
    process has other threads by then); the data are validated once for all of them."""
    import multiprocessing

    from balkanarms.data import validate_with_key

    start = time.perf_counter()
    key, problems = validate_with_key(DATA_DIR)
    if problems:
        raise AssertionError(problems[:5])
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        out = dict(zip(map(_id, RUNS), pool.map(execute, *zip(*RUNS), [key] * len(RUNS))))
    print(f"\nnotebook grid: {len(RUNS)} runs in {time.perf_counter() - start:.0f} s")
    return out


def start_grid() -> threading.Thread:
    """Start :func:`run_grid` in a thread of its own (once)."""
    if "thread" not in _GRID:

        def work():
            try:
                _GRID["out"] = run_grid()
            except BaseException as exc:  # handed to the tests that need the results
                _GRID["error"] = exc

        _GRID["thread"] = threading.Thread(target=work, daemon=True)
        _GRID["thread"].start()
    return _GRID["thread"]


@pytest.fixture(scope="session")
def results():
    start_grid().join()
    if "error" in _GRID:
        raise _GRID["error"]
    return _GRID["out"]


@pytest.mark.parametrize("run", RUNS, ids=_id)
def test_notebook_runs(results, run):
    r = results[_id(run)]
    assert r["error"] is None, r["error"]
    assert not r["stderr"], r["stderr"]
    assert r["figures"] >= r["figure_cells"], "every figure cell drew a figure"


@pytest.mark.build
def test_two_executions_give_identical_figures_and_tables(results, built_book):
    """Each chapter's default run here and its execution in the main build are separate
    kernels: every figure and table on the built page comes out byte for byte the same."""
    figures = tables = 0
    for stem in sorted({nb for nb, _ in RUNS}):
        html = (built_book / "notebooks" / f"{stem}.html").read_text(encoding="utf-8")
        run = results[_id((stem, {}))]
        shown = {
            digest((built_book / src).read_bytes())
            for src in re.findall(r'<img [^>]*src="\.\./(_images/[^"]+\.png)"', html)
        }
        assert shown <= run["figure_digests"], stem
        shown_tables = set(map(digest, tables_in(html)))
        assert shown_tables <= run["table_digests"], stem
        figures, tables = figures + len(shown), tables + len(shown_tables)
    assert figures >= 10 and tables >= 30, (figures, tables)  # the comparison is not vacuous


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_chapter_has_one_parameters_cell_and_no_assert(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1
    assert not [c.source for c in code if any(line.lstrip().startswith("assert ") for line in c.source.splitlines())]


def test_every_chapter_notebook_is_in_the_grid():
    chapters = {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    assert chapters <= {nb for nb, _ in RUNS}


@pytest.mark.parametrize(
    "name,overrides,allowed",
    [
        ("serbia_suppliers", {"RECIPIENT": "XYZ"}, "'SRB'"),
        ("region_compared", {"WINDOW": (2020, 2010)}, "start <= end"),
        ("map", {"MEASURE": "volume"}, "'deals'"),
    ],
)
def test_a_value_outside_the_allowed_set_names_the_allowed_values(name, overrides, allowed):
    r = execute(name, overrides)
    assert r["error"] is not None and ParameterError.__name__ in r["error"]
    assert list(overrides)[0] in r["error"] and allowed in r["error"]
