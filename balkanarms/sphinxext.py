"""A small Sphinx extension for the book's build.

sphinx-thebe (loaded by every Jupyter Book 1.x build) registers its inline
configuration script twice under Sphinx >= 7.2 (its set-up runs on every
``env-before-read-docs``), so each page declared ``THEBE_JS_URL`` twice and the
browser logged an error. After the build, this removes the second copy of any
identical inline ``<script>`` line from each page; nothing else is touched.
"""
import re
from pathlib import Path

_INLINE = re.compile(r"^\s*<script>[^<]*</script>\s*$")


def dedupe_inline_scripts(html: str) -> str:
    seen, out = set(), []
    for line in html.splitlines(keepends=True):
        if _INLINE.match(line):
            if line.strip() in seen:
                continue
            seen.add(line.strip())
        out.append(line)
    return "".join(out)


def _build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = dedupe_inline_scripts(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
