"""The repository keeps its promises: what the README names exists and works, the environment
is pinned, the enums agree with the data package, every source is cited, lint is clean (the
package, the tests, the notebooks and the code cells of the MyST pages)."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from balkanarms import ROOT

README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


# ---------------------------------------------------------------- the README


def test_every_make_target_the_readme_names_exists():
    named = set(re.findall(r"\bmake ([a-z][a-z-]*)", README))
    assert {"book", "test", "test-fast", "lab", "serve"} <= named
    defined = set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, flags=re.M))
    assert named - defined == set()


def test_every_path_in_the_layout_table_exists():
    table = README.split("## Layout\n", 1)[1].split("\n## ", 1)[0]
    paths = [p for row in re.findall(r"^\| (`[^|]+`) \|", table, flags=re.M) for p in re.findall(r"`([^`]+)`", row)]
    assert len(paths) >= 10
    assert [p for p in paths if not (ROOT / p).exists()] == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_lab_serves_the_notebooks(tmp_path):
    """`make lab` as the README gives it (server settings come from a config folder, so the
    command itself is unchanged): JupyterLab starts from the venv and lists the notebooks."""
    port = free_port()
    (tmp_path / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {
                    "ip": "127.0.0.1",
                    "port": port,
                    "port_retries": 0,
                    "open_browser": False,
                    "IdentityProvider": {"token": "t"},
                },
                "IdentityProvider": {"token": "t"},
            }
        )
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "JUPYTER_CONFIG_DIR": str(tmp_path),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "lab"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        listing, deadline = None, time.monotonic() + 90
        while listing is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token=t", timeout=5) as r:
                    listing = json.load(r)
            except OSError:
                time.sleep(0.5)
        assert listing is not None, proc.stdout.read() if proc.poll() is not None else "no answer"
        served = {item["name"] for item in listing["content"]}
        assert served == {p.name for p in (ROOT / "notebooks").iterdir() if not p.name.startswith(".")}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


# ---------------------------------------------------------------- environment and package


def pins() -> dict[str, str]:
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [line for line in lines if line and not line.startswith("#")]
    loose = [line for line in reqs if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line)]
    assert loose == []
    return {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower(): line.split("==")[1] for line in reqs}


def test_requirements_are_pinned():
    """The environment the README promises: every requirement pinned to one version."""
    assert {"jupyterlab", "nbconvert", "ruff", "itables", "jupyter-book", "pytest"} <= set(pins())


def test_the_citation_names_the_data_release():
    """CITATION.cff, the README's "How to cite" and the book cite the version and date of the
    data package (a new release changes datapackage.json; these must follow)."""
    import yaml

    from balkanarms import release

    rel = release.release(ROOT / "data")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["version"], str(cff["date-released"])) == (rel["version"], rel["last_updated"])
    how = README.split("## How to cite\n", 1)[1].split("\n## ", 1)[0]
    assert f"version {rel['version']}" in how and rel["date"] in how
    assert rel["version"] in release.citation(ROOT / "data") and rel["version"] in release.footer(ROOT / "data")


def test_package_enums_match_the_data_package():
    from balkanarms import aggregate

    package = json.loads((ROOT / "data" / "datapackage.json").read_text())
    enums = {
        (r["name"], f["name"]): f.get("constraints", {}).get("enum")
        for r in package["resources"]
        for f in r.get("schema", {}).get("fields", [])
    }
    assert aggregate.BLOCS and set(aggregate.BLOCS) == set(enums[("countries", "bloc")])
    assert set(aggregate.RECIPIENTS) == set(enums[("transfers", "recipient")])
    assert set(aggregate.CAPABILITY_LABELS) == set(enums[("transfers", "capability")])


# ---------------------------------------------------------------- repository hygiene


def test_notebooks_have_no_outputs():
    nbs = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert nbs
    for nb in nbs:
        for c in json.loads(nb.read_text())["cells"]:
            if c["cell_type"] == "code":
                assert c.get("outputs") == [] and c.get("execution_count") is None, nb.name


def test_no_blanket_warning_filters():
    for path in list((ROOT / "balkanarms").rglob("*.py")) + list((ROOT / "notebooks").glob("*.ipynb")):
        assert 'filterwarnings("ignore")' not in path.read_text(), path


CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def cited_keys(text: str) -> set[str]:
    """Keys of MyST citation roles: {cite}`a`, {cite:p}`a,b`, {cite:t}`c` ..."""
    return {k.strip() for keys in CITE.findall(text) for k in keys.split(",") if k.strip()}


def test_cited_keys_are_parsed_from_roles_only():
    text = "As {cite:p}`alpha2020, beta2021` and {cite:t}`gamma` say, {cite}`delta`; not epsilon or `zeta`."
    assert cited_keys(text) == {"alpha2020", "beta2021", "gamma", "delta"}


def test_bib_keys_are_all_used():
    """Every entry of references.bib is cited by a data row (``sources``), by the change log (the
    source of a correction or a removal), or by a citation role in the prose; a word that merely
    equals a key does not count."""
    import balkanarms.data as data

    used = set()
    for name, column in [
        ("transfers", "sources"),
        ("engagements", "sources"),
        ("statistics", "sources"),
        ("countries", "sources"),
        ("changes", "source"),
    ]:
        used |= {k for ks in data.load_table(name)[column] for k in ks}
    for path in sorted((ROOT / "data" / "evidence").glob("*.csv")):
        import csv

        with open(path, encoding="utf-8", newline="") as f:
            used |= {row["source"] for row in csv.DictReader(f)}
    texts = [p.read_text() for p in sorted((ROOT / "book").rglob("*.md"))]
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        texts += ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"]]
    for text in texts:
        used |= cited_keys(text)
    defined = set(data.references()["key"])
    assert defined - used == set()


def myst_notebooks(dest: Path) -> list[Path]:
    """The code cells of every MyST page (book/**/*.md), as notebooks under ``dest`` (read as
    the build reads them), so that ruff lints them like the notebooks' cells."""
    import nbformat
    from myst_nb.core.read import read_myst_markdown_notebook

    from balkanarms.build import markdown_notebooks

    out = []
    for page in markdown_notebooks(ROOT):
        path = dest / page.relative_to(ROOT).with_suffix(".ipynb")
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(read_myst_markdown_notebook(page.read_text(encoding="utf-8")), path)
        out.append(path)
    return out


@pytest.mark.parametrize(
    "command", [["check", "--output-format", "concise"], ["format", "--check"]], ids=["lint", "format"]
)
def test_ruff_is_clean(command):
    """Lint and format, over the package, the tests and the notebooks' code cells."""
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_ruff_lints_the_code_cells_of_the_myst_pages(tmp_path):
    """The MyST pages' code cells, with the notebooks' settings (pyproject.toml); a finding names
    the page (``book/....ipynb`` stands for ``book/....md``) and the cell."""
    pages = myst_notebooks(tmp_path)
    assert len(pages) >= 3  # intro, claims, exercises at least
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", "--no-cache"]
        + ["--config", str(ROOT / "pyproject.toml"), *[str(p.relative_to(tmp_path)) for p in pages]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
