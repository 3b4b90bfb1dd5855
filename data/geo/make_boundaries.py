"""Freeze the regional boundary file used by the map.

Provenance
----------
Source: Natural Earth 1:10m Admin 0 countries (public domain), as packaged in
the npm package ``world-atlas@2.0.2`` (file ``countries-10m.json``, TopoJSON,
ISC licence for the packaging). Natural Earth names North Macedonia
"Macedonia" and gives Kosovo no numeric code, so codes are mapped explicitly
by name below.

Re-run (needs network access to the npm registry, not needed to build):

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python data/geo/make_boundaries.py package/countries-10m.json

The output ``data/geo/western_balkans.geojson`` holds the seven countries the
book studies and their neighbours, clipped to the region, with ISO 3166-1
alpha-3 codes (Kosovo: XKX) and a ``focus`` flag.
"""
import sys
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

NAME_TO_ISO3 = {
    "Serbia": "SRB", "Bosnia and Herz.": "BIH", "Montenegro": "MNE", "Macedonia": "MKD",
    "Albania": "ALB", "Kosovo": "XKX", "Croatia": "HRV",
    "Slovenia": "SVN", "Hungary": "HUN", "Romania": "ROU", "Bulgaria": "BGR",
    "Greece": "GRC", "Italy": "ITA", "Austria": "AUT", "Slovakia": "SVK", "Turkey": "TUR",
    "Ukraine": "UKR", "Moldova": "MDA", "San Marino": "SMR", "Switzerland": "CHE",
}
FOCUS = {"SRB", "BIH", "MNE", "MKD", "ALB", "XKX", "HRV"}
BBOX = (11.0, 37.5, 26.5, 48.5)  # lon/lat window around the region


def main(src: str, out: Path = Path(__file__).with_name("western_balkans.geojson")) -> None:
    world = gpd.read_file(src, layer="countries").set_crs(4326, allow_override=True)
    region = world[world["name"].isin(NAME_TO_ISO3)].copy()
    region["iso3"] = region["name"].map(NAME_TO_ISO3)
    region["focus"] = region["iso3"].isin(FOCUS)
    region["geometry"] = region.geometry.make_valid().intersection(box(*BBOX))
    region = region[~region.geometry.is_empty]
    region = region[["iso3", "name", "focus", "geometry"]].sort_values("iso3")
    missing = FOCUS - set(region["iso3"])
    if missing:
        raise SystemExit(f"focus countries missing from {src}: {sorted(missing)}")
    region["geometry"] = region.geometry.set_precision(1e-4)
    region.to_file(out, driver="GeoJSON", COORDINATE_PRECISION=4)
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(region)} countries)")


if __name__ == "__main__":
    main(sys.argv[1])
