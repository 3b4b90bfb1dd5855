"""Command line.

    python -m balkanarms validate [DATA_DIR]   check every table, report every problem
    python -m balkanarms build [OUTPUT_DIR]    validate, then build the book strictly
"""
import hashlib
import shutil
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


def build_command(output: Path | None = None, everything: bool = False) -> list[str]:
    """The strict Jupyter Book build: warnings are errors, references are checked.
    ``everything`` makes Sphinx re-read every page, not only changed sources."""
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
           "-W", "-n", "--keep-going"] + (["--all"] if everything else [])
    if output is not None:
        cmd += ["--path-output", str(output)]
    return cmd


CACHE = ROOT / ".jupyter_cache"
STAMP = CACHE / "inputs.sha256"


def inputs_digest() -> str:
    """Hash of everything a notebook reads besides itself: the package and the data.

    Jupyter Book's execution cache is keyed on the notebook's own code only, so a
    changed dataset or chart function would otherwise leave stale outputs in the book."""
    h = hashlib.sha256()
    files = sorted((ROOT / "balkanarms").glob("*.py")) + sorted(p for p in DATA_DIR.rglob("*") if p.is_file())
    for path in files:
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def refresh_cache() -> bool:
    """Drop the execution cache when the package or the data changed since it was filled.
    Returns True when every page must be rebuilt."""
    digest = inputs_digest()
    changed = not STAMP.exists() or STAMP.read_text() != digest
    if changed and CACHE.exists():
        print("package or data changed: clearing the notebook execution cache")
        shutil.rmtree(CACHE)
    CACHE.mkdir(exist_ok=True)
    STAMP.write_text(digest)
    return changed


def cmd_build(args: list[str]) -> int:
    if cmd_validate([]) != 0:
        return 1
    everything = refresh_cache()
    output = Path(args[0]) if args else None
    return subprocess.call(build_command(output, everything), cwd=ROOT)


COMMANDS = {"validate": cmd_validate, "build": cmd_build}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
