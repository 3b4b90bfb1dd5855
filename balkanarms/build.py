"""Building the book: the strict build, the execution-cache guard, the environment of the
kernels the build starts, and copies of the book for tests."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import DATA_DIR, ROOT
from .data import VALIDATED_ENV, content_key, validate_with_key

#: What a copy of the book needs to build on its own.
BOOK_PARTS = ["_config.yml", "_toc.yml", "book", "notebooks", "data", "_static"]
#: The package the notebooks import (this one).
PACKAGE = Path(__file__).resolve().parent
#: Seconds a notebook cell may run.
TIMEOUT = 120

#: IPython profile of every kernel the build starts. ipykernel >= 7.3 logs a warning that
#: the kernel talks to its client over TCP without encryption; here both ends are this
#: machine's own processes, and the warning on stderr would fail the strict build. Only the
#: kernel's own log is raised to ERROR: warnings printed by notebook code still fail it.
KERNEL_CONFIG = 'c.IPKernelApp.log_level = "ERROR"\n'


def jupyter_book() -> str:
    return str(Path(sys.executable).parent / "jupyter-book")


def build_command(
    source: Path = ROOT, output: Path | None = None, everything: bool = False, strict: bool = True
) -> list[str]:
    """The strict Jupyter Book build: warnings are errors, references are checked.
    ``everything`` makes Sphinx re-read every page, not only changed sources; ``strict=False``
    is for a partial copy of the book (the tests' own), whose links to absent pages warn."""
    cmd = [jupyter_book(), "build", str(source)] + (["-W", "-n", "--keep-going"] if strict else [])
    if everything:
        cmd.append("--all")
    if output is not None:
        cmd += ["--path-output", str(output)]
    return cmd


@contextmanager
def notebook_env(data_dir: Path = DATA_DIR, validated: str | None = None) -> Iterator[dict[str, str]]:
    """Set, for the kernels started inside the block, ``BALKANARMS_DATA`` to ``data_dir``
    and ``IPYTHONDIR`` to a fresh profile holding :data:`KERNEL_CONFIG` (so no user
    profile or start-up file changes a build); restore both afterwards. ``validated`` is
    the content key of ``data_dir`` as just validated (:func:`~balkanarms.data.validate_with_key`): kernels
    reading that same content then skip validating it again."""
    with tempfile.TemporaryDirectory(prefix="balkanarms-ipython-") as ipython_dir:
        profile = Path(ipython_dir) / "profile_default"
        profile.mkdir()
        (profile / "ipython_kernel_config.py").write_text(KERNEL_CONFIG)
        values = {
            "BALKANARMS_DATA": str(Path(data_dir).resolve()),
            "IPYTHONDIR": ipython_dir,
            VALIDATED_ENV: validated or "",
        }
        before = {key: os.environ.get(key) for key in values}
        os.environ.update(values)
        try:
            yield values
        finally:
            for key, value in before.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def inputs_digest(data_dir: Path = DATA_DIR, package: Path = PACKAGE) -> str:
    """Hash of everything a notebook reads besides itself: the package and the data.

    Jupyter Book's execution cache is keyed on the notebook's own code only, so a
    changed dataset or chart function would otherwise leave stale outputs in the book."""
    h = hashlib.sha256(content_key(Path(data_dir)).encode())
    for path in sorted(package.rglob("*.py")):  # its subpackages (balkanarms.sipri) too
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def refresh_cache(source: Path = ROOT, data_dir: Path = DATA_DIR) -> bool:
    """Drop the execution cache in ``source`` when the package or the data changed since it
    was filled. Returns True when every page must be rebuilt."""
    cache = source / ".jupyter_cache"
    stamp = cache / "inputs.sha256"
    digest = inputs_digest(data_dir)
    changed = not stamp.exists() or stamp.read_text() != digest
    if changed and cache.exists():
        print("package or data changed: clearing the notebook execution cache", flush=True)
        shutil.rmtree(cache)
    cache.mkdir(exist_ok=True)
    stamp.write_text(digest)
    return changed


#: jupyter-cache's name for myst-nb's reader of MyST Markdown notebooks.
MYST_READER = {"name": "myst_nb_md", "type": "plugin"}


def markdown_notebooks(source: Path) -> list[Path]:
    """The book's Markdown pages that hold code cells (myst-nb executes them like notebooks)."""
    return [p for p in sorted((source / "book").rglob("*.md")) if "```{code-cell}" in p.read_text(encoding="utf-8")]


def pre_execute(source: Path) -> list[str]:
    """Execute the notebooks (and Markdown pages with code) whose outputs are not cached yet,
    several at a time, into the execution cache that the build then reads (Jupyter Book alone
    runs them one after another and leaves the second core idle). Call it inside
    :func:`notebook_env`.

    Returns one report (notebook and traceback) per notebook that failed; the build stops
    on them instead of letting Jupyter Book execute the same notebook a second time."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(source / ".jupyter_cache"))
    for nb in sorted((source / "notebooks").glob("*.ipynb")):
        cache.add_nb_to_project(str(nb))
    for page in markdown_notebooks(source):  # read as myst-nb reads them, so the build finds them cached
        cache.add_nb_to_project(str(page), read_data=MYST_READER)
    result = load_executor("local-parallel", cache).run_and_cache(timeout=TIMEOUT)
    failed = result.excepted + result.errored
    # A kernel that did not start (two starting at once on a loaded machine) is not the notebook's
    # fault: such notebooks get one more run, one at a time. A cell that raised is never re-run.
    flaky = [uri for uri in failed if _kernel_failed(cache.get_project_record(uri).traceback)]
    if flaky:
        print(f"kernel did not start for {', '.join(Path(u).name for u in flaky)}: running again", flush=True)
        again = load_executor("local-serial", cache).run_and_cache(timeout=TIMEOUT, filter_uris=flaky)
        result.succeeded += again.succeeded
        failed = [uri for uri in failed if uri not in again.succeeded]
    # A page the parallel run reported as done but left without a cache record would be executed
    # again, one at a time, by Jupyter Book: run it here instead, so Sphinx finds every page cached.
    missing = [r.uri for r in cache.list_unexecuted() if r.uri not in failed]
    if missing:
        again = load_executor("local-serial", cache).run_and_cache(timeout=TIMEOUT, filter_uris=missing)
        result.succeeded = [u for u in result.succeeded if u not in missing] + list(again.succeeded)
        failed += [u for u in missing if u not in again.succeeded]
    for uri in result.succeeded:
        print(f"executed {Path(uri).name}", flush=True)
    return [f"{Path(uri).name} failed:\n{_last_lines(cache.get_project_record(uri).traceback)}" for uri in failed]


def _kernel_failed(traceback: str | None) -> bool:
    """Whether a failure is the kernel's (it did not start or died), not a notebook cell's."""
    return any(m in (traceback or "") for m in ("Kernel didn't respond", "Kernel died", "DeadKernelError"))


def _last_lines(traceback: str | None, n: int = 12) -> str:
    """The end of a traceback without terminal colours: where it failed and the error
    (the executor has already logged the whole traceback)."""
    lines = [line for line in re.sub(r"\x1b\[[0-9;]*m", "", traceback or "").splitlines() if line.strip()]
    return "\n".join(lines[-n:])


def build(
    source: Path = ROOT,
    output: Path | None = None,
    data_dir: Path = DATA_DIR,
    capture: bool = False,
    strict: bool = True,
) -> subprocess.CompletedProcess:
    """Validate the data (once: the kernels are told it passed), refresh the cache guard,
    execute changed notebooks in parallel, then run the strict build with ``source`` as
    working directory (the execution cache lives there) and ``BALKANARMS_DATA`` pointing at
    ``data_dir``. Invalid data, or a notebook that fails, stops the build before Jupyter Book
    starts, with every problem or the notebook's traceback."""
    cmd = build_command(source, output, everything=refresh_cache(source, data_dir), strict=strict)

    def stop(report: str) -> subprocess.CompletedProcess:
        if not capture:
            print(report, file=sys.stderr)
        return subprocess.CompletedProcess(cmd, 1, "", report if capture else None)

    key, problems = validate_with_key(data_dir)
    if problems:
        return stop(
            "\n".join(map(str, problems)) + f"\nvalidation failed: {len(problems)} problem(s) in "
            f"{data_dir}: the book was not built\n"
        )
    with notebook_env(data_dir, validated=key):
        failures = pre_execute(source)
        if failures:
            return stop("\n\n".join(failures) + f"\n\n{len(failures)} notebook(s) failed: the book was not built\n")
        return subprocess.run(cmd, cwd=source, env=dict(os.environ), capture_output=capture, text=True)


def copy_book(dest: Path) -> Path:
    """A self-contained copy of the book's sources (its data included) in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in BOOK_PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / part)
    return dest
