"""axe-core audit (WCAG 2.1 A and AA rules) of every main page of the node, on a phone.

axe-core comes from the ``axe-playwright-python`` package (its ``axe.min.js``, MPL-2.0), so
the audit runs offline. The node's CSP allows no injected script: the audit's own contexts
bypass it (only they do; every other browser test runs under the real policy).
A ``serious`` or ``critical`` violation fails the test with the rule, the elements and why;
so does any breach of the page-structure rules (one h1, headings in order, one main landmark)
that the brief asks of every page, though axe files them under best practices.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from tests.browser.conftest import LiveNode, audience_tabs
from tests.browser.steps import MAIN_PAGES, MORE_PAGES, resolve

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
STRUCTURE_RULES = {"page-has-heading-one", "heading-order", "landmark-one-main",
                   "landmark-no-duplicate-main", "landmark-unique"}
PAGES = MAIN_PAGES + MORE_PAGES
AUDIT = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"



def _axe_source() -> str:
    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")
    except ModuleNotFoundError:
        message = "axe-playwright-python is not installed: pip install -e '.[test]'"
        if os.environ.get("CHALEUR_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (CHALEUR_REQUIRE_BROWSER=1)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def audit_tabs(browser: Any, live_node: LiveNode) -> Iterator[dict[str, Any]]:
    """One CSP-bypassing phone tab per audience, signed in once for the whole module.

    A visitor first asks to join, so the admin pages are audited with a pending request (its
    Admit/Refuse buttons and the folded message) as the staff see them every week.
    """
    with audience_tabs(browser, live_node, bypass_csp=True) as tabs:
        visitor = tabs["anonymous"]
        visitor.goto("/adhesion")
        visitor.get_by_label("Nom affiché").fill("Victor Audit")
        visitor.get_by_label("Adresse e-mail").fill("victor.audit@navigateur.example")
        visitor.get_by_label("Mot de passe").fill("un-mot-de-passe-solide")
        visitor.get_by_label("Pourquoi voulez-vous nous rejoindre ?").fill("Pour voir.")
        visitor.get_by_role("button", name="Envoyer ma demande").click()
        visitor.wait_for_url("**/adhesion/envoyee")
        yield tabs


def _report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')!r}")
    return "\n".join(lines)


def _violations(tab: Any) -> list[dict[str, Any]]:
    """The blocking violations on the page shown in ``tab``."""
    tab.add_script_tag(content=_axe_source())
    results = tab.evaluate(AUDIT, [*WCAG_TAGS, "best-practice"])
    assert results["passes"], "axe ran no rule: the audit itself is broken"
    return [v for v in results["violations"]
            if v["impact"] in BLOCKING or v["id"] in STRUCTURE_RULES]


@pytest.mark.parametrize(("audience", "path"), PAGES,
                         ids=[f"{who}:{path}" for who, path in PAGES])
def test_no_serious_accessibility_violation(audit_tabs: dict[str, Any], audience: str,
                                            path: str) -> None:
    tab = audit_tabs[audience]
    address = resolve(tab, path)
    response = tab.goto(address)
    assert response is not None and response.status == 200, f"{address} answered {response}"
    if audience != "anonymous":
        assert tab.get_by_role("button", name="Déconnexion").count() == 1, "not signed in"
    if address == "/admin/membres":
        assert tab.get_by_role("button", name="Admettre").count() >= 1, "no pending request"
    blocking = _violations(tab)
    assert not blocking, f"{address} ({audience}):\n{_report(blocking)}"


@pytest.mark.parametrize(("path", "button"), [("/connexion", "Se connecter"),
                                              ("/adhesion", "Envoyer ma demande")])
def test_forms_with_errors_stay_accessible(audit_tabs: dict[str, Any], path: str,
                                           button: str) -> None:
    """Errors beside the fields, the summary and aria-invalid must not break the page."""
    tab = audit_tabs["anonymous"]
    tab.goto(path)
    tab.get_by_role("button", name=button).click()
    tab.wait_for_load_state("load")
    assert tab.locator("[role=alert], .error").count() > 0, "the empty form showed no error"
    blocking = _violations(tab)
    assert not blocking, f"{path} with errors:\n{_report(blocking)}"


def test_the_audit_reports_what_it_should(audit_tabs: dict[str, Any]) -> None:
    """The audit is not blind: an unlabelled field and pale text on the home page are caught."""
    tab = audit_tabs["anonymous"]
    tab.goto("/")
    tab.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="text" name="sans-etiquette">');
        const pale = document.createElement('p');
        pale.textContent = 'Texte trop pâle';
        pale.style.color = '#d6d3d1';
        main.append(pale);
    }""")
    found = {violation["id"] for violation in _violations(tab)}
    assert {"label", "color-contrast"} <= found


def test_error_page_is_french_and_accessible(audit_tabs: dict[str, Any]) -> None:
    """A wrong address answers a French page people can act on, not the framework's English."""
    tab = audit_tabs["anonymous"]
    response = tab.goto("/rencontres/cette-rencontre-n-existe-pas")
    assert response is not None and response.status == 404
    assert tab.get_attribute("html", "lang") == "fr"
    assert tab.get_by_role("heading", level=1).inner_text() == "Page introuvable"
    text = tab.locator("main").inner_text()
    assert "requested URL" not in text and "not found" not in text
    assert "adresse" in text
    blocking = _violations(tab)
    assert not blocking, f"404 page:\n{_report(blocking)}"
