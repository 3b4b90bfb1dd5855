"""Command line.

python -m balkanarms validate [DATA_DIR]   check every table, report every problem
python -m balkanarms build [OUTPUT_DIR]    validate, then build the book strictly and its bundle
python -m balkanarms bench                 time builds against executing the notebooks alone
"""

import sys
import tempfile
from pathlib import Path

from . import DATA_DIR
from .bench import bench, report
from .build import build
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
    return build(output=Path(args[0]) if args else None).returncode  # validates first


def cmd_bench(args: list[str]) -> int:
    if cmd_validate([]) != 0:
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        print(report(bench(Path(tmp))))
    return 0


COMMANDS = {"validate": cmd_validate, "build": cmd_build, "bench": cmd_bench}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
