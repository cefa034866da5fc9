"""Questions au réseau between villages, on the node: a network question is a shared record
carrying its shown answers (never a community question, never a hidden answer); another
village's answer arrives as a signed notice and is checked, stored once and mailed to the
asker; the Réseau page lists other villages' questions from the network copy and sends our
members' answers as notices to the asker's village."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from federation.errors import FederationRefusal
from federation.keys import KeyStatus
from federation.records import validate_record
from federation.verification import VerifiedPeer
from node.extensions import db
from node.models import (
    Answer,
    FeedEntry,
    NetworkCopy,
    NodeIdentity,
    Notice,
    Question,
    VillageMessage,
    utcnow,
)
from node.peering.question_notices import receive_answer, receive_report
from node.services import questions
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, member_by_email
from tests.node.members.people import sign_in

SPARS, WEST = "sparsbach", "westhouse-marmoutier"
TITLE = "Quelqu'un a déjà eu un client qui ne paie pas ?"


def _peer(node_id: str) -> VerifiedPeer:
    return VerifiedPeer(node_id, f"{node_id}:k1", KeyStatus.ACTIVE, 0, None, "n" * 22)


@pytest.fixture
def village(app: Flask) -> Flask:
    with app.app_context():
        db.session.add(NodeIdentity(node_id=SPARS, current_keyid=f"{SPARS}:k1"))
        db.session.commit()
    return app


def _latest(question_uuid: str) -> dict[str, Any] | None:
    entry = db.session.scalars(db.select(FeedEntry).where(
        FeedEntry.record_uuid == question_uuid).order_by(FeedEntry.seq.desc())).first()
    return None if entry is None else dict(entry.envelope)


def _ask(audience: str = "network") -> Question:
    asked = questions.ask(member_by_email(MEMBER_EMAIL), TITLE, "800 € en retard.", audience)
    db.session.commit()
    return asked


def _notice(question_uuid: str, **changes: Any) -> dict[str, Any]:
    body = {"question": question_uuid, "answer": str(uuid.uuid4()),
            "author": {"village": WEST, "member": str(uuid.uuid4()), "name": "Bruno Westhouse"},
            "text": "Une mise en demeure, puis l'injonction de payer."}
    body.update(changes)
    return body


def test_a_network_question_travels_with_its_shown_answers(village: Flask) -> None:
    with village.test_request_context():
        assert _latest(_ask("community").uuid) is None  # the village's own business
        asked = _ask()
        first = _latest(asked.uuid)
        assert first is not None and first["type"] == "question"
        assert first["payload"]["asker"] == "Camille T." and first["payload"]["answers"] == []
        found = questions.answer(asked, member_by_email(ADMIN_EMAIL), "Le recommandé d'abord.")
        db.session.commit()
        shared = _latest(asked.uuid)
        assert shared is not None and shared["version"] > first["version"]
        [item] = shared["payload"]["answers"]
        assert (item["name"], item["village"], item["text"]) == (
            "Alix A.", SPARS, "Le recommandé d'abord.")
        assert "@" not in repr(shared["payload"])  # never an address
        validate_record({**shared, "origin": SPARS})
        assert found is not None
        questions.hide(found)
        db.session.commit()
        hidden = _latest(asked.uuid)
        assert hidden is not None and hidden["payload"]["answers"] == []
        assert hidden["payload"]["answer_count"] == 0


def test_another_villages_answer_is_checked_stored_once_and_mailed(village: Flask) -> None:
    with village.test_request_context():
        asked = _ask()
        body = _notice(asked.uuid)
        applied = receive_answer(_peer(WEST), body)
        assert applied["stored"] is True
        assert receive_answer(_peer(WEST), body)["stored"] is False  # idempotent
        [stored] = db.session.scalars(db.select(Answer)).all()
        assert (stored.member, stored.author_village, stored.author_name) == (
            None, WEST, "Bruno W.")
        [told] = db.session.scalars(db.select(Notice).where(
            Notice.kind == "question_answered")).all()
        assert told.account_id == member_by_email(MEMBER_EMAIL).account.id
        shared = _latest(asked.uuid)
        assert shared is not None and shared["payload"]["answers"][0]["village"] == WEST
        assert shared["payload"]["answers"][0]["helped"] is False
        assert questions.mark_helped(stored, member_by_email(MEMBER_EMAIL))  # the asker
        db.session.commit()
        helped = _latest(asked.uuid)
        assert helped is not None and helped["payload"]["answers"][0]["helped"] is True

        local = _ask("community")
        refusals = [
            (_peer(WEST), _notice(str(uuid.uuid4())), "question_unknown", 404),
            (_peer(WEST), _notice(local.uuid), "question_unknown", 404),
            (_peer("dettwiller"), _notice(asked.uuid), "origin_mismatch", 403),
            (_peer(WEST), _notice(asked.uuid, text="x" * 4001), "notice_invalid", 400),
            (_peer(WEST), _notice(asked.uuid, answer="pas-un-uuid"), "notice_invalid", 400),
            (_peer("dettwiller"), {**body, "author": {**body["author"],
                                                     "village": "dettwiller"}},
             "origin_mismatch", 403),
        ]
        for peer, bad, code, status in refusals:
            with pytest.raises(FederationRefusal) as refused:
                receive_answer(peer, bad)
            assert (refused.value.code, refused.value.status) == (code, status), bad
        assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 1


def test_resolved_questions_and_floods_are_refused(village: Flask) -> None:
    with village.test_request_context():
        asked = _ask()
        author = {"village": WEST, "member": str(uuid.uuid4()), "name": "Bruno W."}
        for _ in range(questions.REMOTE_ANSWERS_PER_HOUR):
            receive_answer(_peer(WEST), _notice(asked.uuid, author=author))
        with pytest.raises(FederationRefusal) as refused:
            receive_answer(_peer(WEST), _notice(asked.uuid, author=author))
        assert (refused.value.code, refused.value.status) == ("rate_limited", 429)
        db.session.execute(db.update(Answer).values(created_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
        receive_answer(_peer(WEST), _notice(asked.uuid, author=author))  # an hour later
        assert questions.resolve(asked, member_by_email(MEMBER_EMAIL))
        db.session.commit()
        with pytest.raises(FederationRefusal) as refused:
            receive_answer(_peer(WEST), _notice(asked.uuid))
        assert (refused.value.code, refused.value.status) == ("question_closed", 409)


def _copy_with_question(question_id: str, state: str = "open") -> dict[str, Any]:
    payload = {"title": "Quel logiciel de facturation ?", "asker": "Bruno W.",
               "asked_at": "2026-12-01T09:00:00Z", "state": state, "answer_count": 1,
               "answers": [{"id": str(uuid.uuid4()), "name": "Chantal D.",
                            "village": "dettwiller", "text": "Un tableur suffit au début.",
                            "helped": False, "answered_at": "2026-12-02T09:00:00Z"}]}
    record = {"type": "question", "id": question_id, "origin": WEST, "version": 2,
              "updated": "2026-12-02T09:00:00Z", "deleted": False, "payload": payload}
    return {"generated": "2026-12-02T10:00:00Z", "territories": [], "members": [],
            "listings": [], "events": [], "questions": [record],
            "nodes": [{"node_id": WEST, "name": "Tiers-lieu de Westhouse-Marmoutier",
                       "base_url": "http://west.test", "inbox": "/federation/inbox",
                       "keys": []},
                      {"node_id": "dettwiller", "name": "Tiers-lieu de Dettwiller",
                       "base_url": "http://dett.test", "inbox": "/federation/inbox",
                       "keys": []}]}


def test_the_reseau_page_lists_and_answers_other_villages_questions(village: Flask) -> None:
    question_id = str(uuid.uuid4())
    with village.app_context():
        db.session.add(NetworkCopy(id=1, last_error="", fetched_at=utcnow(),
                                   data=_copy_with_question(question_id)))
        db.session.commit()
    client = sign_in(village, MEMBER_EMAIL)
    page = client.get("/reseau").get_data(as_text=True)
    assert "Quel logiciel de facturation ?" in page and f"/reseau/questions/{question_id}" in page
    shown = client.get(f"/reseau/questions/{question_id}").get_data(as_text=True)
    assert "Un tableur suffit au début." in shown and "Tiers-lieu de Dettwiller" in shown
    assert client.post(f"/reseau/questions/{question_id}", data={"body": " "}).status_code == 422
    sent = client.post(f"/reseau/questions/{question_id}",
                       data={"body": "Je prends un logiciel libre, Dolibarr."})
    assert sent.status_code == 302
    assert client.get(f"/reseau/questions/{uuid.uuid4()}").status_code == 404
    with village.app_context():
        [message] = db.session.scalars(db.select(VillageMessage).where(
            VillageMessage.kind == "question_answer")).all()
        body = message.body["question_answer"]
        assert (message.node_id, message.kind, message.topic) == (
            WEST, "question_answer", body["answer"])
        assert body["question"] == question_id
        assert body["text"] == "Je prends un logiciel libre, Dolibarr."
        assert body["author"]["village"] == SPARS and body["author"]["name"] == "Camille T."
        assert body["author"]["member"] == member_by_email(MEMBER_EMAIL).uuid
        db.session.get(NetworkCopy, 1).data = _copy_with_question(question_id, "resolved")
        db.session.commit()
    with village.app_context():  # the copy's answer ids are fresh each time: read this one
        answer_id = db.session.get(NetworkCopy, 1).data["questions"][0]["payload"][
            "answers"][0]["id"]
    url = f"/reseau/questions/{question_id}/reponses"
    assert client.post(f"{url}/{answer_id}/signaler").status_code == 302
    assert client.post(f"{url}/{uuid.uuid4()}/signaler").status_code == 404
    with village.app_context():
        [report] = db.session.scalars(db.select(VillageMessage).where(
            VillageMessage.kind == "question_report")).all()
        assert report.node_id == WEST and report.body["question_report"]["answer"] == answer_id
        assert report.body["question_report"]["reporter"]["village"] == SPARS
    closed = client.post(f"/reseau/questions/{question_id}", data={"body": "Encore moi."})
    assert closed.status_code == 422
    assert "elle ne prend plus de réponses" in closed.get_data(as_text=True)
    assert client.get("/reseau", follow_redirects=False).status_code == 200
    assert village.test_client().get(f"/reseau/questions/{question_id}").status_code == 302


def test_a_deleted_member_s_questions_and_answers_leave_the_network(village: Flask) -> None:
    from node.services.members import delete_member

    with village.test_request_context():
        asked = _ask()
        questions.answer(asked, member_by_email(ADMIN_EMAIL), "Le recommandé d'abord.")
        other = questions.ask(member_by_email(ADMIN_EMAIL), "Un bon imprimeur ?", "",
                              "network")
        questions.answer(other, member_by_email(MEMBER_EMAIL), "Celui de Saverne.")
        db.session.commit()
        delete_member(member_by_email(MEMBER_EMAIL))()
        db.session.commit()
        gone = _latest(asked.uuid)
        assert gone is not None and gone["deleted"] and gone["payload"] is None
        kept = _latest(other.uuid)
        assert kept is not None and kept["payload"]["answers"] == []
        assert db.session.scalars(db.select(Answer.body)).all() == []


def test_a_report_from_another_village_reaches_our_staff(village: Flask) -> None:
    with village.test_request_context():
        asked = _ask()
        found = questions.answer(asked, member_by_email(ADMIN_EMAIL), "Le recommandé d'abord.")
        db.session.commit()
        assert found is not None
        body = {"question": asked.uuid, "answer": found.uuid,
                "reporter": {"village": WEST, "member": str(uuid.uuid4())}}
        assert receive_report(_peer(WEST), body)["applied"] == "question_report"
        receive_report(_peer(WEST), body)  # the same report again: one mail
        [told] = db.session.scalars(db.select(Notice).where(
            Notice.kind == "answer_report")).all()
        assert told.account_id == member_by_email(ADMIN_EMAIL).account.id
        assert [item.reporters for item in questions.reported()] == [1]
        for peer, bad, code in (
                (_peer("dettwiller"), body, "origin_mismatch"),
                (_peer(WEST), {**body, "answer": str(uuid.uuid4())}, "question_unknown")):
            with pytest.raises(FederationRefusal) as refused:
                receive_report(peer, bad)
            assert refused.value.code == code


def test_a_deactivated_asker_s_questions_leave_the_network(village: Flask) -> None:
    from node.models import AccountStatus

    with village.test_request_context():
        asked = _ask()
        member_by_email(MEMBER_EMAIL).account.status = AccountStatus.DISABLED.value
        db.session.commit()
        gone = _latest(asked.uuid)
        assert gone is not None and gone["deleted"]
        member_by_email(MEMBER_EMAIL).account.status = AccountStatus.ACTIVE.value
        db.session.commit()
        back = _latest(asked.uuid)
        assert back is not None and not back["deleted"] and back["payload"]["title"] == TITLE


def test_a_sent_answer_shows_at_once_to_its_author_until_the_copy_carries_it(
        village: Flask) -> None:
    """The asker's village shares the answer back only at the next network refresh: until
    then the page its author answered from shows it, marked as waiting."""
    question_id = str(uuid.uuid4())
    with village.app_context():
        db.session.add(NetworkCopy(id=1, last_error="", fetched_at=utcnow(),
                                   data=_copy_with_question(question_id)))
        db.session.commit()
    client, url = sign_in(village, MEMBER_EMAIL), f"/reseau/questions/{question_id}"
    sent = client.post(url, data={"body": "Dolibarr, en logiciel libre. SENT-7801"},
                       follow_redirects=True).get_data(as_text=True)
    assert "SENT-7801" in sent and "envoyée, en attente du village de la question" in sent
    assert "SENT-7801" not in sign_in(village, ADMIN_EMAIL).get(url).get_data(as_text=True)
    with village.app_context():
        message = db.session.scalars(db.select(VillageMessage)).one()
        message.state = "delivered"
        body = message.body["question_answer"]
        db.session.commit()
    delivered = client.get(url).get_data(as_text=True)
    assert "reçue par le village de la question" in delivered and "SENT-7801" in delivered
    with village.app_context():  # the next copy carries it: shown once, with the others
        data = _copy_with_question(question_id)
        data["questions"][0]["payload"]["answers"].append(
            {"id": body["answer"], "name": "Camille T.", "village": SPARS,
             "text": body["text"], "helped": False, "answered_at": "2026-12-02T10:00:00Z"})
        db.session.get(NetworkCopy, 1).data = data
        db.session.commit()
    carried = client.get(url).get_data(as_text=True)
    assert carried.count("SENT-7801") == 1 and "reçue par le village" not in carried
