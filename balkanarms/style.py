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
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "figure.figsize": (8, 4.5),
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "axes.titlesize": 12,
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


def add_source(fig: plt.Figure, text: str = SOURCE_LEDGER) -> None:
    """Write the source line under the figure, leaving room for it below the axes."""
    if not fig.get_layout_engine():
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, 0.17))
    fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=7.5, color="#555555", wrap=True)


def image(fig: plt.Figure, dpi: float | None = None, colours: int = 128):
    """The figure as a compact PNG for the book: rendered at ``dpi`` (the figure's own by default),
    reduced to ``colours`` colours without dithering (flat map colours survive intact; the file
    shrinks by about two thirds), and closed so the notebook shows it once."""
    import io

    from IPython.display import Image
    from PIL import Image as PILImage

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, metadata={"Software": None})
    plt.close(fig)
    img = PILImage.open(io.BytesIO(buf.getvalue())).convert("RGB")
    small = img.quantize(colors=colours, method=PILImage.Quantize.MEDIANCUT, dither=PILImage.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return Image(data=out.getvalue(), format="png")
