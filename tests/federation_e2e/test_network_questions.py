"""Questions au réseau across the real network: one Pays directory and two village nodes,
real processes on loopback, real SMTP.

Aurélie (Sparsbach) asks the network; the question reaches the Pays site (for a member
signed in with their village, never for an anonymous visitor) and Westhouse-Marmoutier's
« Réseau » page. Bruno answers at home, in Westhouse: his node sends a signed notice to
Sparsbach, which stores the answer, mails Aurélie and shares the question again, so the Pays
shows the answer. Both say « nous avons travaillé ensemble », each at home: it counts once,
for Sparsbach, in the Pays's funders' figures. Sparsbach's staff hide it: it leaves the Pays.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
import requests
from sqlalchemy import select

from directory.extensions import db as pays_db
from directory.models import Record
from node.extensions import db
from node.models import Admission, Answer, Peer
from node.services import accounts, villages
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_contact_relay import funders_count
from tests.federation_e2e.test_pays_network import csrf_of, sign_in_with_village
from tests.support.smtp import Mailbox, smtp_server

pytestmark = pytest.mark.slow
SPARS, WEST = "sparsbach", "westhouse-marmoutier"
TITLE = "Quelqu'un a déjà eu un client qui ne paie pas ? NETQUESTION-6610"
ANSWER = "Une mise en demeure par recommandé, puis l'injonction de payer. NETANSWER-6611"


@dataclass
class Network:
    pays: DirectoryProcess
    spars: NodeProcess
    west: NodeProcess
    mailbox: Mailbox


def _admitted_and_listed(node: NodeProcess) -> bool:
    with node.app().app_context():
        admitted = db.session.scalars(db.select(Peer)).one().admission == Admission.ADMITTED
        known = len(villages.known_villages()) == 1
        db.session.remove()
        return bool(admitted and known)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    root = tmp_path_factory.mktemp("network-questions")
    with smtp_server() as (mailbox, port):
        pays = DirectoryProcess(root)
        pays.init()
        pays.start()
        nodes = []
        for node_id, name, commune in ((SPARS, "Tiers-lieu de Sparsbach", "67475"),
                                       (WEST, "Tiers-lieu de Westhouse-Marmoutier", "67527")):
            node = NodeProcess(root, node_id, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                               MAIL_PORT=port, SCHEDULE_INTERVAL=0.5,
                               FEDERATION_NETWORK_INTERVAL=1)
            node.init(name, commune)
            node.cli("federation", "join", "--directory", pays.url, "--fingerprint",
                     pays.fingerprint)
            node.start()
            pays.cli("nodes", "admit", node_id, "--by", "Léa")
            nodes.append(node)
        try:
            for node in nodes:
                wait_for(partial(_admitted_and_listed, node), timeout=60)
            yield Network(pays, nodes[0], nodes[1], mailbox)
        finally:
            for node in nodes:
                node.close()
            pays.close()


def _account(node: NodeProcess, name: str) -> str:
    email = f"{re.sub(r'[^a-z]', '', name.lower())}-{uuid.uuid4().hex[:6]}@example.org"
    with node.app().app_context():
        accounts.create_account(email, name, PASSWORD, commune_code="67475")
        db.session.commit()
        db.session.remove()
    return email


def _signed_in(node: NodeProcess, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(node.url + "/connexion", timeout=10)
    answer = session.post(node.url + "/connexion", timeout=10, allow_redirects=False,
                          data={"csrf_token": csrf_of(page.text), "email": email,
                                "password": PASSWORD})
    assert answer.status_code == 302
    return session


def _post(session: requests.Session, url: str, **data: str) -> requests.Response:
    page = session.get(url, timeout=10)
    return session.post(url, timeout=10, allow_redirects=False,
                        data={"csrf_token": csrf_of(page.text), **data})


def _pays_question(pays: DirectoryProcess) -> dict[str, Any] | None:
    with pays.app().app_context():
        record = pays_db.session.scalars(select(Record).where(
            Record.type == "question", Record.deleted.is_(False))).first()
        found = None if record is None else {"id": record.uuid, "payload": record.payload}
        pays_db.session.remove()
        return found


def _answers_at_home(node: NodeProcess) -> list[tuple[str, str, str]]:
    with node.app().app_context():
        rows = [(a.author_village, a.author_name, a.body)
                for a in db.session.scalars(db.select(Answer))]
        db.session.remove()
        return rows


def test_a_question_to_the_network_is_answered_from_another_village(net: Network) -> None:
    aurelie = _account(net.spars, "Aurélie Sparsbach")
    bruno = _account(net.west, "Bruno Westhouse")
    asker = _signed_in(net.spars, aurelie)
    asked = _post(asker, net.spars.url + "/questions", title=TITLE, audience="network",
                  details="Une facture de 800 € en retard de trois mois.")
    assert asked.status_code == 302
    question_id = asked.headers["Location"].rsplit("/", 1)[1]

    # At the Pays: stored, shown to a member signed in with their village, to nobody else.
    shared = wait_for(partial(_pays_question, net.pays), timeout=20)
    assert shared["id"] == question_id and shared["payload"]["asker"] == "Aurélie S."
    anonymous = requests.Session()
    for path in ("/questions", f"/questions/{question_id}"):
        assert anonymous.get(net.pays.url + path, timeout=10,
                             allow_redirects=False).status_code == 302
    for path in ("/", "/annuaire", "/decisions", "/reseau", "/api/v1/search",
                 "/api/v1/search?q=client+paie", "/annuaire?q=client+paie"):
        assert "NETQUESTION-6610" not in anonymous.get(net.pays.url + path, timeout=10).text
    browser = requests.Session()
    assert sign_in_with_village(browser, net.pays.url, net.west, bruno).status_code == 302
    listed = browser.get(net.pays.url + "/questions", timeout=10).text
    assert "NETQUESTION-6610" in listed and "Aurélie S." in listed
    assert f'href="{net.west.url}/questions?audience=network#poser"' in listed  # ask at home
    page = browser.get(f"{net.pays.url}/questions/{question_id}", timeout=10).text
    assert f'href="{net.west.url}/reseau/questions/{question_id}"' in page

    # At Westhouse: on the Réseau page, from the network copy; Bruno answers at home.
    answerer = _signed_in(net.west, bruno)
    wait_for(lambda: "NETQUESTION-6610" in answerer.get(net.west.url + "/reseau",
                                                        timeout=10).text, timeout=20)
    sent = _post(answerer, f"{net.west.url}/reseau/questions/{question_id}", body=ANSWER)
    assert sent.status_code == 302

    # At Sparsbach: stored with its village, Aurélie mailed, the Pays shows the answer.
    stored = wait_for(partial(_answers_at_home, net.spars), timeout=30)
    assert stored == [(WEST, "Bruno W.", ANSWER)]
    [told] = wait_for(lambda: [m for m in net.mailbox.to(aurelie)
                               if "Nouvelle réponse" in str(m["Subject"])], timeout=30)
    assert "NETANSWER-6611" in told.get_content() and "Bruno W." in told.get_content()
    assert bruno not in told.as_string()  # never the answerer's address

    def pays_shows(text: str) -> bool:
        return text in browser.get(f"{net.pays.url}/questions/{question_id}", timeout=10).text

    wait_for(partial(pays_shows, "NETANSWER-6611"), timeout=20)
    assert pays_shows("Tiers-lieu de Westhouse-Marmoutier")
    assert "NETANSWER-6611" not in anonymous.get(f"{net.pays.url}/questions/{question_id}",
                                                 timeout=10).text

    # « Nous avons travaillé ensemble »: Aurélie says it at Sparsbach, Bruno under his answer
    # at Westhouse; it counts once, for Sparsbach (the question's village), at the Pays.
    with net.spars.app().app_context():
        answer_id, answer_uuid = db.session.execute(db.select(Answer.id, Answer.uuid)).one()
        db.session.remove()
    together = f"{net.spars.url}/mises-en-relation"
    assert _post(asker, together, conversation=f"answer:{answer_uuid}").status_code == 302
    network_page = f"{net.west.url}/reseau/questions/{question_id}"
    wait_for(lambda: "Nous avons travaillé ensemble" in answerer.get(network_page,
                                                                     timeout=10).text,
             timeout=30, interval=0.5)
    said = answerer.post(f"{network_page}/reponses/{answer_uuid}/ensemble", timeout=10,
                         allow_redirects=False, data={"csrf_token": csrf_of(
                             answerer.get(network_page, timeout=10).text)})
    assert said.status_code == 302
    assert wait_for(lambda: funders_count(net.pays, "Tiers-lieu de Sparsbach") == "1",
                    timeout=60, interval=0.5)
    # Westhouse learns Aurélie's word by a notice that may wait out one retry (≤ 30 s).
    wait_for(lambda: "Mise en relation réussie" in answerer.get(network_page,
                                                                timeout=10).text, timeout=60,
             interval=0.5)
    time.sleep(2)  # a few more rounds (0.5 s): the answerer's mirror never counts
    assert funders_count(net.pays, "Tiers-lieu de Westhouse-Marmoutier") == "0"

    # Sparsbach's staff hide it: it leaves the Pays (and the network copy after it).
    admin = _signed_in(net.spars, "admin@example.org")
    page_url = f"{net.spars.url}/questions/{question_id}"
    hidden = admin.post(f"{page_url}/reponses/{answer_id}/masquer", timeout=10,
                        allow_redirects=False,
                        data={"csrf_token": csrf_of(admin.get(page_url, timeout=10).text)})
    assert hidden.status_code == 302
    wait_for(lambda: not pays_shows("NETANSWER-6611"), timeout=20)
    assert "NETANSWER-6611" not in net.pays.database_text()
