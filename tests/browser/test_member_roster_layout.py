"""The animator's members page in a real browser (issue #15, fix 9): cards on a phone, a
table at 1280 px, filters that work without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveNode, watched_tab
from tests.browser.steps import horizontal_overflow, sign_in

pytestmark = pytest.mark.browser


def _admin_tab(browser: Any, live_node: LiveNode, width: int, height: int) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR",
                                  base_url=live_node.url, java_script_enabled=False)
    tab = watched_tab(context)
    sign_in(tab, live_node.admin_email, live_node.admin_password)
    return context, tab


def test_accounts_are_cards_on_a_phone(browser: Any, live_node: LiveNode) -> None:
    context, tab = _admin_tab(browser, live_node, 390, 844)
    try:
        tab.goto("/admin/membres")
        assert horizontal_overflow(tab) <= 0
        wrap = tab.locator(".roster")
        assert tab.evaluate("el => el.scrollWidth <= el.clientWidth", wrap.element_handle()), \
            "the list scrolls sideways on a phone"
        row = tab.locator(".roster-table tbody tr").first
        assert row.evaluate("el => getComputedStyle(el).display") == "block"
        head = tab.locator(".roster-table thead").bounding_box()
        assert head is None or head["height"] <= 1, "column headers still shown on a phone"
        label = tab.locator(".roster-table td[data-label]").first.evaluate(
            "el => getComputedStyle(el, '::before').content")
        assert label.strip('"').startswith("Rôle"), label
        card = row.bounding_box()
        assert card is not None and card["width"] <= 390 and card["height"] > 100
        assert tab.console_errors == []
    finally:
        context.close()


def test_accounts_are_a_table_at_1280_px_and_filters_work_without_script(
        browser: Any, live_node: LiveNode) -> None:
    context, tab = _admin_tab(browser, live_node, 1280, 900)
    try:
        tab.goto("/admin/membres")
        assert tab.locator(".roster-table tbody tr").first.evaluate(
            "el => getComputedStyle(el).display") == "table-row"
        wrap = tab.locator(".roster")
        assert tab.evaluate("el => el.scrollWidth <= el.clientWidth", wrap.element_handle()), \
            "the table does not fit 1280 px"
        filters = tab.locator(".roster-filters").bounding_box()
        assert filters is not None and filters["height"] < 140, "filters take several lines"
        assert "Précédente" not in tab.locator("main").inner_text()

        search = tab.get_by_role("search", name="Chercher parmi les comptes")
        search.get_by_label("Rôle", exact=True).select_option("admin")
        search.get_by_label("Trier par").select_option("nom")
        search.get_by_role("button", name="Afficher").click()
        tab.wait_for_url("**/admin/membres?*")
        assert "role=admin" in tab.url and "tri=nom" in tab.url
        rows = tab.locator(".roster-table tbody tr")
        assert rows.count() == 1 and live_node.admin_email in rows.first.inner_text()
        assert tab.locator("#roster-role").input_value() == "admin"
        assert tab.console_errors == []
    finally:
        context.close()
