"""Answering a listing across villages through the relay, with real processes on loopback:
the Pays directory, Westhouse-Marmoutier and Sparsbach, real SMTP (aiosmtpd).

A need posted in Westhouse-Marmoutier; a Sparsbach member answers it from his own village's
site. The mail that reaches the Westhouse member holds neither address; her answer reaches
him with her address (revealed because she answered); once she blocks him, his next message
is refused by her village and never mailed, and he sees « non remis » without the reason.
Once both said they worked together, it counts once, for Westhouse, in the Pays's funders'
figures (issue 13)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

import pytest
import requests
from sqlalchemy import select

from node.extensions import db
from node.models import (
    Admission,
    ContactSent,
    FieldGroup,
    ListingKind,
    NetworkCopy,
    Peer,
    VillageMessage,
    Visibility,
)
from node.services import accounts, calendar
from node.services.listings import ListingInput, post_listing
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.support.smtp import Mailbox, smtp_server

pytestmark = pytest.mark.slow
SPARS, WEST = "sparsbach", "westhouse-marmoutier"
SPARS_NAME, WEST_NAME = "Tiers-lieu de Sparsbach", "Tiers-lieu de Westhouse-Marmoutier"
VILLAGES = ((SPARS, SPARS_NAME, "67475"), (WEST, WEST_NAME, "67527"))


def _in(node: NodeProcess, work: Any) -> Any:
    with node.app().test_request_context():
        try:
            return work()
        finally:
            db.session.remove()


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory,
            ) -> Iterator[tuple[dict[str, NodeProcess], Mailbox, DirectoryProcess]]:
    root = tmp_path_factory.mktemp("contact-relay")
    with smtp_server() as (mailbox, port):
        pays = DirectoryProcess(root)
        pays.init()
        pays.start()
        nodes = {}
        for node_id, name, commune in VILLAGES:
            node = NodeProcess(root, node_id, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                               MAIL_PORT=port, SCHEDULE_INTERVAL=0.5,
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
            yield nodes, mailbox, pays
        finally:
            for node in nodes.values():
                node.close()
            pays.close()


def _admitted(node: NodeProcess) -> bool:
    return bool(_in(node, lambda: db.session.scalars(select(Peer)).one().admission
                    == Admission.ADMITTED))


def _person(node: NodeProcess, name: str, email: str, commune: str,
            listing: tuple[ListingKind, str]) -> tuple[str, str]:
    """A member sharing their profile with the network; their uuid and their listing's."""
    def create() -> tuple[str, str]:
        account = accounts.create_account(email, name, PASSWORD, commune_code=commune)
        account.member.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
        account.member.set_visibility(FieldGroup.SKILLS, Visibility.NETWORK)
        posted = post_listing(account.member, ListingInput(*listing))
        db.session.commit()
        return account.member.uuid, posted.uuid
    return _in(node, create)  # type: ignore[no-any-return]


def _session(node: NodeProcess, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(node.url + "/connexion", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token is not None
    answer = session.post(node.url + "/connexion", timeout=10, allow_redirects=False, data={
        "csrf_token": token.group(1), "email": email, "password": PASSWORD})
    assert answer.status_code == 302
    return session


def _post_form(session: requests.Session, url: str, text: str = "",
               action: str = "") -> requests.Response:
    """Submit the page's form (the one posting to ``action`` if given), as a browser
    without JavaScript would."""
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text[:1000]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token is not None
    data = {"csrf_token": token.group(1)}
    if text:
        data["body"] = text
    return session.post(action or url, data=data, timeout=10, allow_redirects=False)


def _in_copy(node: NodeProcess, record_id: str) -> bool:
    def look() -> bool:
        row = db.session.get(NetworkCopy, 1)
        data = row.data if row is not None and row.data else {}
        return any(record["id"] == record_id for record in data.get("listings", []))
    return bool(_in(node, look))


def _plain(message: Any) -> str:
    part = message.get_body(("plain",)) if message.is_multipart() else message
    return str(part.get_content())


def funders_count(pays: DirectoryProcess, village_name: str) -> str:
    """This month's « mises en relation réussies » of a village in the Pays's funders' CSV."""
    month = datetime.now(calendar.PARIS).strftime("%Y-%m")
    rows = requests.get(f"{pays.url}/statistiques/financeurs.csv?du={month}&au={month}",
                        timeout=10).text.splitlines()
    line = next((row for row in rows if row.startswith(village_name)), "")
    return line.rsplit(",", 1)[-1].strip() if line else ""


def test_a_reply_to_a_need_is_relayed_without_either_address(
        network: tuple[dict[str, NodeProcess], Mailbox, DirectoryProcess]) -> None:
    nodes, mailbox, pays = network
    wendy = f"wendy-{uuid.uuid4().hex[:6]}@example.org"
    sam = f"sam-{uuid.uuid4().hex[:6]}@example.org"
    wendy_uuid, need = _person(nodes[WEST], "Wendy Westhouse", wendy, "67527",
                               (ListingKind.NEED, "Cherche un menuisier pour un escalier"))
    _, offer = _person(nodes[SPARS], "Sam Sparsbach", sam, "67475",
                       (ListingKind.OFFER, "Menuisier : escaliers et meubles en chêne"))
    wait_for(partial(_in_copy, nodes[SPARS], need), timeout=60, interval=0.5)

    # Sam's offer matches Wendy's need: he answers it from his own village's site (the
    # matches page of his offer, and the Réseau page, link to the same form).
    spars = _session(nodes[SPARS], sam)
    write = f"/reseau/ecrire/{WEST}/{wendy_uuid}?annonce={need}"
    for page in (f"/mon-profil/offres/{offer}/correspondances", "/reseau"):
        assert write in spars.get(nodes[SPARS].url + page, timeout=10).text.replace(
            "&amp;", "&"), page
    sent = _post_form(spars, nodes[SPARS].url + write,
                      "Bonjour, je fais des escaliers en chêne. Je passe jeudi ?")
    assert sent.status_code == 302, sent.text[:1000]

    def told(address: str, words: str) -> list[Any]:
        return [m for m in mailbox.to(address) if words in _plain(m)]

    [first] = wait_for(partial(told, wendy, "escaliers en chêne"), timeout=60, interval=0.5)
    raw = first.as_string()
    assert sam not in raw  # the sender's address appears nowhere in the relayed mail
    assert wendy not in _plain(first) and "@" not in _plain(first)
    assert "Sam Sparsbach" in str(first["Subject"]) and "Reply-To" not in first
    assert "Cherche un menuisier pour un escalier" in str(first["Subject"])
    notice = _in(nodes[SPARS], lambda: db.session.scalars(select(VillageMessage.body).where(
        VillageMessage.kind == "contact_message")).one())
    assert sam not in str(notice) and wendy not in str(notice)

    # Wendy answers on her own village's site: Sam gets her answer with her address.
    link = re.search(r"http://[^\s]+/reseau/messages/[0-9a-f-]{36}", _plain(first))
    assert link is not None
    west = _session(nodes[WEST], wendy)
    assert sam not in west.get(link.group(), timeout=10).text
    answered = _post_form(west, link.group(), "Volontiers, jeudi à 18 h.")
    assert answered.status_code == 302
    [back] = wait_for(partial(told, sam, "jeudi à 18 h"), timeout=60, interval=0.5)
    assert back["Reply-To"] == wendy and wendy in _plain(back)
    assert "Wendy Westhouse" in str(back["Subject"])
    assert _in(nodes[SPARS], lambda: db.session.scalars(
        select(ContactSent.answer_email)).one()) == wendy

    # Both say they worked together, each on their own site: the signed cooperation_said
    # notices cross, and it counts once, for Westhouse (the need's village), at the Pays.
    sent_id = _in(nodes[SPARS], lambda: db.session.scalars(select(ContactSent.uuid)).one())
    mine = nodes[SPARS].url + "/reseau/messages"
    for session, page, action in ((spars, mine, f"{nodes[SPARS].url}/reseau/envoyes/"
                                   f"{sent_id}/ensemble"),
                                  (west, link.group(), link.group() + "/ensemble")):
        assert _post_form(session, page, action=action).status_code == 302
    assert wait_for(lambda: funders_count(pays, WEST_NAME) == "1", timeout=60, interval=0.5)
    assert wait_for(lambda: funders_count(pays, SPARS_NAME) == "0", timeout=20)
    wait_for(lambda: "Mise en relation réussie" in spars.get(mine, timeout=10).text,
             timeout=20)  # Sparsbach was told back...
    time.sleep(2)  # ...and a few more rounds (0.5 s): the sender's mirror never counts
    assert funders_count(pays, SPARS_NAME) == "0"
    figures = requests.get(pays.url + "/statistiques", timeout=10).text
    assert "Wendy" not in figures and "Sam" not in figures

    # She blocks him: his next message is refused by her village, never mailed.
    blocked = _post_form(west, link.group(), action=link.group() + "/bloquer")
    assert blocked.status_code == 302
    again = _post_form(spars, nodes[SPARS].url + f"/reseau/ecrire/{WEST}/{wendy_uuid}",
                       "Toujours partante pour jeudi ?")
    assert again.status_code == 302

    def refused() -> str:
        rows = _in(nodes[SPARS], lambda: [(row.state, row.last_error) for row in
                                          db.session.scalars(select(VillageMessage).where(
                                              VillageMessage.kind == "contact_message"))])
        return next((error for state, error in rows if state == "failed"), "")
    assert wait_for(refused, timeout=60, interval=0.5) == "contact_blocked"
    assert not told(wendy, "Toujours partante")
    # Sam sees it was not delivered, without learning that she blocked him.
    page = spars.get(mine, timeout=10).text
    assert "Non remis." in page and "bloqu" not in page.lower()
