"""Geometry for the server-drawn SVG map and bar charts (the templates write the SVG).

The map projects commune outlines equirectangularly, longitudes scaled by cos(latitude) at
the map's centre: at the scale of a Pays the distortion is invisible, and no tiles or
JavaScript are needed. Labels never go through here unescaped: templates render them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import communes

MAP_WIDTH = 640.0
MARGIN = 0.04
PALETTE = ("#b45309", "#0f766e", "#7c3aed", "#be123c", "#1d4ed8", "#4d7c0f", "#a21caf",
           "#0369a1")


@dataclass
class Shape:
    code: str
    name: str
    path: str
    colour: str = ""
    group: str = ""


@dataclass
class Dot:
    code: str
    name: str
    x: float
    y: float
    r: float
    count: int


@dataclass
class Map:
    width: float
    height: float
    background: list[Shape] = field(default_factory=list)
    areas: list[Shape] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)


def territory_map(territories: list[tuple[str, list[str]]],
                  member_communes: dict[str, int]) -> Map | None:
    """The map of territories' communes (coloured) and members' communes (dots), or None."""
    coloured: dict[str, tuple[str, str]] = {}
    legend: list[tuple[str, str]] = []
    for index, (label, codes) in enumerate(territories):
        colour = PALETTE[index % len(PALETTE)]
        legend.append((label, colour))
        for code in codes:
            coloured.setdefault(code, (colour, label))
    drawn = [c for c in (communes.find(code) for code in {*coloured, *member_communes}) if c]
    if not drawn:
        return None
    points = [p for c in drawn for poly in c.outline for ring in poly for p in ring] or [
        (c.lon, c.lat) for c in drawn]
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    pad_lon, pad_lat = max((lon1 - lon0) * MARGIN, 0.02), max((lat1 - lat0) * MARGIN, 0.02)
    lon0, lon1, lat0, lat1 = lon0 - pad_lon, lon1 + pad_lon, lat0 - pad_lat, lat1 + pad_lat
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    scale = MAP_WIDTH / ((lon1 - lon0) * kx)
    height = (lat1 - lat0) * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) * kx * scale, (lat1 - lat) * scale

    result = Map(MAP_WIDTH, round(height, 1), legend=legend)
    for commune in communes.all_communes():
        if not (lon0 <= commune.lon <= lon1 and lat0 <= commune.lat <= lat1):
            continue
        shape = Shape(commune.code, commune.name, _path(commune.outline, project))
        if commune.code in coloured:
            shape.colour, shape.group = coloured[commune.code]
            result.areas.append(shape)
        else:
            result.background.append(shape)
    biggest = max(member_communes.values(), default=1)
    for code, count in sorted(member_communes.items()):
        place = communes.find(code)
        if place is None:
            continue
        x, y = project(place.lon, place.lat)
        radius = 3 + 7 * math.sqrt(count / biggest)
        result.dots.append(Dot(code, place.name, round(x, 1), round(y, 1), round(radius, 1),
                               count))
    return result


def _path(outline: Iterable[Iterable[Iterable[tuple[float, float]]]],
          project: Callable[[float, float], tuple[float, float]]) -> str:
    parts = []
    for polygon in outline:
        for ring in polygon:
            coords = [project(lon, lat) for lon, lat in ring]
            if len(coords) < 3:
                continue
            head, *tail = coords
            parts.append(f"M{head[0]:.1f} {head[1]:.1f}"
                         + "".join(f"L{x:.1f} {y:.1f}" for x, y in tail) + "Z")
    return "".join(parts)


@dataclass
class Bar:
    label: str
    short_label: str
    value: int
    y: float
    width: float


@dataclass
class Chart:
    bars: list[Bar]
    width: float
    height: float
    label_width: float
    bar_height: float


# Narrow enough to stay legible on a phone; the stylesheet caps the width on a desktop.
CHART_WIDTH = 420.0
LABEL_WIDTH = 150.0
ROW = 26.0
LABEL_CHARS = 20


def bar_chart(rows: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, one per row, scaled to the largest value."""
    biggest = max((value for _, value in rows), default=1) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 40
    bars = []
    for index, (label, value) in enumerate(rows):
        text = str(label)
        short = text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"
        bars.append(Bar(text, short, value, index * ROW, round(room * value / biggest, 1)))
    return Chart(bars, CHART_WIDTH, max(ROW * len(rows), ROW), LABEL_WIDTH, ROW - 6)
