"""The set-up and build machinery without building the book: what `make test` does on a
machine without chromium, the kernels' environment, the cache guards, the bundle."""

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from balkanarms import ROOT, build, bundle, data

APT_LOG = "apt-get.log"


def fake_machine(tmp_path: Path, uid: int) -> dict[str, str]:
    """An environment whose PATH holds no chromium: only a fake `id` reporting ``uid`` and
    a fake `apt-get` that records its arguments and 'installs' a chromium."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text(f"#!/bin/bash\necho {uid}\n")
    (bin_dir / "apt-get").write_text(
        "#!/bin/bash\n"
        f'echo "$@" >> {tmp_path / APT_LOG}\n'
        f'if [ "$1" = install ]; then printf "#!/bin/bash\\n" > {bin_dir / "chromium"}; '
        f"/bin/chmod +x {bin_dir / 'chromium'}; fi\n"
    )
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return {"PATH": str(bin_dir), "HOME": str(tmp_path)}


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # -o: take the installed venv as up to date; DEJAVU: a machine without the fonts either
    return subprocess.run(
        [
            "/usr/bin/make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",
            target,
            "DEJAVU=/nonexistent/DejaVuSans.ttf",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_test_without_chromium_stops_at_once_with_the_command(tmp_path):
    proc = make("test", fake_machine(tmp_path, uid=1000))
    assert proc.returncode != 0
    assert "sudo apt-get install -y chromium fonts-dejavu-core poppler-utils" in proc.stdout
    assert "pytest" not in proc.stdout + proc.stderr  # stopped before any test ran
    assert not (tmp_path / APT_LOG).exists()


def test_make_test_as_root_installs_chromium_and_fonts(tmp_path):
    env = fake_machine(tmp_path, uid=0)
    proc = make("browser-deps", env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = (tmp_path / APT_LOG).read_text().splitlines()
    assert calls[0].startswith("update")
    assert calls[1].split()[-3:] == ["chromium", "fonts-dejavu-core", "poppler-utils"] and "install" in calls[1]
    assert (tmp_path / "bin" / "chromium").exists()


def test_make_test_runs_browser_deps_before_the_tests():
    dry = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "test"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert dry.index("apt-get install") < dry.index("-m pytest")


def test_ci_runs_the_readmes_commands_in_the_readmes_order():
    """A newcomer runs the README's first block as written (`make book`, then `make test`, in one
    clone); CI takes the same path, so a test that fails after `make book` fails in CI too."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, flags=re.S).group(1)
    readme_cmds = [line.split("#")[0].strip() for line in block.splitlines() if line.startswith("make ")]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    ci_cmds = [line for line in ci if line.startswith("make ")]
    assert readme_cmds == ["make book", "make test"]
    assert ci_cmds[: len(readme_cmds)] == readme_cmds


def test_the_suites_main_build_ignores_the_checkouts_execution_cache(tmp_path, monkeypatch):
    """Without a record of `make book` matching the sources, the suite builds a copy of the book
    with an empty cache of its own: a checkout whose cache is warm runs the same tests."""
    import books

    fake = _fake_checkout(tmp_path, monkeypatch)
    (fake / ".jupyter_cache").mkdir()
    (fake / ".jupyter_cache" / "warm").write_text("every page cached")
    main = books.main_build(tmp_path / "suite")
    source = books.main_source(tmp_path / "suite")
    assert Path(main.command[-1]) == source != fake
    assert (source / "_config.yml").is_file() and not (source / ".jupyter_cache").exists()
    student = books.student_build(tmp_path / "suite", main)
    assert Path(student.command[-1]) == source  # the student edition reuses the suite's cache, not the checkout's


def _fake_checkout(tmp_path: Path, monkeypatch) -> Path:
    fake = tmp_path / "checkout"
    for part in build.BOOK_PARTS:
        src = ROOT / part
        (fake / part).parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            (fake / part).mkdir()
        else:
            (fake / part).write_text(src.read_text())
    monkeypatch.setattr(build, "ROOT", fake)
    return fake


def _record(fake: Path, **changes) -> None:
    (fake / "_build" / "html").mkdir(parents=True, exist_ok=True)
    (fake / "_build" / build.LOG).write_text("updating environment: [new config] 29 added\n")
    record = {"sources": build.sources_key(fake), "returncode": 0, "read_everything": True} | changes
    (fake / "_build" / build.RECORD).write_text(json.dumps(record))


def test_the_suite_tests_the_book_make_book_built_only_from_the_same_sources(tmp_path, monkeypatch):
    """The suite takes the book `make book` built when its record matches the sources now; a
    failed build, one that read only changed pages, or any source changed since, and it builds its own."""
    import books

    fake = _fake_checkout(tmp_path, monkeypatch)
    _record(fake)
    main = books.main_build(tmp_path / "suite")
    assert main.command is None and main.html == fake / "_build" / "html"
    assert books.main_source(tmp_path / "suite") == fake  # the student edition starts from its cache
    for i, change in enumerate(({"returncode": 1}, {"read_everything": False})):
        _record(fake, **change)
        assert books.main_build(tmp_path / f"suite{i}").command is not None, change
    _record(fake)
    (fake / "_config.yml").write_text((fake / "_config.yml").read_text() + "\n# edited after make book\n")
    assert books.main_build(tmp_path / "suite2").command is not None


def test_read_everything_tells_a_full_read_from_an_incremental_one():
    assert build.read_everything("\x1b[01mupdating environment: \x1b[39;49;00m[new config] 29 added, 0 changed\n")
    assert build.read_everything("updating environment: [config changed ('html_context')] 29 added\n")
    assert not build.read_everything("updating environment: 0 added, 2 changed, 0 removed\n")


# ---------------------------------------------------------------- kernels and caches


def test_notebook_env_sets_and_restores(tmp_path, monkeypatch):
    monkeypatch.setenv("BALKANARMS_DATA", "/somewhere/else")
    monkeypatch.delenv("IPYTHONDIR", raising=False)
    with build.notebook_env(tmp_path) as env:
        assert os.environ["BALKANARMS_DATA"] == str(tmp_path.resolve())
        config = Path(env["IPYTHONDIR"]) / "profile_default" / "ipython_kernel_config.py"
        assert config.read_text() == build.KERNEL_CONFIG
    assert os.environ["BALKANARMS_DATA"] == "/somewhere/else"
    assert "IPYTHONDIR" not in os.environ
    assert not config.exists()


@pytest.mark.slow
def test_kernel_started_by_the_build_logs_no_warning(tmp_path):
    """The ipykernel 'TCP without encryption' warning would fail the strict build; the
    build's own profile silences it whatever the venv's or the user's IPython set-up."""
    code = (
        "import nbformat; from nbclient import NotebookClient\n"
        "from balkanarms.build import notebook_env\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print(6 * 7)')])\n"
        f"with notebook_env({str(tmp_path)!r}):\n"
        "    NotebookClient(nb, kernel_name='python3', timeout=60).execute()\n"
        "print(nb.cells[0].outputs[0]['text'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "42"
    assert "WARNING" not in proc.stderr, proc.stderr


def test_inputs_digest_follows_data_and_package(tmp_path, fixture_dir):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("X = 1\n")
    before = build.inputs_digest(fixture_dir, package)
    assert build.inputs_digest(fixture_dir, package) == before
    (package / "mod.py").write_text("X = 2\n")
    after_code = build.inputs_digest(fixture_dir, package)
    assert after_code != before
    (fixture_dir / "countries.csv").write_text((fixture_dir / "countries.csv").read_text() + "\n")
    after_data = build.inputs_digest(fixture_dir, package)
    assert after_data != after_code
    (fixture_dir / "geo" / "__pycache__").mkdir(parents=True)  # left by importing a script that froze data
    (fixture_dir / "geo" / "__pycache__" / "make_boundaries.cpython-311.pyc").write_bytes(b"bytecode")
    assert build.inputs_digest(fixture_dir, package) == after_data
    (package / "sub").mkdir()  # a subpackage (balkanarms.sipri) is part of the key
    (package / "sub" / "mod.py").write_text("Y = 1\n")
    assert build.inputs_digest(fixture_dir, package) != after_data


def test_cache_is_dropped_when_the_data_changes(tmp_path, fixture_dir):
    (tmp_path / ".jupyter_cache").mkdir()
    assert build.refresh_cache(tmp_path, fixture_dir) is True  # never stamped: rebuild everything
    marker = tmp_path / ".jupyter_cache" / "executed-marker"
    marker.write_text("x")
    assert build.refresh_cache(tmp_path, fixture_dir) is False  # nothing changed: the cache stays
    assert marker.exists()
    (fixture_dir / "transfers.csv").write_text((fixture_dir / "transfers.csv").read_text() + "\n")
    assert build.refresh_cache(tmp_path, fixture_dir) is True  # data changed: cache cleared
    assert not marker.exists()


def test_validation_is_redone_when_a_file_changes(fixture_dir):
    """A live kernel must not return rows edited after its first load without validating them."""
    from balkanarms.validate import DataError

    assert len(data.transfers(fixture_dir)) == 3
    path = fixture_dir / "transfers.csv"
    path.write_text(path.read_text().replace("SRB,CHN,FK-3", "SRB,CHI,FK-3"), encoding="utf-8")
    with pytest.raises(DataError, match="CHI"):
        data.transfers(fixture_dir)


def test_build_stops_on_a_failing_notebook_before_jupyter_book(tmp_path, fixture_dir, monkeypatch):
    """A failing notebook is executed once: its report ends the build, Jupyter Book never starts."""
    monkeypatch.setattr(build, "pre_execute", lambda source: ["broken.ipynb failed:\nValueError: boom"])
    monkeypatch.setattr(build.subprocess, "run", lambda *a, **k: pytest.fail("Jupyter Book was started"))
    proc = build.build(tmp_path, data_dir=fixture_dir, capture=True)
    assert proc.returncode == 1
    assert "broken.ipynb failed" in proc.stderr and "ValueError: boom" in proc.stderr


# ---------------------------------------------------------------- the bundle


def test_bundle_holds_executed_notebooks_data_package_and_requirements(tmp_path, fixture_dir):
    notebooks = {"a.ipynb": b'{"executed": true}', "b.ipynb": b'{"as it is": true}'}
    (fixture_dir / "geo" / "__pycache__").mkdir(parents=True)
    (fixture_dir / "geo" / "__pycache__" / "make_boundaries.cpython-311.pyc").write_bytes(b"bytecode")
    dest = bundle.write(tmp_path / "site" / bundle.ARCHIVE, notebooks, fixture_dir)
    top = bundle.NAME
    with zipfile.ZipFile(dest) as zf:
        names = set(zf.namelist())
        assert not [n for n in names if "__pycache__" in n]  # bytecode left by a helper script is not data
        assert zf.read(f"{top}/notebooks/a.ipynb") == b'{"executed": true}'
        assert {
            f"{top}/data/{p.relative_to(fixture_dir).as_posix()}"
            for p in fixture_dir.rglob("*.*")
            if "__pycache__" not in p.parts
        } <= names
        package = ROOT / "balkanarms"
        assert {f"{top}/balkanarms/{p.relative_to(package).as_posix()}" for p in package.rglob("*.py")} <= names
        assert {f"{top}/{n}" for n in ["README.md", "pyproject.toml", "requirements.txt"]} <= names
        readme = zf.read(f"{top}/README.md").decode()
    commands = [line for line in readme.splitlines() if line.startswith((".venv/", "python3 -m venv"))]
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/pip install --no-deps -e .",
        ".venv/bin/jupyter lab notebooks/",
    ]
    again = bundle.write(tmp_path / "again.zip", notebooks, fixture_dir)
    assert again.read_bytes() == dest.read_bytes()  # same inputs, same archive


def test_executed_notebooks_carry_the_cached_outputs(tmp_path):
    """The bundle's (and the download button's) notebooks come with the outputs of their cached run."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("run", "not_run"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"print('{name}')")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / f"{name}.ipynb")
    executed = nbformat.read(folder / "run.ipynb", as_version=4)
    executed.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="run\n")]
    executed.cells[0].execution_count = 1
    get_cache(str(tmp_path / "cache")).cache_notebook_bundle(CacheBundleIn(executed, "run.ipynb"))
    got = bundle.executed_notebooks(folder, tmp_path / "cache")
    run = nbformat.reads(got["run.ipynb"].decode(), as_version=4)
    not_run = nbformat.reads(got["not_run.ipynb"].decode(), as_version=4)
    assert run.cells[0].outputs[0]["text"] == "run\n"
    assert not_run.cells[0].outputs == []


def test_only_a_kernel_that_failed_to_start_earns_a_second_run():
    from balkanarms.build import _kernel_failed

    assert _kernel_failed("RuntimeError: Kernel didn't respond in 60 seconds")
    assert _kernel_failed("nbclient.exceptions.DeadKernelError: Kernel died")
    assert not _kernel_failed("CellExecutionError ... ParameterError: RECIPIENT must be one of")
    assert not _kernel_failed(None)


def test_data_the_build_validated_is_not_validated_again_but_changed_data_is(fixture_dir, monkeypatch):
    """A kernel told the content key of the data the build validated skips validating that
    content; once a file changes, the loaders validate again and refuse the bad row."""
    from balkanarms.validate import DataError, validate as real_validate

    monkeypatch.setenv(data.VALIDATED_ENV, data.content_key(fixture_dir.resolve()))
    calls = []
    monkeypatch.setattr(data, "validate", lambda d: calls.append(d) or real_validate(d))
    assert len(data.transfers(fixture_dir)) == 3
    assert calls == []
    path = fixture_dir / "transfers.csv"
    path.write_text(path.read_text().replace("SRB,CHN,FK-3", "SRB,CHI,FK-3"), encoding="utf-8")
    with pytest.raises(DataError, match="CHI"):
        data.transfers(fixture_dir)
    assert len(calls) == 1


def test_content_key_sees_an_edit_that_keeps_the_size_within_one_clock_tick(fixture_dir):
    """Right after a write, size and modification time may not change with an edit: such a
    file is hashed again on every call."""
    before = data.content_key(fixture_dir)
    path = fixture_dir / "transfers.csv"
    st = path.stat()
    path.write_text(path.read_text().replace("SRB,CHN,FK-3", "SRB,CHI,FK-3"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same tick: size and time unchanged
    assert path.stat().st_size == st.st_size
    assert data.content_key(fixture_dir) != before


def test_content_key_reads_a_settled_file_once_and_again_when_it_changes(fixture_dir, monkeypatch):
    old = time.time() - 60
    for p in fixture_dir.rglob("*.csv"):
        os.utime(p, (old, old))
    first = data.content_key(fixture_dir)
    reads = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or real(self))
    assert data.content_key(fixture_dir) == first
    assert "transfers.csv" not in reads  # settled and unchanged: its digest is reused
    path = fixture_dir / "transfers.csv"
    path.write_text(path.read_text().replace("SRB,CHN,FK-3", "SRB,CHI,FK-3"), encoding="utf-8")
    os.utime(path, (old + 1, old + 1))  # same size, a different modification time
    changed = data.content_key(fixture_dir)
    assert changed != first
    (fixture_dir / "__pycache__").mkdir()
    (fixture_dir / "__pycache__" / "x.pyc").write_bytes(b"bytecode")
    assert data.content_key(fixture_dir) == changed  # Python's bytecode cache is not data


def test_build_stops_on_invalid_data_before_any_notebook_runs(tmp_path, fixture_dir, monkeypatch):
    path = fixture_dir / "transfers.csv"
    path.write_text(path.read_text().replace("SRB,CHN,FK-3", "SRB,CHI,FK-3"), encoding="utf-8")
    monkeypatch.setattr(build, "pre_execute", lambda source: pytest.fail("a notebook was executed"))
    proc = build.build(tmp_path, data_dir=fixture_dir, capture=True)
    assert proc.returncode == 1
    assert "transfers.csv, line 2, column 'supplier': value 'CHI'" in proc.stderr
    assert "the book was not built" in proc.stderr


def test_markdown_pages_with_code_are_the_books_executable_pages():
    pages = {p.relative_to(ROOT).as_posix() for p in build.markdown_notebooks(ROOT)}
    assert {"book/intro.md", "book/claims.md", "book/teaching/exercises.md"} <= pages
    assert "book/teaching/rubric.md" not in pages  # prose only: nothing to execute


@pytest.mark.slow
def test_importing_nbformat_compiles_no_iri_grammar():
    """Every kernel's glue and every build process import nbformat: with jsonschema's
    rfc3987-syntax installed that import compiled 38 grammars (3 s); it must not come back."""
    code = "import sys, nbformat; print(sorted({'lark', 'rfc3987_syntax'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
