"""The node's home page in a real phone-sized browser: French, styled, no console error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import COMMUNITY_NAME, LiveNode


def test_home_page_renders_in_french_with_its_styles(page: Any, live_node: LiveNode,
                                                     tmp_path: Path) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")

    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator("h1").first.inner_text() == COMMUNITY_NAME
    assert COMMUNITY_NAME in page.title()
    assert "Rejoindre la communauté" in page.locator("main, body").first.inner_text()

    stylesheet = page.evaluate(
        "() => [...document.styleSheets].some(s => s.href"
        " && new URL(s.href).pathname.endsWith('chaleur.css')"
        " && s.cssRules.length > 0)")
    assert stylesheet, "chaleur.css did not load"
    margin = page.evaluate("() => getComputedStyle(document.body).margin")
    assert margin != "8px", "body keeps the browser's default margin: the CSS is not applied"

    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, "the home page scrolls sideways on a phone"
    assert page.console_errors == []

    shot = tmp_path / "accueil-telephone.png"  # kept by pytest for a look after a failure
    page.screenshot(path=str(shot), full_page=True)
    print(f"capture : {shot}")
    assert shot.stat().st_size > 10_000
