"""Every main page on a 390 px phone: nothing scrolls sideways; French by default, English on
request. Screenshots of the pages people open most are kept under pytest's tmp folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE, LiveNode, audience_tabs
from tests.browser.steps import (
    MAIN_PAGES,
    MORE_PAGES,
    horizontal_overflow,
    resolve,
    sticking_out_of_main,
    too_wide_elements,
)

SCREENSHOTS = {("anonymous", "/"): "accueil", ("anonymous", "{public_event}"): "rencontre",
               ("member", "/membres"): "membres", ("member", "/mon-profil"): "mon-profil"}


@pytest.fixture(scope="module")
def tabs(browser: Any, live_node: LiveNode) -> Iterator[dict[str, Any]]:
    with audience_tabs(browser, live_node) as signed_in:
        yield signed_in


@pytest.fixture(scope="module")
def screenshot_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("captures-telephone")


@pytest.mark.parametrize(("audience", "path"), MAIN_PAGES + MORE_PAGES,
                         ids=[f"{who}:{path}" for who, path in MAIN_PAGES + MORE_PAGES])
def test_page_fits_a_phone_without_sideways_scrolling(tabs: dict[str, Any], audience: str,
                                                      path: str,
                                                      screenshot_folder: Path) -> None:
    tab = tabs[audience]
    address = resolve(tab, path)
    response = tab.goto(address)
    assert response is not None and response.status == 200
    assert tab.get_attribute("html", "lang") == "fr"
    assert tab.locator("h1").count() == 1, f"{address} should have exactly one h1"
    overflow = horizontal_overflow(tab)
    assert overflow <= 0, (f"{address} is {overflow}px wider than the phone; too wide: "
                           f"{too_wide_elements(tab)}")
    assert tab.evaluate("() => window.innerWidth") == PHONE["width"]
    outside = sticking_out_of_main(tab)
    assert not outside, f"{address}: these stick out of the page's column: {outside}"
    name = SCREENSHOTS.get((audience, path))
    if name:
        shot = screenshot_folder / f"{name}.png"
        tab.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000, f"the capture of {address} looks empty"
    assert tab.console_errors == []


def test_english_on_request_and_french_again(tabs: dict[str, Any]) -> None:
    tab = tabs["anonymous"]
    tab.goto("/rencontres?lang=en")
    assert tab.get_attribute("html", "lang") == "en"
    # The choice is kept while browsing (links carry no ?lang=).
    assert tab.locator(".lang-switch").get_by_role("link", name="EN").count() == 0
    tab.goto("/connexion")
    assert tab.get_attribute("html", "lang") == "en"
    assert horizontal_overflow(tab) <= 0
    # The language switch in the header brings French back.
    tab.locator(".lang-switch").get_by_role("link", name="FR").click()
    tab.wait_for_load_state("load")
    assert tab.get_attribute("html", "lang") == "fr"
    assert tab.get_by_role("heading", level=1).inner_text() == "Connexion"


def test_switching_language_keeps_the_page_and_its_query(tabs: dict[str, Any]) -> None:
    """EN/FR links keep what the person was looking at (past rencontres, a search, a date)."""
    tab = tabs["member"]
    tab.goto("/rencontres?passees=1")
    tab.locator(".lang-switch").get_by_role("link", name="EN").click()
    tab.wait_for_load_state("load")
    assert tab.get_attribute("html", "lang") == "en"
    assert "passees=1" in tab.url and tab.url.split("?")[0].endswith("/rencontres")
    tab.goto("/membres?q=menuiserie")
    tab.locator(".lang-switch").get_by_role("link", name="FR").click()
    tab.wait_for_load_state("load")
    assert tab.get_attribute("html", "lang") == "fr"
    assert "q=menuiserie" in tab.url
    assert tab.get_by_label("Nom, métier, compétence").input_value() == "menuiserie"
