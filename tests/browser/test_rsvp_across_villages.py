"""Answering another village's rencontre in a real browser, on a phone (390 px), between
real processes: a Pays directory and the nodes of Sparsbach and Westhouse-Marmoutier,
joined and admitted through their command lines.

Hélène, of Sparsbach, opens a public rencontre on the Westhouse site, signs in there with
her village (her own password at Sparsbach, then her consent) and reads the page for more
than the sign-in's five minutes: « Je viens » then takes her through her village without a
screen and back to the page, told to send her answer again (it was not saved, nor
replayed). She sends it, sees the confirmation, and finds the rencontre in « Mes
rencontres » at home once Westhouse's signed ``rsvp_state`` notice has arrived.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from node.extensions import db
from node.models import Visibility, utcnow
from node.services import accounts, calendar
from node.services.events import EventInput, create_event
from tests.browser.conftest import PHONE, watched_tab
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_rsvp_across_villages import SPARS, WEST, _in, _ready

pytestmark = pytest.mark.browser
EMAIL = "helene.vogel@example.org"
TITLE = "Atelier vannerie partagé"


@pytest.fixture(scope="module")
def villages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProcess]]:
    root: Path = tmp_path_factory.mktemp("rsvp-in-browser")
    pays = DirectoryProcess(root)
    pays.init()
    pays.start()
    nodes: dict[str, NodeProcess] = {}
    try:
        for node_id, name, commune in ((SPARS, "Tiers-lieu de Sparsbach", "67475"),
                                       (WEST, "Tiers-lieu de Westhouse-Marmoutier", "67527")):
            node = NodeProcess(root, node_id, SCHEDULE_INTERVAL=1,
                               FEDERATION_NETWORK_INTERVAL=1)
            node.init(name, commune)
            node.cli("federation", "join", "--directory", pays.url, "--fingerprint",
                     pays.fingerprint)
            node.start()
            pays.cli("nodes", "admit", node_id, "--by", "Léa")
            nodes[node_id] = node
        for node in nodes.values():
            wait_for(partial(_ready, node), timeout=45)
        yield nodes
    finally:
        for node in nodes.values():
            node.close()
        pays.close()


def _setup(spars: NodeProcess, west: NodeProcess) -> str:
    """Hélène's account at Sparsbach; a public rencontre at Westhouse in four days."""
    def helene() -> None:
        accounts.create_account(EMAIL, "Hélène Vogel", PASSWORD, commune_code="67475")
        db.session.commit()

    def rencontre() -> str:
        starts = (calendar.to_local(utcnow()) + timedelta(days=4)).replace(
            hour=18, minute=30, second=0, microsecond=0, tzinfo=None)
        event = create_event(EventInput(title=TITLE, starts_local=starts,
                                        ends_local=starts + timedelta(hours=2), capacity=12,
                                        visibility=Visibility.PUBLIC))
        db.session.commit()
        return event.uuid

    _in(spars, helene)
    return str(_in(west, rencontre))


def _age_sign_in(context: Any, node: NodeProcess, seconds: int) -> None:
    """Make the browser's village sign-in on ``node`` older, as time would (the session
    cookie re-signed with the node's own key, read from its instance folder)."""
    app = node.app()
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in context.cookies(node.url) if c["name"] == name)
    data = serializer.loads(cookie["value"])
    data["network_member"]["signed_at"] -= seconds
    context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


def test_a_sparsbach_member_answers_a_westhouse_rencontre_on_her_phone(
        browser: Any, villages: dict[str, NodeProcess]) -> None:
    spars, west = villages[SPARS], villages[WEST]
    event_uuid = _setup(spars, west)
    context = browser.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True,
                                  has_touch=True)
    try:
        tab = watched_tab(context)
        tab.goto(f"{west.url}/rencontres/{event_uuid}")
        tab.get_by_role("link", name="Membre d'un autre village : se connecter avec mon "
                                     "village").click()
        tab.get_by_role("link", name="Tiers-lieu de Sparsbach").click()
        tab.wait_for_url(spars.url + "/connexion**")
        tab.get_by_label("Adresse e-mail").fill(EMAIL)
        tab.get_by_label("Mot de passe").fill(PASSWORD)
        tab.get_by_role("button", name="Se connecter").click()
        tab.wait_for_url(spars.url + "/oidc/authorize**")
        tab.get_by_role("button", name="J'accepte et je me connecte").click()
        tab.wait_for_url(f"{west.url}/rencontres/{event_uuid}")
        assert "Hélène V. — Tiers-lieu de Sparsbach" in tab.content()

        _age_sign_in(context, west, 301)  # five minutes pass while she reads the page
        tab.get_by_label("Je viens", exact=True).check()
        tab.get_by_role("button", name="Enregistrer ma réponse").click()
        tab.wait_for_url(f"{west.url}/rencontres/{event_uuid}?quand=**")
        text = tab.inner_text("body")
        assert "Votre réponse n'a pas encore été enregistrée" in text
        assert "Hélène V. — Tiers-lieu de Sparsbach" in text

        tab.get_by_label("Je viens", exact=True).check()
        tab.get_by_role("button", name="Enregistrer ma réponse").click()
        tab.wait_for_url(f"{west.url}/rencontres/{event_uuid}?quand=**")
        assert "C'est noté : vous venez." in tab.inner_text("body")
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        def at_home() -> bool:
            tab.goto(spars.url + "/mes-rencontres")
            return TITLE in tab.inner_text("main")
        wait_for(at_home, timeout=30)
        entry = tab.inner_text("main")
        assert "Tiers-lieu de Westhouse-Marmoutier" in entry and "je viens" in entry
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert tab.console_errors == []
    finally:
        context.close()
