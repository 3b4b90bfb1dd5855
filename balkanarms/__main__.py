"""Command line.

    python -m balkanarms validate [DATA_DIR]   check every table, report every problem
    python -m balkanarms build [OUTPUT_DIR]    validate, then build the book strictly
"""
import subprocess
import sys
from pathlib import Path

from . import DATA_DIR, ROOT
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


def build_command(output: Path | None = None) -> list[str]:
    """The strict Jupyter Book build: warnings are errors, references are checked."""
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
           "-W", "-n", "--keep-going"]
    if output is not None:
        cmd += ["--path-output", str(output)]
    return cmd


def cmd_build(args: list[str]) -> int:
    if cmd_validate([]) != 0:
        return 1
    output = Path(args[0]) if args else None
    return subprocess.call(build_command(output), cwd=ROOT)


COMMANDS = {"validate": cmd_validate, "build": cmd_build}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
