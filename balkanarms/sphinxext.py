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
- Icons: pydata-sphinx-theme puts the whole Font Awesome SVG script on every page (1.5 MB,
  543 KB compressed) and its CSS falls back to the whole solid font (156 KB). The book serves
  instead a font of the few icons its theme and pages name (a subset of the theme's own solid
  font, made at build time, a few KB), declared after the theme's and drawn by the theme's own
  ``.fa-*`` classes, and an empty ``fontawesome.js`` in place of the script (see :func:`icons`).
"""

import re
from pathlib import Path

from . import DATA_DIR, ROOT, bundle

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


# ---------------------------------------------------------------- icons

#: Where icon names are written: the themes' templates, Python and scripts, and this package.
ICON_SOURCES = ("pydata_sphinx_theme", "sphinx_book_theme")
SUBSET_FONT = "fa-solid-subset.woff"
_FA_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]{4})"\}')
_CSS_VAR = re.compile(r'--pst-[a-z-]+:"([\ue000-\uf8ff])"')
_CSS_CONTENT = re.compile(r'content:"\\(f[0-9a-f]{3})"')


def _theme_static(package: str) -> Path:
    import importlib

    base = Path(importlib.import_module(package).__file__).parent / "theme" / package
    return base / "static"


def icon_names(paths) -> set[str]:
    """Every ``fa-NAME`` token written in ``paths`` (modifiers like ``fa-lg`` included; they
    simply name no glyph)."""
    names = set()
    for path in paths:
        names |= set(re.findall(r"\bfa-([a-z0-9-]+)", path.read_text(encoding="utf-8", errors="replace")))
    return names


def icon_codepoints(names: set[str], theme_css: str, other_css: str) -> set[int]:
    """The solid-font characters the book needs: those of the ``.fa-NAME`` classes in ``names``
    (as the theme's CSS maps them) and those the themes' stylesheets draw themselves (the
    ``--pst-icon-*`` variables: admonitions, download and external links; the book theme's
    "on this page" arrow)."""
    codes = set()
    for selectors, code in _FA_RULE.findall(theme_css):
        if names & set(re.findall(r"\.fa-([a-z0-9-]+):before", selectors)):
            codes.add(int(code, 16))
    codes |= {ord(c) for css in (theme_css, other_css) for c in _CSS_VAR.findall(css)}
    return codes | {int(c, 16) for c in _CSS_CONTENT.findall(other_css)}


def icons(outdir: Path, srcdir: Path = ROOT) -> None:
    """Write into ``outdir`` the book's icons: a subset of the theme's Font Awesome solid font,
    ``icons.css`` declaring it, and an empty ``scripts/fontawesome.js``.

    No theme option drops Font Awesome: pydata-sphinx-theme's layout loads
    ``_static/scripts/fontawesome.js`` on every page (webpack-macros.html), so the book ships a
    file of that name (a static file of the book overrides the theme's). The theme's CSS keeps
    the font-based ``.fa-*`` classes; the subset font, declared after the theme's font under the
    same name and only for the characters it holds, is the one the browser fetches."""
    import importlib

    from fontTools import subset

    pydata = _theme_static("pydata_sphinx_theme")
    theme_css = (pydata / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    other_css = (_theme_static("sphinx_book_theme") / "styles" / "sphinx-book-theme.css").read_text(encoding="utf-8")
    sources = [
        p
        for pkg in ICON_SOURCES
        for p in Path(importlib.import_module(pkg).__file__).parent.rglob("*")
        if p.suffix in (".html", ".py", ".js") and p.name != "fontawesome.js" and p.is_file()
    ]
    sources += sorted(Path(__file__).parent.glob("*.py")) + sorted((srcdir / "_static").glob("*.js"))
    codes = sorted(icon_codepoints(icon_names(sources), theme_css, other_css))
    options = subset.Options()
    options.flavor = "woff"  # zlib: woff2 would need brotli, which the pinned environment lacks
    options.layout_features, options.name_IDs, options.notdef_outline = [], ["*"], True
    options.recalc_timestamp = False  # the same bytes on every build
    font = subset.load_font(str(pydata / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.ttf"), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    outdir.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(outdir / SUBSET_FONT), options)
    ranges = ",".join(f"U+{c:X}" for c in sorted(font.getBestCmap()))  # brands' names find no glyph here
    (outdir / "icons.css").write_text(
        "/* The book's icons: the characters of Font Awesome's solid font (Font Awesome Free, SIL OFL 1.1)\n"
        "   that the theme and the pages use, made by balkanarms.sphinxext at build time. */\n"
        '@font-face{font-family:"Font Awesome 6 Free";font-style:normal;font-weight:900;font-display:block;'
        f'src:url({SUBSET_FONT}) format("woff");unicode-range:{ranges}}}\n',
        encoding="utf-8",
    )
    (outdir / "scripts").mkdir(exist_ok=True)
    (outdir / "scripts" / "fontawesome.js").write_text(
        "/* Icons are drawn by the theme's CSS with a subset of Font Awesome's font (icons.css). */\n", encoding="utf-8"
    )


def _add_icons(app):
    if app.builder.format != "html":
        return
    static = Path(app.doctreedir).parent / "balkanarms-static"
    icons(static, Path(app.srcdir))
    app.config.html_static_path.append(str(static))


def preload_icons(app, pagename, templatename, context, doctree):
    """Every page shows icons in its header: ask for their font at once (no icon-less flash)."""
    href = context["pathto"](f"_static/{SUBSET_FONT}", 1)
    tag = f'<link rel="preload" href="{href}" as="font" type="font/woff" crossorigin="anonymous" />\n'
    context["metatags"] = context.get("metatags", "") + tag


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
    app.connect("builder-inited", _add_icons)
    app.connect("html-page-context", preload_icons)
    app.add_css_file("icons.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
