"""« Nous avons travaillé ensemble » after a conversation relayed between villages
(docs/federation.md § 8.7), on one node at a time: each side says it at home, a signed
``cooperation_said`` tells the other village, and the conversation counts once, in the
owner's village only; the sender sees whether their message was delivered, a block reading
as a neutral « non remis »."""

from __future__ import annotations

import uuid

from flask import Flask

from node.extensions import db
from node.models import ContactReceived, ContactSent, ListingKind, VillageMessage
from node.peering.contact_notices import receive_message, receive_reply, receive_said
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
