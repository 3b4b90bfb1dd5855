"""The three builds the suite tests, each started in a process of its own as soon as the
tests that need it are collected, so that they run while other tests do:

* the main build, exactly as `make book` builds it (full, strict). When `make book` has just
  built the checkout and its record (``_build/build-record.json``) matches the sources as they
  are now, the suite tests that build and its log instead of making the same book again;
  otherwise it builds a copy of the book with an empty execution cache of its own. Either way,
  what the checkout's execution cache holds changes no test's outcome: a recorded build is only
  taken when it read every page and nothing it reads has changed;
* the student edition (full, strict), started once the main build has executed its notebooks:
  it reuses that execution cache, and its run overlaps the main build's single-core Sphinx run;
* a partial build of the three pages that show strings from the data, from a copy of the
  data with markup injected into it.

The main build gets the machine first; the other two run at a lower priority. A fixture
that needs a build waits for it and fails with the end of its log if it failed."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

from balkanarms import ROOT, build as build_module
from balkanarms.build import copy_book, markdown_notebooks

#: Markup injected into the copy's data, and the pages that show it (the partial build's pages).
SCRIPT = "<script>window.__injected = 1</script>"
IMG = '<img src="x" onerror="window.__injected = 2">'
INJECTED_PAGES = ["notebooks/serbia_suppliers", "notebooks/china_footprint", "notebooks/evidence"]


class Build:
    """A build run in the background: ``command`` in a process of its own, its output in
    ``log``; :meth:`wait` returns ``html``. With ``after``, it starts once that build has
    executed its notebooks (its cache is then full; its Sphinx run, on one core, overlaps
    this build)."""

    #: What Jupyter Book prints first: by then the build has executed every notebook.
    EXECUTED = "Running Jupyter-Book"

    def __init__(
        self, name: str, command: list[str] | None, html: Path, log: Path, nice: int = 0, after: Build | None = None
    ):
        self.name, self.command, self.html, self.log, self.nice, self.after = name, command, html, log, nice, after
        self.returncode: int | None = None
        self.executed = threading.Event()  # notebooks executed, or the build is over
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._proc: subprocess.Popen | None = None
        self._stopped = False

    def start(self) -> Build:
        self._thread.start()
        return self

    def _run(self) -> None:
        if self.command is None:  # a build `make book` has already made
            self.returncode = 0
            self.executed.set()
            return
        try:
            if self.after is not None:
                self.after.executed.wait()
                if self.after.returncode not in (None, 0):
                    self.returncode = -1
                    self.log.write_text(f"not started: the {self.after.name} failed\n")
                    return
            if self._stopped:
                return
            with open(self.log, "w") as out:
                self._proc = subprocess.Popen(
                    self.command,
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # stop() ends its kernels with it
                    preexec_fn=(lambda: os.nice(self.nice)) if self.nice else None,
                )
                while self._proc.poll() is None and not self.executed.is_set():
                    if self.EXECUTED in self.log.read_text(errors="replace"):
                        self.executed.set()
                    else:
                        time.sleep(0.5)
                self.returncode = self._proc.wait()
        finally:
            if self.returncode is None and not self.executed.is_set():
                self.returncode = -1  # it could not be started
            self.executed.set()

    def wait_code(self) -> int:
        self._thread.join()
        return -1 if self.returncode is None else self.returncode

    def wait(self) -> Path:
        code = self.wait_code()
        text = self.log.read_text() if self.log.exists() else ""
        assert code == 0, f"the {self.name} failed (exit {code}):\n{text[-4000:]}"
        return self.html

    def output(self) -> str:
        self.wait_code()
        return self.log.read_text()

    def stop(self) -> None:
        self._stopped = True
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            self._proc.wait(timeout=30)


#: The main build of a copy of the book, as `python -m balkanarms build` builds the checkout:
#: validate, refresh the cache guard, execute, strict build, bundle.
MAIN = (
    "import sys; from pathlib import Path; from balkanarms.build import build; book = Path(sys.argv[1]); "
    "sys.exit(build(book, data_dir=book / 'data').returncode)"
)
#: The student edition of that copy, reusing the copy's execution cache.
STUDENT = (
    "import sys; from pathlib import Path; from balkanarms.teaching import student_edition; "
    "student_edition(Path(sys.argv[1]), cache_from=Path(sys.argv[2]))"
)


def main_source(tmp: Path) -> Path:
    """Where the suite's main build is: the checkout, when `make book` has built it from the sources
    as they are now (:func:`balkanarms.build.recorded_build`); otherwise a copy of the book's
    sources with an execution cache of its own (empty), built by the suite."""
    return build_module.ROOT if build_module.recorded_build(build_module.ROOT) else tmp / "book"


def main_build(tmp: Path) -> Build:
    html = build_module.recorded_build(build_module.ROOT)
    if html is not None:
        return Build("main build (made by make book)", None, html, html.parent / build_module.LOG)
    book = copy_book(main_source(tmp))
    return Build(
        "main build",
        [sys.executable, "-c", MAIN, str(book)],
        book / "_build" / "html",
        tmp / "main-build.log",
    )


def student_build(tmp: Path, main: Build) -> Build:
    out = tmp / "student"
    return Build(
        "student edition",
        [sys.executable, "-c", STUDENT, str(out), str(main_source(tmp))],
        out / "html",
        tmp / "student-build.log",
        nice=10,
        after=main,
    )


def inject(book: Path) -> None:
    """Markup into a Serbian deal's designation and into the notes of an unconfirmed deal."""
    path = book / "data" / "transfers.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0])
    hit_designation = hit_notes = False
    for row in rows:
        if row["recipient"] == "SRB" and row["designation"] == "CH-92A":
            row["designation"] = f"CH-92A {SCRIPT}"
            hit_designation = True
        if row["confidence"] == "unconfirmed" and not hit_notes:
            row["notes"] = f"{IMG} {row['notes']}"
            hit_notes = True
    assert hit_designation and hit_notes
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def keep_only(book: Path, pages: list[str]) -> None:
    """Reduce a copy of the book to ``pages``: a table of contents of them alone, and no
    other notebook or Markdown page with code left to execute."""
    for nb in (book / "notebooks").glob("*.ipynb"):
        if f"notebooks/{nb.stem}" not in pages:
            nb.unlink()
    for md in markdown_notebooks(book):
        md.unlink()
    toc = {"format": "jb-book", "root": pages[0], "chapters": [{"file": p} for p in pages[1:]]}
    (book / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")


#: A cold build of the partial copy, reading the copy's data. Not strict: its pages link to
#: chapters the copy leaves out.
PARTIAL = (
    "import sys; from pathlib import Path; from balkanarms.build import build; book = Path(sys.argv[1]); "
    "sys.exit(build(book, data_dir=book / 'data', strict=False).returncode)"
)


def injected_build(tmp: Path) -> Build:
    book = copy_book(tmp / "injected")
    keep_only(book, INJECTED_PAGES)
    inject(book)
    return Build(
        "partial build with injected markup",
        [sys.executable, "-c", PARTIAL, str(book)],
        book / "_build" / "html",
        tmp / "injected-build.log",
        nice=10,
    )
