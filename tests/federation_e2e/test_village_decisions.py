"""Decisions between villages with real processes: a Pays directory and three village nodes.

Sparsbach hosts an anonymous majority judgment opened to Westhouse-Marmoutier and
Dettwiller. Westhouse is down when the proposal goes out and comes back during the vote;
its members answer at home, its node sends a signed tally of them, and that tally counts at
the close. A forged tally, an outdated one and a replayed request are refused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from federation.jsonbody import dump_json_body
from federation.keys import generate_signing_key, load_private_key
from federation.signatures import sign_request
from federation.verification import utc_now
from node.extensions import db
from node.models import (
    Admission,
    Ballot,
    Decision,
    Peer,
    RemoteTally,
    VillageMessage,
    utcnow,
)
from node.services import accounts, calendar, villages
from node.services.decision_closing import close, results_of
from node.services.decisions import DecisionInput, open_decision
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess

pytestmark = pytest.mark.slow
SPARS, WEST, DETT = "sparsbach", "westhouse-marmoutier", "dettwiller"
FAST = {"FEDERATION_NETWORK_INTERVAL": "2", "SCHEDULE_INTERVAL": "0.5"}


def _in(node: NodeProcess, work: Any) -> Any:
    with node.app().test_request_context():
        try:
            return work()
        finally:
            db.session.remove()


def _member(node: NodeProcess, name: str) -> str:
    email = f"{re.sub(r'[^a-z]', '', name.lower())}-{uuid.uuid4().hex[:6]}@example.org"

    def create() -> None:
        accounts.create_account(email, name, PASSWORD, commune_code="67475")
        db.session.commit()
    _in(node, create)
    return email


def _session(node: NodeProcess, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(node.url + "/connexion", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token is not None
    answer = session.post(node.url + "/connexion", timeout=10, allow_redirects=False, data={
        "csrf_token": token.group(1), "email": email, "password": PASSWORD})
    assert answer.status_code == 302
    return session


def _answer_over_http(node: NodeProcess, email: str, decision_uuid: str,
                      grades: list[str]) -> None:
    """A member answers on their home node's page, as a browser without JavaScript would."""
    session = _session(node, email)
    page = session.get(f"{node.url}/decisions/{decision_uuid}", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    fields = sorted(set(re.findall(r'name="(option-\d+)"', page)))
    assert token is not None and len(fields) == len(grades), page[:2000]
    data = {"csrf_token": token.group(1), **dict(zip(fields, grades, strict=True))}
    answer = session.post(f"{node.url}/decisions/{decision_uuid}/reponse", data=data,
                          timeout=10, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:2000]


def _has(node: NodeProcess, decision_uuid: str) -> bool:
    return bool(_in(node, lambda: db.session.scalars(select(Decision).where(
        Decision.uuid == decision_uuid)).first() is not None))


def _admitted(node: NodeProcess) -> bool:
    return bool(_in(node, lambda: db.session.scalars(select(Peer)).one().admission
                    == Admission.ADMITTED))


def _knows_villages(node: NodeProcess, count: int) -> bool:
    return len(_in(node, villages.known_villages)) == count


@pytest.fixture(scope="module")
def pays_and_villages(tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[tuple[DirectoryProcess, dict[str, NodeProcess]]]:
    root: Path = tmp_path_factory.mktemp("village-decisions")
    pays = DirectoryProcess(root)
    pays.init()
    pays.start()
    nodes = {SPARS: NodeProcess(root, SPARS, **FAST), WEST: NodeProcess(root, WEST, **FAST),
             DETT: NodeProcess(root, DETT, **FAST)}
    names = {SPARS: ("Tiers-lieu de Sparsbach", "67475"),
             WEST: ("Tiers-lieu de Westhouse-Marmoutier", "67527"),
             DETT: ("Tiers-lieu de Dettwiller", "67101")}
    for node_id, node in nodes.items():
        node.init(*names[node_id])
        node.cli("federation", "join", "--directory", pays.url, "--fingerprint",
                 pays.fingerprint)
        node.start()
        pays.cli("nodes", "admit", node_id, "--by", "Léa")
    for node in nodes.values():
        wait_for(partial(_admitted, node), timeout=30)
        wait_for(partial(_knows_villages, node, 2), timeout=30)
    yield pays, nodes
    for node in nodes.values():
        node.close()
    pays.close()


def _tally_request(node_url: str, body: dict[str, Any], key: Any) -> tuple[str, bytes,
                                                                             dict[str, str]]:
    raw = dump_json_body({"decision_tally": body})
    url = node_url + "/federation/inbox"
    headers = sign_request("POST", url, {"Content-Type": "application/json"}, raw, key=key,
                           now=utc_now())
    return url, raw, headers


def test_an_anonymous_decision_between_three_villages(
        pays_and_villages: tuple[DirectoryProcess, dict[str, NodeProcess]]) -> None:
    pays, nodes = pays_and_villages
    spars, west, dett = nodes[SPARS], nodes[WEST], nodes[DETT]
    voters = {SPARS: _member(spars, "Aurélie Sparsbach"), WEST: _member(west, "Bruno Westhouse"),
              DETT: _member(dett, "Chantal Dettwiller")}
    west.stop()  # Westhouse is down when the proposal goes out

    def open_it() -> str:
        closes = calendar.to_local(utcnow() + timedelta(days=2)).replace(tzinfo=None)
        decision = open_decision(DecisionInput(
            kind="judgment", title="Achat groupé d'une imprimante 3D", closes_local=closes,
            options=["Imprimante partagée", "Location à la demande"], anonymous=True,
            audience="network", villages=[WEST, DETT], shared=True), None)
        villages.offer(decision, spars.url)
        db.session.commit()
        return decision.uuid
    decision_uuid = _in(spars, open_it)

    wait_for(partial(_has, dett, decision_uuid), timeout=30)
    _answer_over_http(dett, voters[DETT], decision_uuid, ["5", "2"])
    _answer_over_http(spars, voters[SPARS], decision_uuid, ["4", "3"])

    west.start()  # back during the vote: the offer is retried, its members answer at home
    wait_for(partial(_has, west, decision_uuid), timeout=60)
    _answer_over_http(west, voters[WEST], decision_uuid, ["6", "1"])

    def tallies() -> dict[str, int]:
        return {row.node_id: row.participants for row in db.session.scalars(select(RemoteTally))}
    wait_for(lambda: _in(spars, tallies) == {WEST: 1, DETT: 1}, timeout=30)

    # A forged tally (Westhouse's key id, another key), an outdated one, a replayed request.
    forged = generate_signing_key(f"{WEST}:k1")
    body = {"decision": decision_uuid, "sequence": 99, "participants": 500,
            "counts": {}, "objections": [], "voters": []}
    url, raw, headers = _tally_request(spars.url, body, forged)
    refused = requests.post(url, data=raw, headers=headers, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"] == "signature_invalid"
    dett_key = load_private_key(dett.instance / "keys" / f"{DETT}:k1.pem", f"{DETT}:k1")
    url, raw, headers = _tally_request(spars.url, {**body, "sequence": 1}, dett_key)
    outdated = requests.post(url, data=raw, headers=headers, timeout=10)
    assert outdated.status_code == 409 and outdated.json()["error"] == "tally_outdated"
    replayed = requests.post(url, data=raw, headers=headers, timeout=10)
    assert replayed.status_code == 401 and replayed.json()["error"] == "nonce_replayed"
    assert _in(spars, tallies) == {WEST: 1, DETT: 1}

    # Anonymous across villages: the host holds counts from the others, never their ballots;
    # Westhouse keeps who took part at home, its ballot without a member.
    def host_view() -> tuple[int, list[Any]]:
        decision = db.session.scalars(select(Decision).where(
            Decision.uuid == decision_uuid)).one()
        results = results_of(decision)
        return results.participants, [
            (row.label, row.profile) for row in results.ranked()]
    participants, ranked = _in(spars, host_view)
    assert participants == 3
    assert ranked[0] == ("Imprimante partagée", [0, 0, 0, 0, 1, 1, 1])
    assert _in(spars, lambda: len(db.session.scalars(select(Ballot)).all())) == 1
    west_ballots = _in(west, lambda: [(b.member_id, b.voter_name)
                                      for b in db.session.scalars(select(Ballot))])
    assert west_ballots == [(None, None)]

    def close_it() -> None:
        decision = db.session.scalars(select(Decision).where(
            Decision.uuid == decision_uuid)).one()
        close(decision)
        db.session.commit()
    _in(spars, close_it)

    def closed_at_home(node: NodeProcess) -> bool:
        return bool(_in(node, lambda: db.session.scalars(select(Decision).where(
            Decision.uuid == decision_uuid)).one().state == "closed"))
    for node in (west, dett):
        wait_for(partial(closed_at_home, node), timeout=30)
    late = {**body, "sequence": 7}
    url, raw, headers = _tally_request(spars.url, late, dett_key)
    after = requests.post(url, data=raw, headers=headers, timeout=10)
    assert after.status_code == 409 and after.json()["error"] == "decision_closed"
    assert _in(spars, lambda: {m.state for m in db.session.scalars(select(VillageMessage))}) \
        == {"delivered"}

    # The Pays site shows what Sparsbach shared: the decision and its outcome.
    def on_pays() -> bool:
        page = unescape(requests.get(pays.url + "/decisions", timeout=10).text)
        return "Achat groupé d'une imprimante 3D" in page and "Imprimante partagée" in page
    wait_for(on_pays, timeout=30)
