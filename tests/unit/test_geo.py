"""The district boundaries decoded from the echarts package fit the districts they name."""

from __future__ import annotations

import json
from pathlib import Path

from qingshan.reference.chongqing import DISTRICTS_2024
from qingshan.web import charts, geo

ROOT = Path(__file__).resolve().parents[2]


def inside(lon: float, lat: float, ring: list[tuple[float, float]]) -> bool:
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def test_every_district_seat_lies_inside_its_decoded_boundary() -> None:
    data = json.loads((ROOT / geo.SOURCE).read_text(encoding="utf-8"))
    rings = geo.decode(data)
    assert len(rings) == 38
    misses = [d.name_zh for d in DISTRICTS_2024
              if not any(inside(d.lon, d.lat, r) for r in rings[d.code])]
    # seats are two-decimal approximations: a seat on a district's edge may fall just outside
    assert len(misses) <= 3, misses


def test_the_map_draws_liangjiang_as_one_district_over_its_two_former_ones() -> None:
    west = [[(106.5, 29.6), (106.6, 29.6), (106.6, 29.8), (106.5, 29.8)]]
    east = [[(106.6, 29.6), (106.7, 29.6), (106.7, 29.8), (106.6, 29.8)]]
    svg = str(charts.district_map({"500105": west, "500112": east, "500101": west},
                                  {"500157": 100, "500101": 20},
                                  {"500157": "两江新区", "500101": "万州区"}, title="t"))
    assert svg.count("两江新区: 100") == 1 and "万州区: 20" in svg
    assert 'data-district="500105"' not in svg and 'data-district="500112"' not in svg
    path = next(p for p in svg.split("<path")[1:] if 'data-district="500157"' in p)
    assert path.count("M") == 2  # both former districts' rings in one shape
    fill = path.split('fill="')[1].split('"')[0]
    assert f'stroke="{fill}"' in path  # no seam between them
    # drawn first, so the neighbours' white borders lie on its outline
    assert svg.index('data-district="500157"') < svg.index('data-district="500101"')
