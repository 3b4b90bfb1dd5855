"""Shared code for the book *Arms and influence in the Western Balkans*.

The notebooks import everything they share from here: loading and validating
the data (:mod:`balkanarms.data`, :mod:`balkanarms.validate`), aggregations
(:mod:`balkanarms.aggregate`), the plotting style (:mod:`balkanarms.style`),
charts (:mod:`balkanarms.charts`) and the map (:mod:`balkanarms.maps`).
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"

__all__ = ["ROOT", "DATA_DIR"]
