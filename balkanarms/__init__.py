"""Shared code for the book *Arms and influence in the Western Balkans*.

The notebooks import everything they share from here: loading and validating
the data (:mod:`balkanarms.data`, :mod:`balkanarms.validate`), aggregations
(:mod:`balkanarms.aggregate`), the plotting style (:mod:`balkanarms.style`),
charts (:mod:`balkanarms.charts`) and the map (:mod:`balkanarms.maps`).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The data the notebooks read. ``BALKANARMS_DATA`` points it elsewhere, e.g. to a
#: corrected copy or, in the tests, to data with injected faults.
DATA_DIR = Path(os.environ.get("BALKANARMS_DATA", ROOT / "data")).resolve()

__all__ = ["ROOT", "DATA_DIR"]
