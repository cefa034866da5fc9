"""The commune registry: INSEE codes, official names, centroids and outlines.

Shipped as package data (IGN – Admin Express, Licence Ouverte / Etalab) and loaded lazily on
first use, so importing this package costs nothing and a node works with no internet access.
Both the village node and the Pays directory use it for pickers, validation, distances and maps.
"""

from __future__ import annotations

import difflib
import gzip
import json
import math
import re
import sys
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

SOURCE_CREDIT = "IGN – Admin Express (Licence Ouverte / Etalab)"
EARTH_RADIUS_KM = 6371.0


Outline = tuple[tuple[tuple[tuple[float, float], ...], ...], ...]


@dataclass(frozen=True)
class Commune:
    """One commune: its INSEE code, official name and centroid (WGS84)."""

    code: str
    name: str
    lat: float
    lon: float

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def outline(self) -> Outline:
        """Polygons (rings of lon/lat points); empty for a commune an admin added by hand."""
        return _outlines().get(self.code, ())


def _read(name: str) -> Any:
    raw = resources.files(__package__).joinpath(f"data/{name}").read_bytes()
    return json.loads(gzip.decompress(raw))


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Commune]:
    """The small index every page needs (codes, names, centroids)."""
    return {row["code"]: Commune(code=row["code"], name=row["name"], lat=row["lat"],
                                 lon=row["lon"])
            for row in _read("communes.json.gz")}


@lru_cache(maxsize=1)
def _outlines() -> dict[str, Outline]:
    """The outlines, loaded only when a map is drawn (they weigh about 20 MB in memory)."""
    return {code: tuple(tuple(tuple((x, y) for x, y in ring) for ring in poly)
                        for poly in polygons)
            for code, polygons in _read("outlines.json.gz").items()}


@lru_cache(maxsize=1)
def _map_data() -> dict[str, Any]:
    """Simplified outlines for maps (``scripts/build-communes``): a few hundred KB in memory."""
    data: dict[str, Any] = _read("map.json.gz")
    return data


def _outline(polygons: Any) -> Outline:
    return tuple(tuple(tuple((x, y) for x, y in ring) for ring in poly) for poly in polygons)


def map_outline(code: str) -> Outline:
    """A commune's outline simplified for a map (about 60 m), empty if unknown."""
    return _outline(_map_data()["outlines"].get(code, ()))


@dataclass(frozen=True)
class Pays:
    """The Pays de Saverne, Plaine et Plateau: its communes by intercommunality."""

    name: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for _, codes in self.groups for code in codes)

    @property
    def outline(self) -> Outline:
        """The outline of the whole Pays, simplified for a map."""
        return _outline(_map_data()["pays"])


@lru_cache(maxsize=1)
def pays() -> Pays:
    """The Pays as shipped in ``data/pays.toml``."""
    raw = tomllib.loads(resources.files(__package__).joinpath("data/pays.toml").read_text())
    return Pays(raw["name"], tuple((group["name"], tuple(group["communes"]))
                                   for group in raw["group"]))


def all_communes(extra: dict[str, Commune] | None = None) -> list[Commune]:
    """Every known commune, shipped ones plus those an admin added, sorted by name."""
    merged = dict(_shipped())
    merged.update(extra or {})
    return sorted(merged.values(), key=lambda c: fold(c.name))


def find(code: str, extra: dict[str, Commune] | None = None) -> Commune | None:
    """The commune with this INSEE code, or None if neither shipped nor added."""
    if extra and code in extra:
        return extra[code]
    return _shipped().get(code)


def is_insee_code(code: str) -> bool:
    """Shape check for an INSEE commune code (5 characters, Corsica's 2A/2B included)."""
    return (
        len(code) == 5
        and (code[:2].isdigit() or code[:2] in ("2A", "2B"))
        and code[2:].isdigit()
    )


def distance_km(a: Commune, b: Commune) -> float:
    """Great-circle distance between two communes' centroids."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def within_km(
    centre: Commune, radius_km: float, extra: dict[str, Commune] | None = None
) -> list[Commune]:
    """Communes whose centroid lies within radius_km of centre's, nearest first."""
    near = [(distance_km(centre, c), c) for c in all_communes(extra)]
    return [c for d, c in sorted(near, key=lambda pair: pair[0]) if d <= radius_km]


@lru_cache(maxsize=2048)
def fold(text: str) -> str:
    """Lower-case, accent-free form used to compare names ("Ébéniste" == "ebeniste").

    A member search folds the visible text of every member of the village on each request:
    the same few thousand strings each time, so the results are kept (about 1 MB at most),
    and a miss runs in C: plain ASCII is only case-folded, other text is decomposed and its
    combining marks dropped with one ``str.translate`` (a character loop in Python made
    folding three quarters of a member search's time)."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.translate(_combining_marks()).casefold()


@lru_cache(maxsize=1)
def _combining_marks() -> dict[int, None]:
    """Every code point with a non-zero combining class, mapped to None (built once, ~900)."""
    return {point: None for point in range(sys.maxunicode + 1)
            if unicodedata.combining(chr(point))}


def search(query: str, limit: int = 20, extra: dict[str, Commune] | None = None) -> list[Commune]:
    """Communes whose name or code starts with (then contains) the query, accent-insensitive."""
    needle = fold(query.strip())
    if not needle:
        return []
    starts, contains = [], []
    for commune in all_communes(extra):
        name = fold(commune.name)
        if name.startswith(needle) or commune.code.startswith(needle):
            starts.append(commune)
        elif needle in name:
            contains.append(commune)
    return (starts + contains)[:limit]


_SAINT = {"st": "saint", "ste": "sainte"}
_CODE_IN_TEXT = re.compile(r"\b(\d[0-9AB]\d{3})\b")


def name_key(name: str) -> str:
    """A commune name as people may type it, reduced to compare: accents, case, hyphens and
    apostrophes ignored, « St » and « Ste » read as « Saint » and « Sainte »."""
    words = re.findall(r"[a-z0-9]+", fold(name))
    return " ".join(_SAINT.get(word, word) for word in words)


@dataclass(frozen=True)
class Resolution:
    """What a typed commune designates: one commune, or the candidates to choose from
    (several for an ambiguous name, the nearest spellings for an unknown one)."""

    commune: Commune | None
    candidates: tuple[Commune, ...] = ()
    ambiguous: bool = False


def resolve(text: str, extra: dict[str, Commune] | None = None) -> Resolution:
    """The commune named by an INSEE code, « Name (code) », or a name (see :func:`name_key`).

    A name only one commune starts with is taken for it; several are ambiguous."""
    text = " ".join(text.split())
    coded = _CODE_IN_TEXT.search(text.upper())
    if coded and (is_insee_code(text.upper()) or text.endswith(")")):
        found = find(coded.group(1), extra)
        return Resolution(found) if found else Resolution(None)
    key = name_key(text)
    if not key:
        return Resolution(None)
    known = all_communes(extra)
    exact = [c for c in known if name_key(c.name) == key]
    if len(exact) == 1:
        return Resolution(exact[0])
    if exact:
        return Resolution(None, tuple(exact), ambiguous=True)
    starting = [c for c in known if name_key(c.name).startswith(key)]
    if len(starting) == 1:
        return Resolution(starting[0])
    if starting:
        return Resolution(None, tuple(starting[:8]), ambiguous=True)
    near = tuple(c for c in known if key in name_key(c.name))[:5]
    if not near:
        keys = {name_key(c.name): c for c in known}
        near = tuple(keys[k] for k in difflib.get_close_matches(key, list(keys), 3, 0.8))
    return Resolution(None, near)
