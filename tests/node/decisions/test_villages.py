"""A network decision on the host node: offers planned for the invited villages, tallies
checked and counted, a named village's voters and a village's objections shown."""

from __future__ import annotations

import pytest
from flask import Flask

from federation.errors import FederationRefusal
from federation.keys import KeyStatus
from federation.verification import VerifiedPeer
from node.extensions import db
from node.models import DecisionKind, NetworkCopy, NodeIdentity, VillageMessage
from node.peering.village_notices import receive_tally
from node.services import consent
from node.services.decision_closing import results_of
from node.services.villages import offer
from tests.node.decisions.conftest import opened

WEST = "westhouse-marmoutier"


def _peer(node_id: str) -> VerifiedPeer:
    return VerifiedPeer(node_id, f"{node_id}:k1", KeyStatus.ACTIVE, 0, None, "n" * 22)


@pytest.fixture
def network(ctx: Flask) -> Flask:
    db.session.add(NodeIdentity(node_id="sparsbach", current_keyid="sparsbach:k1"))
    db.session.add(NetworkCopy(id=1, last_error="", data={"generated": "x", "nodes": [
        {"node_id": WEST, "name": "Westhouse", "base_url": "http://west.test",
         "inbox": "/federation/inbox", "keys": []}]}))
    db.session.commit()
    return ctx


def test_tallies_are_checked_then_counted(network: Flask) -> None:
    decision = opened(DecisionKind.CONSENT, audience="network", villages=[WEST],
                      description="Une réponse commune à l'appel d'offres du Pays.")
    offer(decision, "http://spars.test")
    db.session.commit()
    [message] = db.session.scalars(db.select(VillageMessage)).all()
    assert (message.node_id, message.kind) == (WEST, "decision_offer")
    assert message.body["decision_offer"]["options"][0]["id"] == decision.options[0].id
    version = str(decision.options[0].id)
    tally = {"decision": decision.uuid, "sequence": 1, "participants": 2,
             "counts": {version: {"2": 1, "0": 1}},
             "objections": ["Le calendrier est trop court pour nous."],
             "voters": [{"name": "Bruno W.", "choices": {version: 0}}]}
    for bad, code in (({**tally, "counts": {"999": {"2": 1}}}, "notice_invalid"),
                      ({**tally, "counts": {version: {"9": 1}}}, "notice_invalid"),
                      ({**tally, "participants": -1}, "notice_invalid")):
        with pytest.raises(FederationRefusal) as refused:
            receive_tally(_peer(WEST), bad)
        assert refused.value.code == code
    with pytest.raises(FederationRefusal) as refused:
        receive_tally(_peer("dettwiller"), tally)
    assert refused.value.code == "not_invited" and refused.value.status == 403
    receive_tally(_peer(WEST), tally)
    with pytest.raises(FederationRefusal) as refused:
        receive_tally(_peer(WEST), tally)
    assert refused.value.code == "tally_outdated"
    results = results_of(decision)
    assert results.participants == 2 and results.open_objections == 1
    assert consent.remote_objections(decision) == 1
    assert not consent.can_adopt(decision)[0]  # another village's objection blocks too
    page = network.test_client()
    page.post("/connexion", data={"email": "admin@example.org",
                                  "password": "correct-horse-battery"})
    html = page.get(f"/decisions/{decision.uuid}").get_data(as_text=True)
    assert "Le calendrier est trop court pour nous." in html
    assert f"Bruno W. ({WEST})" in html
