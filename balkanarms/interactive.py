"""Searchable, sortable tables that work offline.

Long tables (the ledger, the unconfirmed rows, the data dictionary) are drawn with
itables (DataTables). The book never loads a script from a CDN: this module is also
a Sphinx extension that ships itables' own bundle (from the pinned, installed
package) as the book's static files, and each table imports it from the book's
``_static`` folder. Outside the built book (in JupyterLab) the same cell falls back
to the bundle itables publishes.

On a phone a table shows what a reader needs first (:data:`FIRST`: what the row is, when,
how far it got, how sure the book is), its first column stays in view as the rest scrolls
sideways inside the table's own frame, and a long cell (sources, notes, passages) folds
behind its first words in a ``<details>`` that opens without JavaScript.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML

CDN = "https://www.unpkg.com/dt_for_itables/"
_IMPORT = re.compile(
    r"import \{ ITable, jQuery as \$ \} from 'https://www\.unpkg\.com/dt_for_itables[@0-9.]*/dt_bundle\.js';"
)
_CSS = re.compile(r'<link href="https://www\.unpkg\.com/dt_for_itables[@0-9.]*/dt_bundle\.css" rel="stylesheet">\n?')
_LOADING = re.compile(r"Loading ITables v[0-9.]+ from the internet\.\.\.\s*(\(need <a href=[^>]*>help</a>\?\))?")
_LOCAL = (
    """const root = document.documentElement.dataset.content_root;
    const base = root === undefined ? '"""
    + CDN
    + """' : root + '_static/';
    if (!document.querySelector('link[data-itables]')) {
        const css = document.createElement('link');
        css.rel = 'stylesheet'; css.href = base + 'dt_bundle.css'; css.dataset.itables = '';
        document.head.appendChild(css);
    }
    const { ITable, jQuery: $ } = await import(base + 'dt_bundle.js');"""
)


#: The columns a reader needs first, in this order: what the row is (its id, then its name),
#: when, how far it got, how sure the book is. The other columns follow in their own order.
FIRST = (
    "id",
    "row_id",
    "key",
    "column",
    "designation",
    "name",
    "outlet",
    "date",
    "order_year",
    "year",
    "status",
    "confidence",
)


def header(column: str) -> str:
    """A column of the data as a table's reader reads it: ``number_ordered`` -> 'Number ordered',
    ``id`` and ``row_id`` -> 'Row'."""
    from .tables import words
    from .wording import capitalised

    if column in ("id", "row_id"):
        return "Row"
    return capitalised(words(column))


def reader_order(columns) -> list:
    """``columns`` with those of :data:`FIRST` first, in its order."""
    first = [c for c in FIRST if c in columns]
    return first + [c for c in columns if c not in first]


def foldable(df: pd.DataFrame) -> dict:
    """The text columns with a cell long enough to fold, each with the length it folds beyond:
    :data:`~balkanarms.tables.FOLD_AT`, or for a column a reader needs first (:data:`FIRST`) the
    longer :data:`~balkanarms.tables.NAME_FOLD_AT`."""
    from .tables import FOLD_AT, NAME_FOLD_AT

    out = {}
    for col in df.columns:
        if pd.api.types.is_numeric_dtype(df[col].dtype):
            continue
        at = NAME_FOLD_AT if col in FIRST else FOLD_AT
        if df[col].dropna().astype(str).str.len().max() > at:
            out[col] = at
    return out


def table(
    df: pd.DataFrame, name: str, *, caption: str | None = None, page_length: int = 10, full_fallback: bool = True
) -> HTML:
    """An interactive table of ``df`` (no index) with a fixed id derived from ``name``, its
    columns in :func:`reader_order`, the long cells of :func:`foldable` columns folded.

    Until the interactive table has loaded (and wherever it cannot load: a page opened from
    disk, no JavaScript) the reader sees the whole table as a plain, escaped HTML table; with
    ``full_fallback=False`` (a table whose rows the page lists anyway) only itables' preview."""
    from itables import to_html_datatable

    from .tables import folded, show

    df = df.reset_index(drop=True)
    df = df[reader_order(list(df.columns))]
    fold = foldable(df)
    # every text cell is escaped here (cells come from the data), so the table may carry the folds' HTML
    cells = df.copy()
    for col in cells.columns:
        if not pd.api.types.is_numeric_dtype(cells[col].dtype):
            escaped = cells[col].map(lambda v: v if pd.isna(v) else html_lib.escape(str(v)))
            at = fold.get(col)
            cells[col] = escaped if at is None else escaped.map(lambda v, at=at: folded(v, at), na_action="ignore")
    table_id = "itable-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table")
    cells.columns = [header(c) for c in cells.columns]
    html = to_html_datatable(
        cells,
        caption=caption,
        table_id=table_id,
        connected=True,
        display_logo_when_loading=False,
        showIndex=False,
        pageLength=page_length,
        lengthMenu=sorted({page_length, 10, 25, 50, 100}),  # the menu shows the table's own length
        classes="display compact ba-itable",
        scrollX=True,
        fixedColumns={"start": 1},  # the first column stays in view as the table scrolls sideways
        allow_html=True,
        maxBytes=0,  # every row, always: itables would otherwise drop rows from a long table to save bytes
    )
    # itables has no option for what follows, so its HTML is adjusted here, each change checked to
    # hit exactly once: its dt_url is one address for every page, while the book's bundle sits at a
    # path relative to each page (served from any sub-path, or opened from disk); and its own fallback
    # hides the plain table as soon as scripts run, before the interactive table exists.
    html, n_css = _CSS.subn("", html)
    html, n_js = _IMPORT.subn(lambda m: _LOCAL, html)
    # the plain table stays until the interactive one exists; then the interactive one replaces it.
    # A table that scrolls sideways must be reachable from the keyboard (axe: scrollable-region-focusable).
    # (shown before it is built, so that DataTables measures its columns and header on screen)
    html, n_new = re.subn(
        r"new ITable\(table, dt_args\);",
        "table.removeAttribute('hidden');\n        "
        f"document.getElementById('{table_id}_fallback')?.setAttribute('hidden', 'hidden');\n        "
        "new ITable(table, dt_args);\n        "
        "table.closest('.dt-scroll-body')?.setAttribute('tabindex', '0');",
        html,
    )
    html, n_swap = re.subn(r"<script>document\.getElementById\([^<]*_fallback[^<]*</script>", "", html)
    html = re.sub(r"<sup><noscript>.*?</sup>", "", html, flags=re.S)  # itables' links to its own site
    n_plain = 1
    if full_fallback:
        readable = df.rename(columns=header)
        plain = show(readable, name + "-plain", fold={header(c): at for c, at in fold.items()}).to_html()
        html, n_plain = re.subn(
            rf'<div id="{table_id}_fallback">.*?</table></div>',
            lambda m: f'<div id="{table_id}_fallback">{plain}</div>',
            html,
            flags=re.S,
        )
    if (n_css, n_js, n_new, n_swap, n_plain) != (1, 1, 1, 1, 1):
        raise RuntimeError("itables' HTML template changed: update balkanarms.interactive")
    return HTML(_LOADING.sub("Loading the interactive table...", html))


def bundle_dir() -> Path:
    import itables

    return Path(itables.__file__).parent / "html"


def setup(app):
    """Sphinx: copy itables' bundle (dt_bundle.js, dt_bundle.css) into ``_static``."""

    def add_static(app):
        app.config.html_static_path.append(str(bundle_dir()))

    app.connect("builder-inited", add_static)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
