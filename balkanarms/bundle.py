"""The runnable bundle offered on every chapter page: one zip with the executed notebooks
(outputs included), the data the book was built from, this package, and the pinned
requirements, with a README that says in two commands how to run it."""

from __future__ import annotations

import zipfile
from pathlib import Path

from . import ROOT
from .data import data_files

#: File name of the bundle in the built site, and its top folder once unpacked.
NAME = "balkanarms-book"
ARCHIVE = f"{NAME}.zip"
#: Files of the checkout that travel with the bundle as they are.
PROJECT_FILES = ["pyproject.toml", "requirements.txt", "requirements-student.txt", "LICENSE", "LICENSE-CC-BY-4.0.md"]
#: Fixed time stamp of every member: the same inputs give the same archive.
_STAMP = (2026, 1, 1, 0, 0, 0)

README = """\
# Arms and influence in the Western Balkans: the notebooks, ready to run

This folder holds the book's chapter notebooks, executed and with their outputs (`notebooks/`),
the data the book was built from (`data/`), the package the notebooks import (`balkanarms/`)
and the requirements. Opened in JupyterLab, the notebooks show their outputs even before they run.

## Students: any laptop (Windows, macOS, Linux), Python 3.10 to 3.13

1. Install Python from https://www.python.org/downloads/ (on Windows, tick "Add python.exe to PATH").
2. In this folder, on Windows (PowerShell or Command Prompt), run:

   ```text
   py -m venv .venv
   .venv\\Scripts\\python -m pip install -r requirements-student.txt
   .venv\\Scripts\\python -m balkanarms lab
   ```

   or on macOS or Linux (Terminal):

   ```bash
   python3 -m venv .venv
   .venv/bin/python -m pip install -r requirements-student.txt
   .venv/bin/python -m balkanarms lab
   ```

The first two lines install, once, only what the notebooks need; the third opens JupyterLab on the
notebooks (the only line needed next time).

## The book's exact environment (Linux or macOS, Python 3.11)

```bash
python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/pip install --no-deps -e .
.venv/bin/jupyter lab notebooks/
```

installs the pinned environment the book is built and tested with, and opens the notebooks.

Each chapter has a parameters cell near the top (recipient, window, measure): change a value and run
the notebook again. Code: MIT (`LICENSE`); text and data: CC BY 4.0 (`LICENSE-CC-BY-4.0.md`).
"""


def executed_notebooks(notebooks: Path, cache_dir: Path) -> dict[str, bytes]:
    """Each notebook in the folder ``notebooks`` (file name -> .ipynb bytes), with the outputs
    of its run in the execution cache ``cache_dir``, the run the book shows. A notebook that
    the cache holds no run of (one the book does not show) goes as it is."""
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    out = {}
    for path in sorted(notebooks.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        try:
            _, nb = cache.merge_match_into_notebook(nb)
        except KeyError:
            pass
        out[path.name] = nbformat.writes(nb).encode("utf-8")
    return out


def members(notebooks: dict[str, bytes], data_dir: Path) -> dict[str, Path | bytes]:
    """Path inside the archive -> file to copy (or bytes to write)."""
    out: dict[str, Path | bytes] = {"README.md": README.encode("utf-8")}
    for name, content in sorted(notebooks.items()):
        out[f"notebooks/{name}"] = content
    for path in data_files(data_dir):
        out[f"data/{path.relative_to(data_dir).as_posix()}"] = path
    package = ROOT / "balkanarms"
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.css")]):  # subpackages and print styles too
        out[f"balkanarms/{path.relative_to(package).as_posix()}"] = path
    for name in PROJECT_FILES:
        out[name] = ROOT / name
    return out


def write(dest: Path, notebooks: dict[str, bytes], data_dir: Path) -> Path:
    """Write the bundle to ``dest`` (a .zip) and return its path."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname, src in members(notebooks, data_dir).items():
            info = zipfile.ZipInfo(f"{NAME}/{arcname}", date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, src if isinstance(src, bytes) else src.read_bytes())
    return dest
