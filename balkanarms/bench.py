"""The benchmark behind ``make bench``: cold, no-change and incremental builds of a copy
of the book against the floor of executing its notebooks alone; page weights as a browser
downloads them (the median page, the heaviest, the introduction).

``python -m balkanarms.bench [_build/html]`` reports the page weights of a built site alone."""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

from .build import TIMEOUT, build, copy_book, notebook_env
from .data import validate_with_key


def execute_notebooks(book: Path) -> dict[str, float]:
    """The floor: execute every notebook once with nbclient, one after another."""
    import nbformat
    from nbclient import NotebookClient

    times = {}
    key, problems = validate_with_key(book / "data")  # validated once, as the build does
    if problems:
        raise RuntimeError(f"{len(problems)} problem(s) in {book / 'data'}: run `make validate`")
    with notebook_env(book / "data", validated=key):
        for path in sorted((book / "notebooks").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(
                nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
            ).execute()
            times[path.stem] = time.perf_counter() - start
            print(f"  executed {path.name} in {times[path.stem]:.1f} s", flush=True)
    return times


def timed_build(book: Path) -> float:
    start = time.perf_counter()
    proc = build(book, data_dir=book / "data", capture=True)
    if proc.returncode != 0:
        raise RuntimeError((proc.stdout + proc.stderr)[-3000:])
    return time.perf_counter() - start


#: Formats that are compressed already: a server sends them as they are.
COMPRESSED = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".zip", ".pdf"}
#: ``<link rel=...>`` that a browser fetches as the page loads.
FETCHED_LINKS = {"stylesheet", "preload", "modulepreload", "icon"}
#: The introduction, whose weight ``make bench`` reports on its own.
INTRO = "book/intro.html"


class _Refs(HTMLParser):
    """The local files a page names for the browser to fetch, and its inline scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls, self.inline, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in a
            if a.get("src"):
                self.urls.append(a["src"])
        elif tag == "link" and FETCHED_LINKS & set((a.get("rel") or "").lower().split()) and a.get("href"):
            self.urls.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.urls.append(a["src"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline.append(data)


def transfer_size(path: Path, _cache: dict = {}) -> int:  # noqa: B006 (a cache on purpose)
    """The bytes a server sends for ``path``: gzip (level 6, as web servers use) for text,
    the file as it is for formats that are compressed already."""
    key = (path, path.stat().st_mtime_ns)
    if key not in _cache:
        data = path.read_bytes()
        _cache[key] = len(data) if path.suffix.lower() in COMPRESSED else len(gzip.compress(data, 6, mtime=0))
    return _cache[key]


def page_files(page: Path, html: Path) -> set[Path]:
    """The local files a browser downloads to show ``page`` of the site in ``html``: the page,
    its scripts, stylesheets (and their ``@import``s), preloaded files (the icon font), icon
    and images, and the files of ``_static`` its inline scripts import (the interactive tables'
    bundle). A font or image named only inside a stylesheet is not counted: a browser fetches it
    only when the page uses it (tests/test_phone_pages.py checks in the browser that the pages
    fetch no other font). Of a ``<picture>``, the ``<img>`` (the default source) counts."""
    refs = _Refs()
    refs.feed(page.read_text(encoding="utf-8"))
    static = html / "_static"
    todo = [(page.parent, url) for url in refs.urls]
    for script in refs.inline:
        todo += [(static, name) for name in re.findall(r"""['"]([\w.-]+\.(?:js|css))['"]""", script)]
    files = {page}
    while todo:
        base, url = todo.pop()
        if re.match(r"^[a-z][a-z0-9+.-]*:|^//", url, re.I):  # another host, data: URIs
            continue
        path = (base / url.split("#")[0].split("?")[0]).resolve()
        if path in files or not path.is_file():
            continue
        files.add(path)
        if path.suffix == ".css":
            imports = re.findall(r"""@import\s+(?:url\()?['"]?([^'")\s;]+)""", path.read_text(encoding="utf-8"))
            todo += [(path.parent, url) for url in imports]
    return files


def pages(html: Path) -> list[Path]:
    """The pages of the site: every HTML file but Sphinx's own folders and redirects."""
    return sorted(
        p
        for p in html.rglob("*.html")
        if p.relative_to(html).parts[0] not in ("_static", "_sources", "_downloads", "_images")
        and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8")[:2000]
    )


def page_weights(html: Path) -> list[tuple[str, int]]:
    """Each page's weight as a browser downloads it (:func:`page_files`, each file as a server
    sends it: :func:`transfer_size`), in bytes, heaviest first."""
    out = [(str(p.relative_to(html)), sum(transfer_size(f) for f in page_files(p, html))) for p in pages(html)]
    return sorted(out, key=lambda kv: kv[1], reverse=True)


def weight_summary(html: Path) -> dict:
    """The median page, the heaviest and the introduction, in bytes (``page_weights``)."""
    weights = page_weights(html)
    return {
        "pages": len(weights),
        "median": statistics.median(w for _, w in weights),
        "heaviest": weights[0],
        "intro": dict(weights).get(INTRO, 0),
        "over_1mb": [p for p, w in weights if w > 1_000_000],
    }


def weight_report(w: dict) -> str:
    return "\n".join(
        [
            f"page weight, gzip, with every local file a browser fetches ({w['pages']} pages):",
            f"  median page {w['median'] / 1e3:.0f} KB (target <= 500 KB)",
            f"  heaviest page {w['heaviest'][0]} {w['heaviest'][1] / 1e3:.0f} KB (target <= 1 MB; "
            f"{len(w['over_1mb'])} page(s) over)",
            f"  introduction {w['intro'] / 1e3:.0f} KB (target <= 400 KB)",
        ]
    )


def bench(workdir: Path) -> dict:
    """Time cold, no-change and incremental builds of a copy of the book against the floor."""
    book = copy_book(workdir / "book")
    print("floor: executing the notebooks alone", flush=True)
    per_notebook = execute_notebooks(book)
    floor = sum(per_notebook.values())
    print("cold build", flush=True)
    cold = timed_build(book)
    print("rebuild, nothing changed", flush=True)
    warm = timed_build(book)
    print("rebuild after editing one chapter", flush=True)
    with open(book / "book" / "intro.md", "a", encoding="utf-8") as f:
        f.write("\nAn edited sentence for the benchmark.\n")
    chapter = timed_build(book)
    print("rebuild after editing one notebook", flush=True)
    nb_path = book / "notebooks" / "capabilities.ipynb"
    nb = json.loads(nb_path.read_text())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["source"].append("\n# an edited line for the benchmark: the notebook runs again")
    nb_path.write_text(json.dumps(nb))
    notebook = timed_build(book)
    html = book / "_build" / "html"
    site = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
    return {
        "floor": floor,
        "cold": cold,
        "warm": warm,
        "chapter": chapter,
        "notebook": notebook,
        "per_notebook": per_notebook,
        "site_bytes": site,
        "weights": weight_summary(html),
    }


def report(r: dict) -> str:
    rows = [
        ("execute notebooks alone (floor)", r["floor"], ""),
        ("cold build", r["cold"], f"{r['cold'] / r['floor']:.2f} x floor (target <= 1.10)"),
        ("rebuild, nothing changed", r["warm"], "target <= 3 s"),
        ("rebuild after editing a chapter", r["chapter"], ""),
        ("rebuild after editing a notebook", r["notebook"], ""),
    ]
    lines = [f"{'step':36} {'seconds':>8}  note", "-" * 80]
    lines += [f"{name:36} {secs:8.1f}  {note}" for name, secs, note in rows]
    slowest = max(r["per_notebook"].items(), key=lambda kv: kv[1])
    lines += [
        "-" * 80,
        f"slowest notebook: {slowest[0]} {slowest[1]:.1f} s (target <= 5 s)",
        f"site size: {r['site_bytes'] / 1e6:.1f} MB",
        weight_report(r["weights"]),
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # the page weights of a built site alone: python -m balkanarms.bench [_build/html]
    print(weight_report(weight_summary(Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html"))))
