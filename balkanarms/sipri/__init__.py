"""SIPRI's trend-indicator value (TIV): the book's volume measure.

Reads the Western Balkan extracts of SIPRI's Arms Transfers Database in ``data/sipri/``
(copied unchanged; see its README for provenance and SIPRI's terms) and computes TIV delivered
by recipient, supplier and year, shares by window and blocs by volume. One module per job:

* :mod:`~balkanarms.sipri.read`: editions, deal keys, the two formats SIPRI exports, checks;
* :mod:`~balkanarms.sipri.tiv`: TIV by year (exact or split evenly), shares, blocs;
* :mod:`~balkanarms.sipri.revision`: what changed between two editions;
* :mod:`~balkanarms.sipri.published`: published figures recomputed from the extracts.

Every name is available from ``balkanarms.sipri`` itself. Calculations are the book's, not SIPRI's.
"""

from .published import RECOMPUTABLE, published_figures, recompute, rounding, window_tiv
from .read import (
    CREDIT,
    DEAL_HEADER,
    EDITIONS,
    HEADLINE_EDITION,
    HEADLINE_WINDOW,
    NAMES,
    PER_YEAR,
    PER_YEAR_HEADER,
    PREAMBLE,
    STATUSES,
    SUBDIR,
    UNKNOWN,
    UNKNOWN_LABEL,
    check_edition,
    check_extracts,
    coverage,
    credit,
    deal_key,
    deal_keys,
    edition_label,
    files,
    parse_per_year,
    parse_register,
    per_year,
    register,
)
from .revision import describe_revision, revised_deals, revision
from .tiv import (
    delivery_span,
    largest_supplier,
    peak_share,
    readable_shares,
    recipients_overview,
    second_hand_ratios,
    share_table,
    split_part,
    tiv_by_year,
    tiv_shares,
)

__all__ = [
    "CREDIT",
    "DEAL_HEADER",
    "EDITIONS",
    "HEADLINE_EDITION",
    "HEADLINE_WINDOW",
    "NAMES",
    "PER_YEAR",
    "PER_YEAR_HEADER",
    "PREAMBLE",
    "RECOMPUTABLE",
    "STATUSES",
    "SUBDIR",
    "UNKNOWN",
    "UNKNOWN_LABEL",
    "check_edition",
    "check_extracts",
    "coverage",
    "credit",
    "deal_key",
    "deal_keys",
    "delivery_span",
    "describe_revision",
    "edition_label",
    "files",
    "largest_supplier",
    "parse_per_year",
    "parse_register",
    "peak_share",
    "per_year",
    "published_figures",
    "readable_shares",
    "recipients_overview",
    "recompute",
    "register",
    "revised_deals",
    "revision",
    "rounding",
    "second_hand_ratios",
    "share_table",
    "split_part",
    "tiv_by_year",
    "tiv_shares",
    "window_tiv",
]
