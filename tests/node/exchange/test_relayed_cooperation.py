"""« Nous avons travaillé ensemble » after a conversation relayed between villages
(docs/federation.md § 8.7), on one node at a time: each side says it at home, a signed
``cooperation_said`` tells the other village, and the conversation counts once, in the
owner's village only; the sender sees whether their message was delivered, a block reading
as a neutral « non remis »."""

from __future__ import annotations

import uuid

from flask import Flask

from node.extensions import db
from node.models import (
    ContactReceived,
    ContactSent,
    ListingKind,
    NetworkCopy,
    VillageMessage,
    utcnow,
)
from node.peering.contact_notices import receive_message, receive_reply, receive_said
from node.peering.question_notices import receive_answer
from node.services import contact_relay, cooperation
from node.services.listings import ListingInput, post_listing
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.exchange.test_contact_relay import (
    WENDY,
    WEST,
    _message,
    _network,
    _peer,
    _refused,
    _share,
)
from tests.node.exchange.test_network_questions import (
    _ask,
    _copy_with_question,
    village,  # noqa: F401 (fixture)
)
from tests.node.exchange.test_network_questions import _notice as _question_notice
from tests.node.members.people import sign_in


def _said(message_id: str) -> dict[str, str]:
    return {"conversation": f"contact:{message_id}"}


def test_the_owners_village_counts_once_when_both_said_it(app: Flask) -> None:
    with app.test_request_context():
        _network()
        camille = _share(MEMBER_EMAIL)
        need = post_listing(member_by_email(MEMBER_EMAIL),
                            ListingInput(ListingKind.NEED, "Cherche une potière"))
        db.session.commit()
        notice = _message(camille, about={"listing": need.uuid, "title": "Cherche une potière"})
        receive_message(_peer(WEST), notice)
        # Before the answer the two were not put in touch: nothing to say yet.
        assert _refused(receive_said, WEST, _said(notice["id"])).code == "conversation_unknown"
        for bad in ({"conversation": "reply:x"}, {"conversation": "contact:x"}, {}):
            assert _refused(receive_said, WEST, bad).code == "notice_invalid"
    page = sign_in(app, MEMBER_EMAIL)
    path = f"/reseau/messages/{notice['id']}"
    assert page.post(path, data={"body": "Venez jeudi."}).status_code == 302
    assert "Nous avons travaillé ensemble" in page.get(path).text
    with app.app_context():
        other = _refused(receive_said, "dettwiller", _said(notice["id"]))  # not theirs
        assert (other.code, other.status) == ("conversation_unknown", 404)
        assert receive_said(_peer(WEST), _said(notice["id"]))["state"] == "waiting"
        assert receive_said(_peer(WEST), _said(notice["id"]))["state"] == "waiting"
        assert cooperation.monthly_counts() == []  # one side alone counts nothing
    assert page.post(path + "/ensemble").status_code == 302
    assert "Mise en relation réussie" in page.get(path).text
    assert page.post(path + "/ensemble").status_code == 302  # twice: still once
    with app.app_context():
        [(_, count)] = cooperation.monthly_counts()
        assert count == 1
        told = db.session.scalars(db.select(VillageMessage).where(
            VillageMessage.kind == "cooperation_said")).one()
        assert told.node_id == WEST and told.body == {"cooperation_said": _said(notice["id"])}
        assert "@" not in str(told.body) and "Camille" not in str(told.body)
        assert db.session.scalars(db.select(ContactReceived)).one().uuid == notice["id"]


def test_the_senders_village_tells_the_owner_and_counts_nothing(app: Flask) -> None:
    with app.test_request_context():
        _network()
        sent = contact_relay.write(member_by_email(MEMBER_EMAIL),
                                   contact_relay.find_recipient(WEST, WENDY),  # type: ignore[arg-type]
                                   "Bonjour Wendy.")
        db.session.commit()
        sent_id = sent.uuid
    page = sign_in(app, MEMBER_EMAIL)
    assert "Nous avons travaillé ensemble" not in page.get("/reseau/messages").text
    assert page.post(f"/reseau/envoyes/{uuid.uuid4()}/ensemble").status_code == 404
    with app.app_context():
        receive_reply(_peer(WEST), {"id": sent_id, "text": "Merci.", "from": {
            "name": "Wendy Westhouse", "email": "wendy@example.org"}})
    assert "Nous avons travaillé ensemble" in page.get("/reseau/messages").text
    assert page.post(f"/reseau/envoyes/{sent_id}/ensemble").status_code == 302
    assert "en attente de l" in page.get("/reseau/messages").text
    with app.app_context():
        told = db.session.scalars(db.select(VillageMessage).where(
            VillageMessage.kind == "cooperation_said")).one()
        assert told.node_id == WEST and told.body == {"cooperation_said": _said(sent_id)}
        assert receive_said(_peer(WEST), _said(sent_id))["state"] == "confirmed"
        assert cooperation.monthly_counts() == []  # counted in Westhouse, not here
    assert "Mise en relation réussie" in page.get("/reseau/messages").text


def test_the_sender_sees_delivered_or_a_neutral_not_delivered(app: Flask) -> None:
    with app.test_request_context():
        _network()
        to = contact_relay.find_recipient(WEST, WENDY)
        assert to is not None
        ids = [contact_relay.write(member_by_email(MEMBER_EMAIL), to, text).uuid
               for text in ("Un", "Deux", "Trois", "Quatre")]
        db.session.commit()
    page = sign_in(app, MEMBER_EMAIL)
    assert page.get("/reseau/messages").text.count("En cours d'envoi") == 4
    with app.app_context():
        rows = {row.topic: row for row in db.session.scalars(db.select(VillageMessage))}
        rows[f"contact:{ids[0]}"].state = "delivered"
        for message_id, error in zip(ids[1:], ("contact_blocked", "member_unknown",
                                               "rate_limited"), strict=True):
            rows[f"contact:{message_id}"].state = "failed" if error != "rate_limited" \
                else "retrying"
            rows[f"contact:{message_id}"].last_error = error
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(ContactSent.id))) == 4
    text = page.get("/reseau/messages").text
    assert "Remis. Pas encore de réponse." in text
    assert "Non remis.</p>" in text  # the block, told neutrally
    assert "ne reçoit plus de messages du réseau" in text
    assert text.count("En cours d'envoi") == 1
    assert "bloqu" not in text.lower().split("expéditeurs bloqués")[0]


def test_an_answer_from_another_village_counts_at_the_askers(village: Flask) -> None:  # noqa: F811
    with village.app_context():
        asked = _ask().uuid
        notice = _question_notice(asked)
        receive_answer(_peer(WEST), notice)
        db.session.commit()
        key = f"answer:{notice['answer']}"
        other = _refused(receive_said, "dettwiller", {"conversation": key})
        assert other.code == "conversation_unknown"
    page = sign_in(village, MEMBER_EMAIL)
    assert "Nous avons travaillé ensemble" in page.get(f"/questions/{asked}").text
    assert "Bruno" in page.get("/mises-en-relation").text
    assert page.post("/mises-en-relation", data={"conversation": key}).status_code == 302
    with village.app_context():
        told = db.session.scalars(db.select(VillageMessage).where(
            VillageMessage.kind == "cooperation_said")).one()
        assert told.node_id == WEST and told.body == {"cooperation_said": {"conversation": key}}
        assert cooperation.monthly_counts() == []
        assert receive_said(_peer(WEST), {"conversation": key})["state"] == "confirmed"
        [(_, count)] = cooperation.monthly_counts()
        assert count == 1


def test_the_answerer_says_it_at_home_and_counts_nothing_there(village: Flask) -> None:  # noqa: F811
    question_id = str(uuid.uuid4())
    with village.app_context():
        db.session.add(NetworkCopy(id=1, last_error="", fetched_at=utcnow(),
                                   data=_copy_with_question(question_id)))
        db.session.commit()
    client = sign_in(village, MEMBER_EMAIL)
    url = f"/reseau/questions/{question_id}"
    assert client.post(url, data={"body": "Dolibarr."}).status_code == 302
    with village.app_context():
        mine = db.session.scalars(db.select(VillageMessage.topic)).one()
        copy = _copy_with_question(question_id)
        answers = copy["questions"][0]["payload"]["answers"]
        answers.append({**answers[0], "id": mine, "name": "Camille T.", "village": "sparsbach"})
        db.session.get(NetworkCopy, 1).data = copy
        db.session.commit()
        theirs = answers[0]["id"]
    page = client.get(url).text
    assert page.count("Nous avons travaillé ensemble") == 1  # under her own answer only
    assert client.post(f"{url}/reponses/{theirs}/ensemble").status_code == 404
    assert client.post(f"{url}/reponses/{mine}/ensemble").status_code == 302
    assert "en attente de l" in client.get(url).text
    with village.app_context():
        told = db.session.scalars(db.select(VillageMessage).where(
            VillageMessage.kind == "cooperation_said")).one()
        assert told.node_id == WEST
        assert told.body == {"cooperation_said": {"conversation": f"answer:{mine}"}}
        said = receive_said(_peer(WEST), {"conversation": f"answer:{mine}"})
        assert said["state"] == "confirmed"
        assert cooperation.monthly_counts() == []  # counted in Westhouse, not here
    assert "Mise en relation réussie" in client.get(url).text
