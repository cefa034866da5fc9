"""« Questions au réseau » at the Pays: a village's question record is stored as any record,
handed back in the network copy, shown to the network's signed-in members with its
answers, and never to an anonymous visitor; a newer version without a hidden answer takes
that answer off the page."""

from __future__ import annotations

import time
import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from directory.extensions import db
from directory.models import Peer, PeerStatus
from directory.peering.overview import network_overview
from directory.services.aggregation import apply_batch
from directory.services.audience import Audience, public_part, visible_part
from federation.records import validate_record
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope
from webui.village_sign_in import MEMBER

QUESTION = "Quelqu'un a déjà eu un client qui ne paie pas ?"
ANSWER = "Une mise en demeure, puis l'injonction de payer au tribunal."


def question_payload(*answers: dict[str, Any]) -> dict[str, Any]:
    return {"title": QUESTION, "details": "Facture de 800 € en retard.", "asker": "Aurélie S.",
            "asked_at": "2026-12-01T09:00:00Z", "state": "open",
            "answer_count": len(answers), "answers": list(answers)}


def an_answer(text: str = ANSWER, village: str = "westhouse-marmoutier") -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "name": "Bruno W.", "village": village, "text": text,
            "helped": True, "answered_at": "2026-12-02T09:00:00Z"}


def signed_in(client: FlaskClient, village: str = WESTHOUSE) -> None:
    with client.session_transaction() as session:
        session[MEMBER] = {"village": village, "village_name": "Atelier de Westhouse",
                           "subject": str(uuid.uuid4()), "name": "Bruno W.",
                           "signed_at": int(time.time())}


def test_a_question_payload_is_a_valid_record_for_the_network_only() -> None:
    record = envelope("question", question_payload(an_answer()))
    record["updated"] = "2026-12-02T09:00:00Z"
    record["origin"] = "sparsbach"
    assert validate_record(record).payload == record["payload"]
    assert public_part("question", record["payload"]) is None
    assert visible_part(Audience.anonymous(), "question", record["payload"]) is None
    assert visible_part(Audience.network(), "question", record["payload"]) is not None
    bad = {**record, "payload": {**record["payload"], "answers": [
        {**an_answer(), "email": "bruno@example.org"}]}}
    try:
        validate_record(bad)
    except Exception as refused:  # noqa: BLE001 - the code is what matters
        assert getattr(refused, "code", "") == "payload_invalid"
    else:
        raise AssertionError("an e-mail in an answer must be refused")


def test_the_pays_shows_questions_to_signed_in_members_only(any_db_app: Flask) -> None:
    client = any_db_app.test_client()
    question_id = str(uuid.uuid4())
    apply_batch(SPARSBACH, [envelope("question", question_payload(an_answer()),
                                     record_id=question_id)])
    for path in ("/questions", f"/questions/{question_id}"):
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/connexion/village" in anonymous.location
    for path in ("/", "/annuaire", "/api/v1/search", "/offres-et-besoins", "/decisions"):
        assert QUESTION not in client.get(path).get_data(as_text=True)
    signed_in(client)
    listed = client.get("/questions").get_data(as_text=True)
    assert "Quelqu&#39;un a déjà eu un client qui ne paie pas ?" in listed
    assert "Tiers-lieu de Sparsbach" in listed and "1 réponse" in listed
    page = client.get(f"/questions/{question_id}").get_data(as_text=True)
    assert "l&#39;injonction de payer" in page and "Cette réponse a aidé" in page
    # Answered at home: the member of Westhouse goes to their own village's page for it.
    assert f'href="{WESTHOUSE}/reseau/questions/{question_id}"' in page
    assert client.get(f"/questions/{uuid.uuid4()}").status_code == 404

    # A newer version without the answer (hidden by Sparsbach's staff): gone.
    apply_batch(SPARSBACH, [envelope("question", question_payload(), version=2,
                                     record_id=question_id)])
    again = client.get(f"/questions/{question_id}").get_data(as_text=True)
    assert "injonction" not in again and "Pas encore de réponse." in again


def test_the_network_copy_carries_the_questions(app: Flask) -> None:
    db.session.add(Peer(node_id="sparsbach", name="Sparsbach", base_url="https://s.example",
                        status=PeerStatus.ADMITTED, key_fingerprint="SHA256:test"))
    db.session.commit()
    question_id = str(uuid.uuid4())
    apply_batch("sparsbach", [envelope("question", question_payload(an_answer()),
                                       origin="sparsbach", record_id=question_id)])
    copy = network_overview()
    assert [item["id"] for item in copy["questions"]] == [question_id]
    assert copy["questions"][0]["payload"]["answers"][0]["text"] == ANSWER


def test_a_signed_in_member_asks_the_network_from_their_village(any_db_app: Flask) -> None:
    """The Pays keeps no questions of its own: « Poser une question au réseau » leads to the
    member's home village's form, the network already chosen."""
    client = any_db_app.test_client()
    signed_in(client)
    listed = client.get("/questions").get_data(as_text=True)
    assert f'href="{WESTHOUSE}/questions?audience=network#poser"' in listed
    assert "Poser une question au réseau" in listed
    signed_in(client, village="https://unknown.example")  # a village the Pays does not show
    assert "Poser une question au réseau" not in client.get("/questions").get_data(
        as_text=True)
