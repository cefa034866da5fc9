"""Offers and needs across the real network: one Pays directory and three village nodes,
real processes on loopback, real SMTP. A need posted in Westhouse-Marmoutier, a matching
offer in Sparsbach: the alert reaches the need's author through the directory and the
network copy, worded with the shared reasons; a Dettwiller member whose joinery skills stay
in his village is never named. Sam answers the need through the relay: neither address
travels until Wendy answers him (issue 13's done-when)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from functools import partial

import pytest

from node.extensions import db
from node.models import Admission, FieldGroup, ListingKind, Peer, Visibility
from node.services import accounts, alerts
from node.services.listings import ListingInput, post_listing
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_contact_relay import _in_copy, _plain, _post_form, _session
from tests.support.smtp import Mailbox, smtp_server

pytestmark = pytest.mark.slow

VILLAGES = (("sparsbach", "Tiers-lieu de Sparsbach", "67475"),
            ("westhouse-marmoutier", "Tiers-lieu de Westhouse-Marmoutier", "67527"),
            ("dettwiller", "Tiers-lieu de Dettwiller", "67089"))


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory,
            ) -> Iterator[tuple[dict[str, NodeProcess], Mailbox]]:
    root = tmp_path_factory.mktemp("exchange-network")
    with smtp_server() as (mailbox, port):
        pays = DirectoryProcess(root)
        pays.init()
        pays.start()
        nodes = {}
        for node_id, name, commune in VILLAGES:
            node = NodeProcess(root, node_id, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                               MAIL_PORT=port, SCHEDULE_INTERVAL=1,
                               FEDERATION_NETWORK_INTERVAL=1)
            node.init(name, commune)
            node.cli("federation", "join", "--directory", pays.url, "--fingerprint",
                     pays.fingerprint)
            node.start()
            pays.cli("nodes", "admit", node_id, "--by", "Léa")
            nodes[node_id] = node
        for node in nodes.values():
            wait_for(partial(_admitted, node), timeout=30)
        try:
            yield nodes, mailbox
        finally:
            for node in nodes.values():
                node.close()
            pays.close()


def _admitted(node: NodeProcess) -> bool:
    with node.app().app_context():
        admitted = db.session.scalars(db.select(Peer)).one().admission == Admission.ADMITTED
        db.session.remove()
        return admitted


def _person(node: NodeProcess, name: str, email: str, commune: str, *, skills: Visibility,
            trade: str = "", skill_names: tuple[str, ...] = (), alert: bool = False,
            listing: tuple[ListingKind, str] | None = None) -> tuple[str, str]:
    """The member's uuid and their listing's ("" without one)."""
    with node.app().app_context():
        account = accounts.create_account(email, name, PASSWORD, commune_code=commune)
        member = account.member
        member.trade, member.skills = trade, list(skill_names)
        member.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
        member.set_visibility(FieldGroup.SKILLS, skills)
        if alert:
            alerts.choose(account, match_alerts=True, weekly=False)
        posted = post_listing(member, ListingInput(*listing)) if listing is not None else None
        db.session.commit()
        found = (member.uuid, posted.uuid if posted is not None else "")
        db.session.remove()
        return found


def test_a_need_in_westhouse_is_told_of_an_offer_in_sparsbach(
        network: tuple[dict[str, NodeProcess], Mailbox]) -> None:
    nodes, mailbox = network
    asker = f"wendy-{uuid.uuid4().hex[:6]}@example.org"
    wendy_uuid, need = _person(nodes["westhouse-marmoutier"], "Wendy Westhouse", asker, "67527",
            skills=Visibility.NETWORK, alert=True,
                               listing=(ListingKind.NEED,
                                        "Cherche un menusier pour un escalier"))
    # His trade travels (identity group), his skills stay in Dettwiller: never named.
    _person(nodes["dettwiller"], "Denis Discret", "denis@example.org", "67089",
            skills=Visibility.COMMUNITY, trade="Graphiste", skill_names=("Menuisier",))
    _person(nodes["sparsbach"], "Sam Sparsbach", "sam@example.org", "67475",
            skills=Visibility.NETWORK,
            listing=(ListingKind.OFFER, "Schreinerei : escaliers et meubles sur mesure"))

    def told() -> list[str]:
        return [m.get_content() for m in mailbox.to(asker)
                if "Quelqu'un répond" in str(m["Subject"])]

    bodies = wait_for(told, timeout=60, interval=0.5)
    body = "\n".join(bodies)
    assert "Schreinerei : escaliers et meubles sur mesure" in body
    assert "Tiers-lieu de Sparsbach" in body
    assert "compétence : Menuiserie, ébénisterie, agencement" in body
    assert re.search(r"\d+ km", body)
    assert "Denis" not in body and "sam@example.org" not in body
    assert not [m for m in mailbox.messages if m["To"] != asker]  # nobody else asked

    # Sam answers from his own village's site; the relay carries neither address, and
    # Wendy's answer brings hers back to him (the relay's own e2e covers the rest).
    spars, west = nodes["sparsbach"], nodes["westhouse-marmoutier"]
    wait_for(partial(_in_copy, spars, need), timeout=60, interval=0.5)
    write = f"{spars.url}/reseau/ecrire/westhouse-marmoutier/{wendy_uuid}?annonce={need}"
    sam = _session(spars, "sam@example.org")
    assert _post_form(sam, write, "Je passe jeudi voir l'escalier ?").status_code == 302
    [relayed] = wait_for(lambda: [m for m in mailbox.to(asker)
                                  if "jeudi voir" in _plain(m)], timeout=60, interval=0.5)
    assert "@" not in _plain(relayed) and "sam@example.org" not in relayed.as_string()
    link = re.search(r"http://[^\s]+/reseau/messages/[0-9a-f-]{36}", _plain(relayed))
    assert link is not None
    answered = _post_form(_session(west, asker), link.group(), "Oui, à 18 h.")
    assert answered.status_code == 302
    [back] = wait_for(lambda: [m for m in mailbox.to("sam@example.org")
                               if "à 18 h" in _plain(m)], timeout=60, interval=0.5)
    assert back["Reply-To"] == asker
