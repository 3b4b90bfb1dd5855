"""Tables for people: names instead of codes, formatted numbers, no index, no ``<NA>``.

Every table a chapter shows goes through :func:`show`, which returns a pandas
Styler with a fixed id (so two builds give the same HTML) and the CSS class
``ba-table`` (wrapping text; the book's stylesheet lets it scroll sideways on a
phone, with a visible cue, its first column staying in view). A long cell can fold
behind its first words (:func:`folded`): an HTML ``<details>``, which needs no script.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from .aggregate import BLOC_LABELS, CAPABILITY_LABELS

WORDS = {
    "in_delivery": "in delivery",
    "second_hand": "second-hand",
    "latest_possible": "latest possible",
    "co_production": "co-production",
    "unknown": "not stated",
    # the change log's own entries
    "_add": "row added",
    "_remove": "row removed",
    "_restore": "source restored",
    "sipri_link": "link to SIPRI's register",
    "sipri_reason": "why SIPRI lacks it",
    "sipri_disagreements": "disagreement with SIPRI",
}


def money(value, currency) -> str:
    """``2745000000.0, 'USD'`` -> ``'USD 2,745,000,000'``; missing -> ``''``."""
    if pd.isna(value):
        return ""
    return f"{currency} {value:,.0f}" if isinstance(currency, str) else f"{value:,.0f}"


def words(value) -> str:
    """A code of the data (``in_delivery``, ``nato_eu``, ``air_defence``) as a reader says it."""
    if pd.isna(value):
        return ""
    v = str(value)
    return BLOC_LABELS.get(v) or CAPABILITY_LABELS.get(v) or WORDS.get(v) or v.replace("_", " ")


#: A cell longer than this (characters) folds behind its first words; a name (the columns a
#: reader needs first) only beyond ``NAME_FOLD_AT``, when it is a description more than a name.
FOLD_AT = 30
NAME_FOLD_AT = 48
_PREVIEW = 20


def folded(escaped: str, at: int = FOLD_AT) -> str:
    """An HTML-escaped cell as a ``<details>`` that shows its first words until a reader opens
    it (a cell of ``at`` characters or fewer stays as it is). Works without JavaScript."""
    text = html.unescape(escaped)
    if len(text) <= at:
        return escaped
    head = text[:_PREVIEW]
    cut = html.escape((head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ;,."))
    return (
        f'<details class="ba-fold"><summary><span class="ba-preview">{cut}…</span></summary>'
        f'<span class="ba-full">{escaped}</span></details>'
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"


def show(
    df: pd.DataFrame,
    name: str,
    *,
    formats: dict | None = None,
    caption: str | None = None,
    links: dict | None = None,
    fold: list | tuple | dict = (),
):
    """A Styler that renders ``df`` for readers: no index, empty cells blank, integers plain,
    other numbers with thousands separators; ``name`` fixes the HTML id. Every cell is
    HTML-escaped (cells come from the data); ``links`` maps a column to a function
    value -> URL, and that column's cells become links to it; the long cells of the columns
    in ``fold`` (a list, or a dict of column -> length to fold beyond) fold behind their first
    words (:func:`folded`)."""
    df = df.reset_index(drop=True)
    fmt = {}
    for col in df.columns:
        kind = df[col].dtype
        if pd.api.types.is_integer_dtype(kind):
            fmt[col] = "{:d}"
        elif pd.api.types.is_float_dtype(kind):
            fmt[col] = "{:,.1f}"
    fmt.update(formats or {})
    for col, url in (links or {}).items():
        fmt[col] = lambda v, url=url: f'<a href="{url(v)}">{v}</a>'
    fold = fold if isinstance(fold, dict) else dict.fromkeys(fold, FOLD_AT)
    for col, at in fold.items():  # the Styler escapes a cell before it calls the column's function
        fmt[col] = lambda v, at=at: "" if pd.isna(v) else folded(str(v), at)
    st = df.style.hide(axis="index").format(fmt, na_rep="", escape="html").set_uuid(_slug(name))
    st = st.set_table_attributes('class="ba-table"')
    if caption:
        st = st.set_caption(caption)
    return st


def tiv_text(v: float) -> str:
    """A TIV total in millions as the book writes it: rounded, '<1' below 0.5 (SIPRI's own 0)."""
    return "<1" if 0 < v < 0.5 else f"{v:,.0f}"
