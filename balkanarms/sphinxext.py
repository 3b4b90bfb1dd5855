"""A small Sphinx extension for the book's build.

- Every page offers the runnable bundle (:mod:`balkanarms.bundle`) next to its download
  button, and the build writes that bundle into the site.
- A notebook downloaded from a page carries its outputs: the page's ``.ipynb`` source is
  replaced by the copy the build executed.
- The theme's toggle that opens a chapter's sections in the navigation (``<summary>``) has
  no name for screen readers; it is named after its chapter ("Sections of ...").
- sphinx-thebe (loaded by every Jupyter Book 1.x build) registers its inline configuration
  script twice under Sphinx >= 7.2, so each page declared ``THEBE_JS_URL`` twice and the
  browser logged an error. After the build, the second copy of any identical inline
  ``<script>`` line is removed from each page; nothing else is touched.
"""

import re
from pathlib import Path

from . import DATA_DIR, bundle

_INLINE = re.compile(r"^\s*<script>[^<]*</script>\s*$")
_TOGGLE = re.compile(
    r'(<a class="(?:current )?reference internal" href="[^"]*">([^<]+)</a>'
    r'<details(?: open="open")?><summary)>'
)
BUNDLE_TOOLTIP = "Download the notebooks with their data and code, ready to run (.zip)"


def dedupe_inline_scripts(html: str) -> str:
    seen, out = set(), []
    for line in html.splitlines(keepends=True):
        if _INLINE.match(line):
            if line.strip() in seen:
                continue
            seen.add(line.strip())
        out.append(line)
    return "".join(out)


def name_section_toggles(html: str) -> str:
    """Give each navigation toggle the name of the chapter whose sections it shows."""
    return _TOGGLE.sub(lambda m: f'{m[1]} aria-label="Sections of {m[2]}">', html)


def bundle_link(pathto, text: str = "") -> dict:
    """A link to the bundle from the page being written, as the theme's buttons describe one."""
    return {
        "type": "link",
        "url": pathto(bundle.ARCHIVE, 1),
        "text": text,
        "tooltip": BUNDLE_TOOLTIP,
        "icon": "fas fa-file-zipper",
        "label": "download-bundle-button",
    }


def add_bundle_button(app, pagename, templatename, context, doctree):
    """Offer the bundle in the theme's download menu and as a button right next to it."""
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    for i, group in enumerate(buttons):
        if group.get("label") == "download-buttons":
            group["buttons"].append(bundle_link(context["pathto"], ".zip (runnable)"))
            buttons.insert(i + 1, bundle_link(context["pathto"]))
            return


def _build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir, srcdir = Path(app.outdir), Path(app.srcdir)
    notebooks = bundle.executed_notebooks(srcdir / "notebooks", srcdir / app.env.mystnb_config.execution_cache_path)
    for name, content in notebooks.items():  # the page's .ipynb download, with its outputs
        source = outdir / "_sources" / "notebooks" / name
        if source.is_file():
            source.write_bytes(content)
    bundle.write(outdir / bundle.ARCHIVE, notebooks, DATA_DIR)
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = name_section_toggles(dedupe_inline_scripts(text))
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    # after sphinx-book-theme has made its header buttons (priority 501)
    app.connect("html-page-context", add_bundle_button, priority=502)
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
