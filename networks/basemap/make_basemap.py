"""Make ``sim/plot/data/countries_110m.geojson``: the land and borders the map draws, offline.

Source: Natural Earth, 1:110m Cultural Vectors, Admin 0 - Countries (public domain,
https://www.naturalearthdata.com/about/terms-of-use/), as bundled with geopandas 0.14.4
(``geopandas/datasets/naturalearth_lowres``; the last release that ships it). Run once, by hand:

    pip download --no-deps geopandas==0.14.4 && unzip geopandas-0.14.4-py3-none-any.whl
    pip install pyshp
    python networks/basemap/make_basemap.py geopandas/datasets/naturalearth_lowres

It keeps the countries that reach into the maps' box (25 W-140 E, 15 S-72 N), with each polygon's
points rounded to 0.01 degree, and writes GeoJSON with the country's name.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import shapefile  # pyshp: only this script needs it

BOX = (-25.0, -15.0, 140.0, 72.0)  # west, south, east, north: Asia, and Europe via Suez


def main(folder: str) -> None:
    """Convert the shapefile in ``folder`` (its ``naturalearth_lowres.*``) to the GeoJSON."""
    reader = shapefile.Reader(str(Path(folder) / "naturalearth_lowres"))
    features = []
    for record in reader.iterShapeRecords():
        west, south, east, north = record.shape.bbox
        if east < BOX[0] or west > BOX[2] or north < BOX[1] or south > BOX[3]:
            continue
        parts = [*record.shape.parts, len(record.shape.points)]
        rings = [
            [[round(x, 2), round(y, 2)] for x, y in record.shape.points[a:b]]
            for a, b in itertools.pairwise(parts)
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": record.record["name"]},
                "geometry": {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]},
            }
        )
    out = Path(__file__).parents[2] / "sim" / "plot" / "data" / "countries_110m.geojson"
    data = {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:110m Admin 0 - Countries (public domain), via geopandas 0.14.4",
        "features": features,
    }
    out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(features)} countries")


if __name__ == "__main__":
    main(sys.argv[1])
