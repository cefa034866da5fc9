"""« Se connecter avec mon village » in a real browser, on a phone, between real processes:
a Pays directory and a village node joined and admitted through their command lines. The
member chooses their village on the Pays site, signs in at home, agrees (in French) to what
the Pays site learns, comes back shown as « Prénom N. — Village », sees a « Réseau » phone
number, and signs out of the Pays site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from node.extensions import db
from node.models import FieldGroup, Visibility
from node.services import accounts
from tests.browser.conftest import PHONE, watched_tab
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess

pytestmark = pytest.mark.browser
EMAIL = "odile.vannier@example.org"
PHONE_NUMBER = "+33 6 71 72 73 74"


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DirectoryProcess,
                                                                         NodeProcess]]:
    root: Path = tmp_path_factory.mktemp("village-sign-in")
    pays = DirectoryProcess(root)
    pays.init()
    pays.start()
    node = NodeProcess(root, "sparsbach")
    node.init("Tiers-lieu de Sparsbach", "67475")
    node.cli("federation", "join", "--directory", pays.url, "--fingerprint", pays.fingerprint)
    node.start()
    pays.cli("nodes", "admit", "sparsbach", "--by", "Léa")
    with node.app().app_context():
        account = accounts.create_account(EMAIL, "Odile Vannier", PASSWORD,
                                          commune_code="67475")
        member = account.member
        member.trade = "Vannerie"
        member.phone = PHONE_NUMBER
        member.set_visibility(FieldGroup.IDENTITY, Visibility.PUBLIC)
        member.set_visibility(FieldGroup.CONTACT, Visibility.NETWORK)
        db.session.commit()
        db.session.remove()

    def arrived() -> bool:
        found = requests.get(pays.url + "/api/v1/search", params={"q": "vannerie"},
                             timeout=5).json()
        return bool(found["total"])

    wait_for(arrived, timeout=30)
    yield pays, node
    node.close()
    pays.close()


def test_a_member_signs_in_on_the_pays_site_with_their_village(
        browser: Any, network: tuple[DirectoryProcess, NodeProcess]) -> None:
    pays, node = network
    context = browser.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True,
                                  has_touch=True)
    try:
        tab = watched_tab(context)
        tab.goto(pays.url + "/annuaire?q=vannerie")
        assert PHONE_NUMBER not in tab.content()
        tab.get_by_role("link", name="Se connecter avec mon village").click()
        tab.get_by_role("link", name="Tiers-lieu de Sparsbach").click()
        tab.wait_for_url(node.url + "/connexion**")
        tab.get_by_label("Adresse e-mail").fill(EMAIL)
        tab.get_by_label("Mot de passe").fill(PASSWORD)
        tab.get_by_role("button", name="Se connecter").click()
        tab.wait_for_url(node.url + "/oidc/authorize**")
        assert tab.get_by_role("heading", level=1).inner_text().startswith("Se connecter à")
        assert "Odile V." in tab.content()
        tab.get_by_role("button", name="J'accepte et je me connecte").click()
        tab.wait_for_url(pays.url + "/annuaire?q=vannerie")
        assert "Odile V. — Tiers-lieu de Sparsbach" in tab.content()
        assert PHONE_NUMBER in tab.content()  # « Réseau », for a signed-in member
        tab.get_by_role("button", name="Se déconnecter de ce site").click()
        tab.goto(pays.url + "/annuaire?q=vannerie")
        assert "Odile V. — Tiers-lieu de Sparsbach" not in tab.content()
        assert PHONE_NUMBER not in tab.content()
        assert tab.console_errors == []
    finally:
        context.close()
