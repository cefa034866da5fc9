"""Geometry for the server-drawn SVG map and bar charts (the templates write the SVG).

The map projects outlines equirectangularly, longitudes scaled by cos(latitude) at the
map's centre: at the scale of a Pays the distortion is invisible, and no tiles or
JavaScript are needed. The outlines are the ones ``scripts/build-communes`` simplified for
a map (``communes.map_outline``, the Pays outline): the map weighs a few kilobytes.
Labels never go through here unescaped: templates render them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import communes

# A narrow view box keeps the labels legible once a phone scales the map down (about
# 0.9 px a unit at 390 px wide); the stylesheet caps the width on a desktop.
MAP_WIDTH = 400.0
MARGIN = 0.03
LABEL_SIZE = 13.0
LABEL_CHAR = 7.2  # average width of a character of the label font, in units
PALETTE = ("#b45309", "#0f766e", "#7c3aed", "#be123c", "#1d4ed8", "#4d7c0f", "#a21caf",
           "#0369a1")


@dataclass(frozen=True)
class Territory:
    """What the map needs of one admitted territory; its first commune is the node's."""

    name: str
    communes: tuple[str, ...]
    href: str
    members: int


@dataclass
class Shape:
    code: str
    name: str
    path: str
    colour: str = ""
    group: str = ""


@dataclass
class Marker:
    """A territory's marker on its node's commune, a link to the territory's card."""

    commune: str
    territory: str
    href: str
    colour: str
    x: float
    y: float
    label_x: float
    anchor: str


@dataclass
class LegendEntry:
    name: str
    colour: str
    href: str
    members: int


@dataclass
class Map:
    width: float
    height: float
    pays_name: str
    pays_path: str
    areas: list[Shape] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)


def territory_map(territories: list[Territory]) -> Map:
    """The Pays outline, the communes of each admitted territory (coloured, inside the Pays
    or not) and one marker per territory on its node's commune. Nothing else is drawn."""
    pays = communes.pays()
    coloured: dict[str, tuple[str, str]] = {}
    legend: list[LegendEntry] = []
    for index, territory in enumerate(territories):
        colour = PALETTE[index % len(PALETTE)]
        legend.append(LegendEntry(territory.name, colour, territory.href, territory.members))
        for code in territory.communes:
            coloured.setdefault(code, (colour, territory.name))
    outlines = {code: communes.map_outline(code) for code in coloured}
    points = [p for outline in (pays.outline, *outlines.values())
              for poly in outline for ring in poly for p in ring]
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    pad_lon, pad_lat = (lon1 - lon0) * MARGIN, (lat1 - lat0) * MARGIN
    lon0, lon1, lat0, lat1 = lon0 - pad_lon, lon1 + pad_lon, lat0 - pad_lat, lat1 + pad_lat
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    scale = MAP_WIDTH / ((lon1 - lon0) * kx)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) * kx * scale, (lat1 - lat) * scale

    result = Map(MAP_WIDTH, round((lat1 - lat0) * scale, 1), pays.name,
                 _path(pays.outline, project), legend=legend)
    for code, outline in outlines.items():
        commune = communes.find(code)
        if commune is not None and outline:
            colour, group = coloured[code]
            result.areas.append(Shape(code, commune.name, _path(outline, project), colour,
                                      group))
    for entry, territory in zip(legend, territories, strict=True):
        home = communes.find(territory.communes[0]) if territory.communes else None
        if home is not None:
            result.markers.append(_marker(home, entry, project))
    return result


def _marker(home: communes.Commune, entry: LegendEntry,
            project: Callable[[float, float], tuple[float, float]]) -> Marker:
    """The marker and its label, which goes left of the marker near the right edge."""
    x, y = project(home.lon, home.lat)
    room = LABEL_CHAR * len(home.name) + 12
    right = x + room <= MAP_WIDTH
    return Marker(home.name, entry.name, entry.href, entry.colour, round(x, 1), round(y, 1),
                  round(x + 10 if right else x - 10, 1), "start" if right else "end")


def _path(outline: Iterable[Iterable[Iterable[tuple[float, float]]]],
          project: Callable[[float, float], tuple[float, float]]) -> str:
    """SVG path data in tenths of a unit with relative moves: about half the bytes of
    absolute coordinates (the Pays outline alone is a few hundred points)."""
    parts = []
    for polygon in outline:
        for ring in polygon:
            points = [(round(x * 10), round(y * 10))
                      for x, y in (project(lon, lat) for lon, lat in ring)]
            if len(points) < 3:
                continue
            steps = [_tenths(bx - ax) + _tenths(by - ay)
                     for (ax, ay), (bx, by) in itertools.pairwise(points)
                     if (ax, ay) != (bx, by)]
            parts.append(f"M{_tenths(points[0][0])}{_tenths(points[0][1])}l"
                         + "".join(steps).lstrip() + "z")
    return "".join(parts)


def _tenths(value: int) -> str:
    """A number of tenths as SVG path data writes it shortest (``-1.2``, ``.5``), with
    the space that separates it from a previous number when no minus sign does."""
    text = f"{abs(value) / 10:g}"
    text = text[1:] if text.startswith("0.") else text
    return f"-{text}" if value < 0 else f" {text}"


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
