"""The Pays directory site in a real browser, on a phone: accessible, fits, works without script.

``live_pays`` runs ``python -m directory serve`` on a directory initialised with
``python -m directory init`` and seeded with two admitted villages (members sharing a trade in
both territories, listings, upcoming rencontres). Each page is audited with axe-core (WCAG 2.1
A/AA, serious and critical violations fail), measured for sideways scrolling at 390 px, and
checked for ``lang="fr"`` and a single h1; the coordinator dashboard is reached through the
real sign-in form. Without JavaScript, the annuaire search submits and the map shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import LivePays, pays_context, watched_tab
from tests.browser.steps import horizontal_overflow, sticking_out_of_main, too_wide_elements
from tests.browser.test_accessibility import _report, _violations

pytestmark = pytest.mark.browser

TRADE = "Menuisière"
PUBLIC_PAGES = ["/", "/annuaire", "/annuaire?q=menuisiere", "/agenda", "/territoires",
                "/offres-et-besoins", "/statistiques", "/coordination/connexion"]
COORDINATION = "/coordination/"


def _sign_in(tab: Any, live_pays: LivePays) -> None:
    tab.goto("/coordination/connexion")
    tab.get_by_label("Adresse électronique").fill(live_pays.coordinator_email)
    tab.get_by_label("Mot de passe").fill(live_pays.coordinator_password)
    tab.get_by_role("button", name="Se connecter").click()
    tab.wait_for_url("**/coordination/")


@pytest.fixture(scope="module")
def tabs(browser: Any, live_pays: LivePays) -> Iterator[dict[str, Any]]:
    """A visitor and a signed-in coordinator, both bypassing the CSP so axe can be injected."""
    contexts = [pays_context(browser, live_pays, bypass_csp=True) for _ in range(2)]
    visitor, coordinator = (watched_tab(context) for context in contexts)
    try:
        _sign_in(coordinator, live_pays)
        yield {"visitor": visitor, "coordinator": coordinator}
    finally:
        for context in contexts:
            context.close()


PAGES = [("visitor", path) for path in PUBLIC_PAGES] + [("coordinator", COORDINATION)]


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{w}:{p}" for w, p in PAGES])
def test_pays_page_is_accessible_and_fits_a_phone(tabs: dict[str, Any], who: str,
                                                  path: str) -> None:
    tab = tabs[who]
    response = tab.goto(path)
    assert response is not None and response.status == 200, f"{path} answered {response}"
    if who == "coordinator":
        assert tab.url.endswith(COORDINATION), "the coordinator is not signed in"
        assert "Tiers-lieu de Sparsbach" in tab.locator("main").inner_text()
    assert tab.get_attribute("html", "lang") == "fr"
    assert tab.locator("h1").count() == 1, f"{path} should have exactly one h1"
    overflow = horizontal_overflow(tab)
    assert overflow <= 0, (f"{path} is {overflow}px wider than the phone; too wide: "
                           f"{too_wide_elements(tab)}")
    outside = sticking_out_of_main(tab)
    assert not outside, f"{path}: these stick out of the page's column: {outside}"
    blocking = _violations(tab)
    assert not blocking, f"{path} ({who}):\n{_report(blocking)}"
    assert tab.console_errors == []


def test_annuaire_search_and_map_without_javascript(browser: Any, live_pays: LivePays) -> None:
    context = pays_context(browser, live_pays, java_script_enabled=False)
    try:
        page = watched_tab(context)
        page.set_content("<title>sans</title><script>document.title = 'avec'</script>")
        assert page.title() == "sans", "the context still runs page script"

        page.goto("/")
        map_svg = page.locator(".map svg")
        assert map_svg.count() == 1
        assert map_svg.is_visible()
        box = map_svg.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        assert map_svg.locator("path").count() > 0

        page.goto("/annuaire")
        page.get_by_label("Métier, compétence, nom…").fill(TRADE)
        page.get_by_role("button", name="Chercher").click()
        page.wait_for_url("**/annuaire?*")
        cards = page.locator("main .card")
        names = cards.locator("h2").all_inner_texts()
        assert sorted(name.strip() for name in names) == ["Camille Testeuse", "Marc Fischer"]
        places = " ".join(cards.locator(".meta").all_inner_texts())
        assert "Tiers-lieu de Sparsbach" in places and "Atelier de Westhouse" in places
        assert page.console_errors == []
    finally:
        context.close()
