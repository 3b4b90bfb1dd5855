"""Building the book: the strict build, the execution-cache guard, the environment of the
kernels the build starts, and copies of the book for tests."""

from __future__ import annotations

import hashlib
import json
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


def kernel_env(data_dir: Path, validated: str | None, ipython_dir: Path) -> dict[str, str]:
    """What a kernel the build starts has in its environment: ``BALKANARMS_DATA`` (``data_dir``),
    ``IPYTHONDIR`` (``ipython_dir``, given a profile holding :data:`KERNEL_CONFIG`, so no user
    profile or start-up file changes a build) and the content key of the data as just validated
    (:func:`~balkanarms.data.validate_with_key`): kernels reading that same content skip validating it."""
    profile = Path(ipython_dir) / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(KERNEL_CONFIG)
    return {
        "BALKANARMS_DATA": str(Path(data_dir).resolve()),
        "IPYTHONDIR": str(ipython_dir),
        VALIDATED_ENV: validated or "",
    }


@contextmanager
def notebook_env(data_dir: Path = DATA_DIR, validated: str | None = None) -> Iterator[dict[str, str]]:
    """Set :func:`kernel_env` (with a fresh IPython profile) for the kernels started inside the
    block; restore the environment afterwards."""
    with tempfile.TemporaryDirectory(prefix="balkanarms-ipython-") as ipython_dir:
        values = kernel_env(data_dir, validated, Path(ipython_dir))
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
    """Hash of everything a notebook reads besides itself: the package, the data and the
    pinned requirements (a new matplotlib draws other figures).

    Jupyter Book's execution cache is keyed on the notebook's own code only, so a
    changed dataset or chart function would otherwise leave stale outputs in the book."""
    h = hashlib.sha256(content_key(Path(data_dir)).encode())
    code = sorted(package.rglob("*.py"))  # its subpackages (balkanarms.sipri) too
    _hash_files(h, code + [package.parent / "requirements.txt"], package.parent)
    return h.hexdigest()


def _hash_files(h, paths, base: Path) -> None:
    """Add each existing file of ``paths`` to the hash ``h``: its path relative to ``base``, then its bytes."""
    for path in paths:
        if path.exists():
            h.update(Path(os.path.relpath(path, base)).as_posix().encode() + b"\0" + path.read_bytes())


# ---------------------------------------------------------------- the record of `make book`

#: What `python -m balkanarms build` (`make book`) leaves in ``_build`` beside the HTML: everything
#: the build printed, and a record of the sources it was built from. The test suite tests that
#: build instead of making its own when the record matches the sources as they are now.
LOG = "build.log"
RECORD = "build-record.json"
_SKIP = {"__pycache__", ".ipynb_checkpoints", ".jupyter_cache", "_build"}


def sources_key(source: Path = ROOT) -> str:
    """Hash of everything a build reads: the book's parts (its data included), the package and
    the pinned requirements. Two builds from the same key give the same book."""
    paths = []
    for part in BOOK_PARTS:
        p = source / part
        paths += [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file())
    paths += sorted(q for q in PACKAGE.rglob("*") if q.is_file())
    paths.append(PACKAGE.parent / "requirements.txt")
    h = hashlib.sha256()
    _hash_files(h, [p for p in paths if not _SKIP.intersection(p.parts) and p.suffix != ".pyc"], source)
    return h.hexdigest()


def read_everything(log: str) -> bool:
    """Whether Sphinx read every page in the build that printed ``log`` (a first build, or one
    whose configuration changed: the book's date is in its configuration), not only changed ones."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log)
    return bool(re.search(r"^updating environment: \[(new config|config changed|extensions changed)", plain, re.M))


def build_and_record(source: Path = ROOT) -> int:
    """Build the book in ``source`` as :func:`build` does, in a child process whose output goes
    both to the terminal and to ``_build/build.log``; then write ``_build/build-record.json``:
    the sources' key, the exit code, and whether every page was read."""
    out = source / "_build"
    out.mkdir(exist_ok=True)
    (out / RECORD).unlink(missing_ok=True)
    key = sources_key(source)
    script = "import sys; from balkanarms.build import build; sys.exit(build().returncode)"
    with open(out / LOG, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-u", "-c", script],
            cwd=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
        code = proc.wait()
    text = (out / LOG).read_text(encoding="utf-8")
    record = {"sources": key, "returncode": code, "read_everything": read_everything(text)}
    (out / RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return code


def recorded_build(source: Path = ROOT) -> Path | None:
    """The HTML of the last `make book` in ``source``, if it is a build of the sources as they are
    now: it succeeded, Sphinx read every page (so its log holds every warning), and nothing it
    reads has changed since. Otherwise None."""
    path = source / "_build" / RECORD
    if not path.exists() or not (source / "_build" / LOG).exists():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    ok = (
        record.get("returncode") == 0 and record.get("read_everything") and record.get("sources") == sources_key(source)
    )
    return source / "_build" / "html" if ok else None


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
    waiting = {r.uri for r in cache.list_unexecuted()}
    for record in cache.list_project_records():
        if record.uri not in waiting:
            print(f"cached {Path(record.uri).name}", flush=True)
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
