"""The Pays map and « Près de » in a real browser (issue #15, fixes 7 and 8).

The map must fit a phone and a desktop screen with legible labels, its markers must be
links that lead to each territory's card without JavaScript; « Près de » takes a commune's
name as people type it, suggests names through a ``<datalist>`` and explains, in French,
a name it cannot place.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LivePays, pays_context, watched_tab
from tests.browser.steps import horizontal_overflow

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.mark.parametrize("size", SIZES)
def test_map_fits_the_screen_and_its_markers_lead_to_the_territories(
        browser: Any, live_pays: LivePays, size: str) -> None:
    options: dict[str, Any] = {"viewport": SIZES[size], "java_script_enabled": False}
    if size == "desktop":
        options.update(is_mobile=False, has_touch=False)
    context = pays_context(browser, live_pays, **options)
    try:
        page = watched_tab(context)
        page.goto("/")
        svg = page.locator(".network-map .map svg")
        box = svg.bounding_box()
        viewport = SIZES[size]
        assert box is not None and box["width"] >= min(300, viewport["width"] - 40)
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        assert box["height"] <= viewport["height"], "the map is taller than the screen"
        assert horizontal_overflow(page) <= 0
        markers = page.locator(".network-map a.map-marker")
        assert markers.count() == 2
        labels = sorted(markers.locator("text").all_text_contents())
        assert labels == ["Sparsbach", "Westhouse-Marmoutier"]
        for index in range(markers.count()):
            text_box = markers.nth(index).locator("text").bounding_box()
            assert text_box is not None and text_box["height"] >= 10, "label too small to read"
            assert text_box["x"] >= box["x"] - 1
            assert text_box["x"] + text_box["width"] <= box["x"] + box["width"] + 1
        legend = page.locator(".map-legend").inner_text()
        assert "Pays de Saverne, Plaine et Plateau" in legend and "Atelier de Westhouse" in legend
        assert "IGN – Admin Express" in page.locator(".network-map figcaption").inner_text()
        # A click on the marker (no script) opens the territory's card.
        marker = page.locator(".network-map a.map-marker", has_text="Westhouse-Marmoutier")
        marker.locator("circle").click()
        page.wait_for_url("**/territoires#territoire-*")
        anchor = page.url.split("#")[1]
        assert "Atelier de Westhouse" in page.locator(f"#{anchor} h2").inner_text()
        assert page.console_errors == []
    finally:
        context.close()


def test_near_takes_a_commune_name_without_javascript(browser: Any,
                                                      live_pays: LivePays) -> None:
    context = pays_context(browser, live_pays, java_script_enabled=False)
    try:
        page = watched_tab(context)
        page.goto("/annuaire")
        near = page.get_by_label("Près de la commune")
        assert near.get_attribute("list") == "near-communes"
        options = page.locator("datalist#near-communes option")
        values = [options.nth(i).get_attribute("value") for i in range(options.count())]
        assert {"Saverne", "Sparsbach", "Westhouse-Marmoutier", "Phalsbourg"} <= set(values)
        assert values == sorted(values, key=lambda v: v.lower().replace("é", "e"))

        near.fill("st jean saverne")
        page.get_by_label("Rayon (km)").fill("12")
        page.get_by_role("button", name="Chercher").click()
        page.wait_for_url("**/annuaire?*")
        assert page.locator(".form-summary").count() == 0
        assert page.get_by_label("Près de la commune").input_value() == "Saint-Jean-Saverne"
        names = sorted(page.locator("main .card h2").all_inner_texts())
        # Sparsbach is 11.8 km from Saint-Jean-Saverne, Westhouse-Marmoutier 12.7 km.
        assert names == ["Camille Testeuse"]

        page.get_by_label("Près de la commune").fill("Saint-Jean")
        page.get_by_role("button", name="Chercher").click()
        summary = page.locator(".form-summary").inner_text()
        assert "Plusieurs communes correspondent à « Saint-Jean »" in summary
        assert "Saint-Jean-Saverne (67425)" in summary
        page.get_by_label("Près de la commune").fill("Savrne")
        page.get_by_role("button", name="Chercher").click()
        summary = page.locator(".form-summary").inner_text()
        assert "Commune inconnue : « Savrne ». Vouliez-vous dire Saverne (67437) ?" in summary
        assert page.console_errors == []
    finally:
        context.close()
