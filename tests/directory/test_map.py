"""The Pays site's map: the Pays outline, the admitted territories' communes and a marker per
territory linking to its card, a legend, the IGN credit, and nothing else (issue #15, 8)."""

from __future__ import annotations

import gzip
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

import communes
from directory.services.aggregation import apply_batch
from directory.services.drawing import Territory, territory_map
from directory.services.peers import suspend_node
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope

SPARSBACH_CODE, WESTHOUSE_CODE, SAVERNE = "67475", "67527", "67437"
HAGUENAU = "67180"  # outside the Pays, 25 km east of Sparsbach


def map_svg(html: str) -> str:
    found = re.search(r'<figure class="network-map">.*?</figure>', html, re.S)
    assert found, "no map on the page"
    return found.group(0)


def seed(sparsbach_communes: list[str] | None = None) -> None:
    apply_batch(SPARSBACH, [envelope("community", {
        "name": "Tiers-lieu de Sparsbach", "communes": sparsbach_communes or [SPARSBACH_CODE]})])
    apply_batch(WESTHOUSE, [envelope("community", {
        "name": "Atelier de Westhouse", "communes": [WESTHOUSE_CODE, SAVERNE]},
        origin=WESTHOUSE)])


def test_the_shipped_pays_is_one_piece_holding_both_villages() -> None:
    pays = communes.pays()
    assert {SPARSBACH_CODE, WESTHOUSE_CODE, SAVERNE, "57540"} <= pays.codes
    assert HAGUENAU not in pays.codes and len(pays.codes) > 90
    assert all(communes.find(code) is not None for code in pays.codes)
    assert len(pays.outline) == 1  # one polygon: no commune of the list lies apart


def test_markers_link_to_each_territory_and_name_its_commune(app: Flask,
                                                               client: FlaskClient) -> None:
    seed()
    svg = map_svg(client.get("/").get_data(as_text=True))
    links = re.findall(r'<a href="([^"]+)" class="map-marker">\s*<title>([^<]+)</title>', svg)
    assert sorted(title for _, title in links) == [
        "Atelier de Westhouse (Westhouse-Marmoutier)", "Tiers-lieu de Sparsbach (Sparsbach)"]
    page = client.get("/territoires").get_data(as_text=True)
    for href, _ in links:
        path, anchor = href.split("#")
        assert path == "/territoires" and f'id="{anchor}"' in page
    labels = re.findall(r"<text [^>]*>([^<]+)</text>", svg)
    assert sorted(labels) == ["Sparsbach", "Westhouse-Marmoutier"]
    legend = re.findall(r'<li><svg[^>]*>.*?</svg> <a href="([^"]+)">([^<]+)</a>', svg)
    assert sorted(name for _, name in legend) == ["Atelier de Westhouse",
                                                  "Tiers-lieu de Sparsbach"]
    assert "IGN – Admin Express" in svg and "Pays de Saverne, Plaine et Plateau" in svg


def points(svg: str) -> list[tuple[float, float]]:
    """Every vertex of every path of the map, in map units (paths use relative moves)."""
    found = []
    for data in re.findall(r'<path d="([^"]+)"', svg):
        for ring in re.findall(r"M([^l]+)l([^z]*)z", data):
            numbers = [float(n) for n in re.findall(r"-?(?:\d+\.?\d*|\.\d+)", " ".join(ring))]
            x, y = numbers[0], numbers[1]
            found.append((x, y))
            for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
                x, y = x + dx, y + dy
                found.append((x, y))
    return found


def test_nothing_outside_the_pays_but_admitted_territories(app: Flask) -> None:
    """Only the Pays and the territories' communes are drawn; a territory's commune outside
    the Pays widens the map, and is gone once the territory is suspended."""
    inside = territory_map([Territory("Sparsbach", (SPARSBACH_CODE,), "/t#1", 3)])
    assert [shape.code for shape in inside.areas] == [SPARSBACH_CODE]
    assert "<path" not in inside.pays_path and inside.pays_path.startswith("M")
    wider = territory_map([Territory("Sparsbach", (SPARSBACH_CODE, HAGUENAU), "/t#1", 3)])
    assert [shape.code for shape in wider.areas] == [SPARSBACH_CODE, HAGUENAU]
    assert wider.height < inside.height  # the same width now spans further east

    seed([SPARSBACH_CODE, HAGUENAU])
    client = app.test_client()
    assert "Haguenau — Tiers-lieu de Sparsbach" in map_svg(client.get("/").get_data(True))
    suspend_node(SPARSBACH, by="test")
    svg = map_svg(client.get("/").get_data(as_text=True))
    assert "Haguenau" not in svg and "Sparsbach" not in svg.split("<figcaption>")[0]
    assert re.findall(r"<title>([^<]+)</title>", svg) == ["Pays de Saverne, Plaine et Plateau",
        "Westhouse-Marmoutier — Atelier de Westhouse", "Saverne — Atelier de Westhouse",
        "Atelier de Westhouse (Westhouse-Marmoutier)"]


def test_drawn_shapes_stay_in_the_view_box(app: Flask, client: FlaskClient) -> None:
    seed([SPARSBACH_CODE, HAGUENAU])
    svg = map_svg(client.get("/").get_data(as_text=True))
    width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    drawn = points(svg)
    assert len(drawn) > 300
    assert all(-0.2 <= x <= width + 0.2 and -0.2 <= y <= height + 0.2 for x, y in drawn)
    xs, ys = [x for x, _ in drawn], [y for _, y in drawn]
    assert min(xs) < 0.05 * width and max(xs) > 0.95 * width  # the map is filled
    assert min(ys) < 0.05 * height and max(ys) > 0.95 * height


@pytest.mark.parametrize("territories", [0, 2])
def test_the_map_is_light(app: Flask, client: FlaskClient, territories: int) -> None:
    """The map is not what makes the home page heavy (issue #15, 12: about 60 KB for the
    page): a few KB of SVG, gzip-friendly, drawn even before any territory shares."""
    if territories:
        seed([SPARSBACH_CODE, "67061", "67222"])
    svg = map_svg(client.get("/").get_data(as_text=True))
    assert len(svg.encode()) < 14_000
    assert len(gzip.compress(svg.encode())) < 6_000
