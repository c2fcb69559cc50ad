"""District boundaries of Chongqing for the cockpit's map.

The boundaries come from the npm registry: the ``echarts`` package, version 4.9.0 (Apache-2.0),
ships ``map/json/province/chongqing.json`` — 38 county-level divisions in ECharts' compressed
GeoJSON. ``make`` installs the package and runs ``python -m qingshan.web.geo`` to decode it into
``web/static/chongqing-districts.json`` (plain lon/lat rings keyed by our GB/T 2260 codes); the
page falls back to the proportional-symbol map when that file is absent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from qingshan.reference.chongqing import DISTRICTS_2024

SOURCE = Path("node_modules/echarts/map/json/province/chongqing.json")
TARGET = Path(__file__).parent / "static" / "chongqing-districts.json"
# names in the 2015-era file that have since changed (counties that became districts)
RENAMED = {"梁平县": "梁平区", "武隆县": "武隆区"}

Ring = list[tuple[float, float]]


def decode_ring(encoded: str, offsets: list[int], scale: float = 1024) -> Ring:
    """ECharts' UTF-8 geometry: per point two characters, zigzag- and delta-encoded,
    quantized by ``scale`` (echarts 4 ``src/coord/geo/parseGeoJson.js``)."""
    x0, y0 = offsets
    out: Ring = []
    for i in range(0, len(encoded), 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        x0 += x
        y0 += y
        out.append((round(x0 / scale, 4), round(y0 / scale, 4)))
    return out


def decode(data: dict[str, object]) -> dict[str, list[Ring]]:
    """District code -> outer rings (lon, lat)."""
    codes = {d.name_zh: d.code for d in DISTRICTS_2024}
    out: dict[str, list[Ring]] = {}
    for feature in data["features"]:  # type: ignore[attr-defined]
        name = RENAMED.get(feature["properties"]["name"], feature["properties"]["name"])
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        offsets = geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            polygons, offsets = [polygons], [offsets]
        rings = [decode_ring(poly[0], offs[0]) for poly, offs in zip(polygons, offsets,
                                                                     strict=True)]
        out[codes[name]] = rings
    return out


def load() -> dict[str, list[Ring]] | None:
    if not TARGET.exists():
        return None
    raw: dict[str, list[list[list[float]]]] = json.loads(TARGET.read_text())
    return {code: [[(p[0], p[1]) for p in ring] for ring in rings]
            for code, rings in raw.items()}


def main() -> None:
    if not SOURCE.exists():
        sys.exit(f"{SOURCE} is missing: run `npm ci` first")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(decode(json.loads(SOURCE.read_text(encoding="utf-8"))),
                                 separators=(",", ":")))
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
