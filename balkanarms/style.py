"""One plotting style for the whole book.

Every chart takes its colours from here, so a supplier has the same colour on
every page. The palettes are colour-blind safe (Paul Tol's and Okabe & Ito's
qualitative schemes), and order never depends on the data: suppliers and blocs
always appear in the order below.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from .aggregate import BLOC_LABELS, BLOCS

#: Fixed colour for each supplier that the charts show by name.
SUPPLIER_COLOURS = {
    "CHN": "#D55E00",  # vermillion
    "RUS": "#882255",  # wine
    "BLR": "#CC6677",  # rose
    "FRA": "#0072B2",  # blue
    "USA": "#332288",  # indigo
    "DEU": "#117733",  # green
    "ESP": "#DDCC77",  # sand
    "ITA": "#88CCEE",  # cyan
    "GBR": "#AA4499",  # purple
    "FIN": "#6699CC",  # steel blue
    "TUR": "#999933",  # olive
    "ISR": "#44AA99",  # teal
}
OTHER_COLOUR = "#BBBBBB"
#: Suppliers in the order legends list them (others follow, then "Other").
SUPPLIER_ORDER = list(SUPPLIER_COLOURS)

BLOC_COLOURS = {
    "nato_eu": "#0072B2",
    "russia_belarus": "#882255",
    "china": "#D55E00",
    "turkey": "#999933",
    "israel": "#44AA99",
    "other": OTHER_COLOUR,
}
assert list(BLOC_COLOURS) == BLOCS

#: How an unconfirmed deal is drawn (lighter and hatched).
UNCONFIRMED = {"alpha": 0.45, "hatch": "///"}

#: Every chart is drawn this wide (inches) at :data:`FIG_DPI`: 640 px, shown at its natural size in the
#: book's text column at 1280 px (688 px) and scaled down to :data:`PHONE_CONTENT_PX` on a phone.
FIG_WIDTH = 6.4
#: Resolution of the charts as the notebooks show them (matplotlib's inline backend saves at the figure's dpi,
#: cropped to what is drawn: ``bbox_inches="tight"``, :data:`SAVE`).
FIG_DPI = 100
SAVE = {"bbox_inches": "tight", "pad_inches": 0.05}
#: Width in CSS px at which a figure is shown on a phone 390 px wide, measured in Debian's chromium:
#: the article has 16 px of padding each side (390 - 32 = 358) and ``_static/figures.css`` removes the
#: figure's own 8 px padding on narrow screens (without it, figures were 342 px wide).
PHONE_WIDTH_PX = 390
PHONE_CONTENT_PX = 358
#: The narrowest a figure shown only on wide screens (CSS class ``only-wide``, from 720 px) is displayed:
#: 640 px, at a 960 px window, when the navigation column appears (measured as above).
WIDE_MIN_CONTENT_PX = 640
#: The smallest text a reader may see, in CSS px (font size), at either width.
MIN_TEXT_PX = 9.0


def min_font_pt(width_in: float = FIG_WIDTH, shown_px: float = PHONE_CONTENT_PX) -> float:
    """The smallest font (points) that is :data:`MIN_TEXT_PX` tall when a figure ``width_in`` wide is
    scaled to ``shown_px``: text px = pt / 72 * dpi * shown / (width_in * dpi); the dpi cancels."""
    return MIN_TEXT_PX * 72 * width_in / shown_px


#: Font sizes (points) of the charts drawn :data:`FIG_WIDTH` wide: the smallest (source line, value
#: labels, notes) is just above :func:`min_font_pt` (11.6 pt), so 9.3 px on a phone and 12 px at 1280 px.
SMALL_PT = 12.0
TEXT_PT = 12.0
TITLE_PT = 13.5
assert SMALL_PT >= min_font_pt()

#: Credit line for charts built from the ledger.
SOURCE_LEDGER = "Source: the book's deal list, compiled from the cited press and official sources."


def supplier_colour(code: str) -> str:
    return SUPPLIER_COLOURS.get(code, OTHER_COLOUR)


def bloc_colour(bloc: str) -> str:
    return BLOC_COLOURS[bloc]


def bloc_label(bloc: str) -> str:
    return BLOC_LABELS[bloc]


def sort_suppliers(codes) -> list[str]:
    """Named suppliers in the fixed order, then the rest alphabetically."""
    codes = list(dict.fromkeys(codes))
    named = [c for c in SUPPLIER_ORDER if c in codes]
    return named + sorted(c for c in codes if c not in SUPPLIER_ORDER)


def apply() -> None:
    """Set matplotlib defaults for every figure of the book (deterministic output), and make
    pandas escape HTML in every styled table, since table cells come from the data."""
    pd.set_option("styler.format.escape", "html")
    mpl.rcParams.update(
        {
            "figure.dpi": FIG_DPI,
            "savefig.dpi": FIG_DPI,
            "savefig.pad_inches": SAVE["pad_inches"],
            "figure.figsize": (FIG_WIDTH, 4.2),
            "font.family": "DejaVu Sans",
            "font.size": TEXT_PT,
            "axes.titlesize": TITLE_PT,
            "axes.labelsize": TEXT_PT,
            "xtick.labelsize": TEXT_PT,
            "ytick.labelsize": TEXT_PT,
            "legend.fontsize": TEXT_PT,
            "legend.title_fontsize": TEXT_PT,
            "figure.titlesize": TITLE_PT,
            "figure.titleweight": "bold",
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": "#dddddd",
            "grid.linewidth": 0.6,
            "legend.frameon": False,
            "svg.hashsalt": "balkanarms",
            "path.simplify": True,
        }
    )


def title(ax: plt.Axes, text: str, **kw) -> None:
    """The chart's title (its finding), wrapped at the figure's right edge so that it never widens the image."""
    if text:
        ax.set_title(text, wrap=True, **kw)


def suptitle(fig: plt.Figure, text: str, **kw) -> None:
    """A title over several panels, from the figure's left edge, wrapped at its right edge."""
    if text:
        fig.suptitle(text, x=0.01, ha="left", wrap=True, **{"fontsize": TITLE_PT, **kw})


def add_below(fig: plt.Figure, text: str, gap: float = 0.06, **kw) -> None:
    """Write ``text`` under everything drawn so far, from the figure's left edge, wrapped to its width.
    The book saves figures cropped to what is drawn (:data:`SAVE`), so the image grows to hold it."""
    bottom = fig.get_tightbbox(fig.canvas.get_renderer()).y0 / fig.get_figheight()
    fig.text(
        0.01, bottom - gap / fig.get_figheight(), text, ha="left", va="top", wrap=True, **{"fontsize": SMALL_PT, **kw}
    )


def legend_below(fig: plt.Figure, ax: plt.Axes, ncols: int = 1, *, left: bool = False, **kw):
    """Fit the chart to the figure's width, then put the axes' legend under it (centred, or at the
    left edge with ``left``); the source line goes below it. Returns the legend."""
    fig.tight_layout()  # the labels inside the figure: the image keeps its width
    return fig.legend(
        *ax.get_legend_handles_labels(),
        loc="upper left" if left else "upper center",
        bbox_to_anchor=(0.0 if left else 0.5, 0.0),
        ncols=ncols,
        fontsize=SMALL_PT,
        handlelength=1.2,
        columnspacing=1.0,
        handletextpad=0.5,
        **kw,
    )


def add_source(fig: plt.Figure, text: str = SOURCE_LEDGER) -> None:
    """Write the source line under everything drawn (see :func:`add_below`)."""
    add_below(fig, text, gap=0.1, color="#555555")


def shown_width(fig: plt.Figure, dpi: float | None = None) -> int:
    """Width in pixels of the image the book makes of ``fig`` (saved as :data:`SAVE` says)."""
    import io

    from PIL import Image as PILImage

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, **SAVE)
    return PILImage.open(io.BytesIO(buf.getvalue())).size[0]


def text_px(fig: plt.Figure, shown_px: float = PHONE_CONTENT_PX, dpi: float | None = None) -> list[tuple[float, str]]:
    """Every visible text of ``fig`` with the height (font size, CSS px) a reader sees when the book's image
    of it (``dpi``, the figure's own by default) is shown ``shown_px`` wide (never wider than the image:
    the book does not enlarge images), smallest first: font pt / 72 * dpi * min(1, shown / image width)."""
    from matplotlib.text import Text

    dpi = dpi or fig.dpi
    scale = min(1.0, shown_px / shown_width(fig, dpi))
    out = [
        (t.get_fontsize() / 72 * dpi * scale, t.get_text())
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.figure is not None
    ]
    return sorted(out, key=lambda x: x[0])


def image(fig: plt.Figure, dpi: float | None = None, colours: int = 128):
    """The figure as a compact PNG for the book: rendered at ``dpi`` (the figure's own by default),
    reduced to ``colours`` colours without dithering (flat map colours survive intact; the file
    shrinks by about two thirds), and closed so the notebook shows it once."""
    import io

    from IPython.display import Image
    from PIL import Image as PILImage

    buf = io.BytesIO()
    # an uncompressed PNG: it is only read back here, and compressing it twice costs time for nothing
    fig.savefig(
        buf, format="png", dpi=dpi or fig.dpi, metadata={"Software": None}, pil_kwargs={"compress_level": 0}, **SAVE
    )
    plt.close(fig)
    img = PILImage.open(io.BytesIO(buf.getvalue())).convert("RGB")
    small = img.quantize(colors=colours, method=PILImage.Quantize.MEDIANCUT, dither=PILImage.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return Image(data=out.getvalue(), format="png")
