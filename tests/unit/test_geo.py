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


def test_the_map_colours_liangjiang_over_its_two_former_districts() -> None:
    square = [[(106.5, 29.6), (106.7, 29.6), (106.7, 29.8), (106.5, 29.8)]]
    svg = charts.district_map({"500105": square, "500112": square, "500101": square},
                              {"500157": 100, "500101": 20},
                              {"500157": "两江新区", "500101": "万州区"}, title="t")
    assert svg.count("两江新区: 100") == 2 and "万州区: 20" in svg
