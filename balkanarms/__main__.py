"""Command line.

python -m balkanarms validate [DATA_DIR]   check every table, report every problem
python -m balkanarms build [OUTPUT_DIR]    validate, then build the book strictly and its bundle
python -m balkanarms bench                 time builds against executing the notebooks alone
python -m balkanarms lab [JUPYTER_ARGS]    open the notebooks in JupyterLab (no make needed; Windows too)
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import DATA_DIR, ROOT
from .bench import bench, report
from .build import build, build_and_record
from .validate import validate


def cmd_validate(args: list[str]) -> int:
    data_dir = Path(args[0]) if args else DATA_DIR
    problems = validate(data_dir)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"validation failed: {len(problems)} problem(s) in {data_dir}", file=sys.stderr)
        return 1
    print(f"validation passed: {data_dir}")
    return 0


def cmd_build(args: list[str]) -> int:
    if args:
        return build(output=Path(args[0])).returncode  # validates first
    return build_and_record()  # the same build, its log and record kept in _build for the tests


def cmd_bench(args: list[str]) -> int:
    if cmd_validate([]) != 0:
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        print(report(bench(Path(tmp))))
    return 0


def lab_command(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """The JupyterLab command for the notebooks, and its environment: this folder goes first on
    PYTHONPATH, so the notebooks' kernels import this checkout's package without installing it."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    cmd = [sys.executable, "-m", "jupyterlab", str(ROOT / "notebooks"), *args]
    if getattr(os, "getuid", lambda: 1)() == 0 and "--allow-root" not in args:
        cmd.append("--allow-root")  # Jupyter refuses to run as root unless told (containers)
    return cmd, env


def cmd_lab(args: list[str]) -> int:
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        print(
            "JupyterLab is not installed in this Python. Install the student environment first:\n"
            "  python -m pip install -r requirements-student.txt",
            file=sys.stderr,
        )
        return 1
    cmd, env = lab_command(args)
    print(f"Opening the notebooks in JupyterLab: {ROOT / 'notebooks'} (Ctrl-C to stop)", flush=True)
    if os.name == "posix":  # become JupyterLab, so that stopping this process stops the server
        os.execve(cmd[0], cmd, env)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


COMMANDS = {"validate": cmd_validate, "build": cmd_build, "bench": cmd_bench, "lab": cmd_lab}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
