"""The repository keeps its promises: what the README says exists and works, the environment
is pinned and installed as pinned, the package is a real (editable) install, the enums agree
with the data package, every source is cited, lint is clean."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

import pytest

from balkanarms import ROOT

README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


def code_blocks(section: str) -> list[list[str]]:
    """The command lines of each bash block under the README heading ``section``."""
    text = README.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [
        [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]
        for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    ]


def make_recipe(target: str) -> list[str]:
    body = MAKEFILE.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in body.splitlines()[1:] if line.startswith("\t")]


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


def test_the_readme_commands_are_the_makefiles():
    assert code_blocks("Build and test: two commands")[0] == ["make book", "make test"]
    assert code_blocks("Re-run the notebooks") == [["make lab"]]
    assert make_recipe("lab") == ["$(VENV)/bin/jupyter lab notebooks/ $(LAB_FLAGS)"]
    assert "`.venv/bin/jupyter lab notebooks/`" in README  # what the README says `make lab` runs


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


def test_requirements_are_pinned_and_installed_as_pinned():
    pinned = pins()
    assert {"jupyterlab", "nbconvert", "ruff", "itables", "jupyter-book", "pytest"} <= set(pinned)
    installed = {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version for d in metadata.distributions()}
    differs = {
        name: (version, installed.get(name)) for name, version in pinned.items() if installed.get(name) != version
    }
    assert differs == {}


def test_the_package_is_an_editable_install_of_this_checkout():
    import site

    import balkanarms

    dist = next(metadata.distributions(name="balkanarms", path=site.getsitepackages()))
    direct = json.loads(dist.read_text("direct_url.json"))
    assert direct["dir_info"].get("editable") is True
    assert Path(direct["url"].removeprefix("file://")).resolve() == ROOT
    assert Path(balkanarms.__file__).resolve().parent == ROOT / "balkanarms"
    assert not any((Path(p) / "balkanarms-repo.pth").exists() for p in site.getsitepackages())  # old hack gone


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
    for path in list((ROOT / "balkanarms").glob("*.py")) + list((ROOT / "notebooks").glob("*.ipynb")):
        assert 'filterwarnings("ignore")' not in path.read_text(), path


CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def cited_keys(text: str) -> set[str]:
    """Keys of MyST citation roles: {cite}`a`, {cite:p}`a,b`, {cite:t}`c` ..."""
    return {k.strip() for keys in CITE.findall(text) for k in keys.split(",") if k.strip()}


def test_cited_keys_are_parsed_from_roles_only():
    text = "As {cite:p}`alpha2020, beta2021` and {cite:t}`gamma` say, {cite}`delta`; not epsilon or `zeta`."
    assert cited_keys(text) == {"alpha2020", "beta2021", "gamma", "delta"}


def test_bib_keys_are_all_used():
    """Every entry of references.bib is cited by a data row (``sources``) or by a citation role
    in the prose; a word that merely equals a key does not count."""
    import balkanarms.data as data

    used = set()
    for name in ["transfers", "engagements", "statistics", "countries"]:
        used |= {k for ks in data.load_table(name)["sources"] for k in ks}
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
