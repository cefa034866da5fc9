"""Writing to a member of another village (the relay), on one node at a time: the sender's
form plans a signed notice naming nobody's address; the recipient's node checks the notice
(shape, recipient, blocks, rate limits), mails its member over real SMTP without either
address, and sends back the answer, which alone carries an address."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from flask import Flask

from federation.errors import FederationRefusal
from federation.keys import KeyStatus, generate_signing_key, public_key_b64
from federation.signatures import sign_request
from federation.verification import VerifiedPeer, utc_now
from node import due_work
from node.extensions import db
from node.models import (
    ContactReceived,
    ContactSent,
    FieldGroup,
    ListingKind,
    NetworkCopy,
    NodeIdentity,
    Notice,
    VillageMessage,
    Visibility,
)
from node.peering.contact_notices import receive_message, receive_reply
from node.peering.identity import create_identity
from node.services import contact_relay
from node.services.listings import ListingInput, post_listing
from node.services.personal_data import export_member_data
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, build_node, member_by_email
from tests.node.members.people import sign_in
from tests.support.smtp import Mailbox

WEST = "westhouse-marmoutier"
WENDY = "5b1f8a3e-0c1d-4e2f-9a7b-1c2d3e4f5a6b"
NEED = "6c2a9b4f-1d2e-4f3a-8b8c-2d3e4f5a6b7c"
SAM = "7d3b0c5a-2e3f-4a4b-9c9d-3e4f5a6b7c8d"


def _peer(node_id: str) -> VerifiedPeer:
    return VerifiedPeer(node_id, f"{node_id}:k1", KeyStatus.ACTIVE, 0, None, "n" * 22)


def _network(keys: list[dict[str, str]] | None = None) -> None:
    """Sparsbach's copy of the network: Westhouse-Marmoutier, Wendy and her need."""
    if db.session.scalars(db.select(NodeIdentity)).first() is None:
        db.session.add(NodeIdentity(node_id="sparsbach", current_keyid="sparsbach:k1"))
    envelope = {"origin": WEST, "version": 1, "updated": "2026-12-01T00:00:00Z",
                "deleted": False}
    db.session.add(NetworkCopy(id=1, last_error="", data={
        "generated": "x",
        "nodes": [{"node_id": WEST, "name": "Tiers-lieu de Westhouse-Marmoutier",
                   "base_url": "http://west.test", "inbox": "/federation/inbox",
                   "keys": keys or []}],
        "territories": [{**envelope, "type": "community", "id": str(uuid.uuid4()),
                         "payload": {"name": "Tiers-lieu de Westhouse-Marmoutier"}}],
        "members": [{**envelope, "type": "member", "id": WENDY,
                     "payload": {"display_name": "Wendy Westhouse"}}],
        "listings": [{**envelope, "type": "listing", "id": NEED,
                      "payload": {"kind": "need", "title": "Cherche un menuisier",
                                  "details": "", "member_id": WENDY}}]}))
    db.session.commit()


def _share(email: str) -> str:
    member = member_by_email(email)
    member.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
    db.session.commit()
    return str(member.uuid)


def _message(to: str, text: str = "Je peux passer jeudi voir l'escalier.",
             about: dict[str, str] | None = None, sender: str = SAM) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "to": to,
            "from": {"member": sender, "name": "Sam Sparsbach"}, "about": about, "text": text}


def _refused(handler: Any, node_id: str, body: Any) -> FederationRefusal:
    with pytest.raises(FederationRefusal) as refused:
        handler(_peer(node_id), body)
    db.session.rollback()
    return refused.value


def test_the_form_plans_a_notice_without_the_senders_address(app: Flask) -> None:
    with app.test_request_context():
        _network()
        offer = post_listing(member_by_email(MEMBER_EMAIL),
                             ListingInput(ListingKind.OFFER, "Menuisier : escaliers en bois"))
        db.session.commit()
        offer_uuid = offer.uuid
    page = sign_in(app, MEMBER_EMAIL)
    path = f"/reseau/ecrire/{WEST}/{WENDY}?annonce={NEED}"
    network_page = page.get("/reseau").text  # the Réseau page links to the form
    assert f"/reseau/ecrire/{WEST}/{WENDY}?annonce={NEED}" in network_page
    assert f'href="/reseau/ecrire/{WEST}/{WENDY}"' in network_page
    matches = page.get(f"/mon-profil/offres/{offer_uuid}/correspondances").text
    assert f"/reseau/ecrire/{WEST}/{WENDY}?annonce={NEED}" in matches
    form = page.get(path)
    assert form.status_code == 200
    assert "Wendy Westhouse" in form.text and "Cherche un menuisier" in form.text
    assert page.get(f"/reseau/ecrire/{WEST}/{SAM}").status_code == 404  # not in the copy
    assert page.get(f"/reseau/ecrire/sparsbach/{WENDY}").status_code == 404  # own village
    assert page.get(f"/reseau/ecrire/dettwiller/{WENDY}").status_code == 404  # unlisted
    assert page.post(path, data={"body": "  "}).status_code == 422
    assert page.post(path, data={"body": "Bonjour Wendy, je fais des escaliers."}
                     ).status_code == 302
    with app.app_context():
        [row] = db.session.scalars(db.select(VillageMessage)).all()
        sent = db.session.scalars(db.select(ContactSent)).one()
        body = row.body["contact_message"]
        assert (row.node_id, row.kind, row.topic) == (WEST, "contact_message",
                                                      f"contact:{sent.uuid}")
        assert body["to"] == WENDY and body["about"] == {"listing": NEED,
                                                          "title": "Cherche un menuisier"}
        assert body["from"] == {"member": member_by_email(MEMBER_EMAIL).uuid,
                                "name": "Camille Testeuse"}
        assert "@" not in json.dumps(row.body)
    assert "Wendy Westhouse" in page.get("/reseau/messages").text


def test_the_sender_is_held_to_a_daily_limit(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                             ) -> None:
    monkeypatch.setattr(contact_relay, "PER_MEMBER_DAY", 1)
    with app.app_context():
        _network()
    page = sign_in(app, MEMBER_EMAIL)
    path = f"/reseau/ecrire/{WEST}/{WENDY}"
    assert page.post(path, data={"body": "Premier message."}).status_code == 302
    again = page.post(path, data={"body": "Deuxième message."})
    assert again.status_code == 422 and "Réessayez demain" in again.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(VillageMessage.id))) == 1


def test_a_relayed_message_reaches_the_recipient_without_an_address(
        app: Flask, mailbox: Mailbox) -> None:
    with app.test_request_context():
        _network()
        camille = _share(MEMBER_EMAIL)
        need = post_listing(member_by_email(MEMBER_EMAIL),
                            ListingInput(ListingKind.NEED, "Cherche une potière"))
        db.session.commit()
        notice = _message(camille, about={"listing": need.uuid, "title": "Cherche une potière"})
        answer = receive_message(_peer(WEST), notice)
        assert answer == {"applied": "contact_message", "id": notice["id"], "new": True}
        assert receive_message(_peer(WEST), notice)["new"] is False  # a retry: one row
        assert db.session.scalar(db.select(db.func.count(ContactReceived.id))) == 1
        assert due_work.run_due_work().sent == 1
    [told] = mailbox.wait_for(1)
    text = told.get_content() if not told.is_multipart() else \
        told.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert told["To"] == MEMBER_EMAIL and "Sam Sparsbach" in str(told["Subject"])
    assert "Cherche une potière" in str(told["Subject"])
    assert "jeudi voir l'escalier" in text and "Tiers-lieu de Westhouse-Marmoutier" in text
    assert "@" not in text  # neither address
    assert told.is_multipart() and told.get_body(("html",)) is not None
    path = re.search(r"/reseau/messages/[0-9a-f-]{36}", text)
    assert path is not None
    assert sign_in(app, ADMIN_EMAIL).get(path.group()).status_code == 404  # not theirs
    page = sign_in(app, MEMBER_EMAIL)
    assert "jeudi voir l&#39;escalier" in page.get(path.group()).text
    assert page.post(path.group(), data={"body": "Avec plaisir, venez jeudi."}
                     ).status_code == 302
    with app.app_context():
        reply = db.session.scalars(db.select(VillageMessage).where(
            VillageMessage.kind == "contact_reply")).one()
        assert reply.node_id == WEST and reply.topic == f"reply:{notice['id']}"
        assert reply.body["contact_reply"] == {
            "id": notice["id"], "text": "Avec plaisir, venez jeudi.",
            "from": {"name": "Camille Testeuse", "email": MEMBER_EMAIL}}


def test_refusals_of_a_relayed_message(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.test_request_context():
        _network()
        camille = _share(MEMBER_EMAIL)
        admin = member_by_email(ADMIN_EMAIL).uuid  # shares nothing with the network
        good = _message(camille)
        for bad in ({**good, "text": ""}, {**good, "text": "x" * 4001},
                    {**good, "text": "bonjour\x00"}, {**good, "to": "not-a-uuid"},
                    {**good, "from": {"member": SAM}}, {**good, "extra": 1},
                    {**good, "from": {"member": SAM, "name": "Sam\nBcc: x"}},
                    {**good, "about": {"listing": NEED}}, ["contact_message"]):
            assert _refused(receive_message, WEST, bad).code == "notice_invalid"
        unknown = _refused(receive_message, WEST, _message(str(uuid.uuid4())))
        assert (unknown.code, unknown.status) == ("member_unknown", 404)
        assert _refused(receive_message, WEST, _message(admin)).code == "member_unknown"
        receive_message(_peer(WEST), good)
        stolen = _refused(receive_message, "dettwiller", good)  # someone else's id
        assert (stolen.code, stolen.status) == ("origin_mismatch", 403)
        contact_relay.block(contact_relay.find_received(good["id"]))  # type: ignore[arg-type]
        db.session.commit()
        blocked = _refused(receive_message, WEST, _message(camille))
        assert (blocked.code, blocked.status) == ("contact_blocked", 403)
        other = str(uuid.uuid4())  # another sender of the same village still gets through
        receive_message(_peer(WEST), _message(camille, sender=other))
        monkeypatch.setattr(contact_relay, "PER_MEMBER_DAY", 1)
        limited = _refused(receive_message, WEST, _message(camille, sender=other))
        assert (limited.code, limited.status) == ("rate_limited", 429)
        monkeypatch.setattr(contact_relay, "PER_MEMBER_DAY", 10)
        monkeypatch.setattr(contact_relay, "PER_VILLAGE_HOUR", 2)
        busy = _refused(receive_message, WEST, _message(camille, sender=str(uuid.uuid4())))
        assert busy.code == "rate_limited"


def test_the_answer_reaches_the_sender_with_the_recipients_address(
        app: Flask, mailbox: Mailbox) -> None:
    with app.test_request_context():
        _network()
        contact_relay.write(member_by_email(MEMBER_EMAIL),
                            contact_relay.find_recipient(WEST, WENDY),  # type: ignore[arg-type]
                            "Bonjour Wendy.")
        db.session.commit()
        sent = db.session.scalars(db.select(ContactSent)).one()
        reply = {"id": sent.uuid, "text": "Merci, appelez-moi.",
                 "from": {"name": "Wendy Westhouse", "email": "wendy@example.org"}}
        for bad in ({**reply, "from": {"name": "W", "email": "pas une adresse"}},
                    {**reply, "text": ""}, {"id": sent.uuid}):
            assert _refused(receive_reply, WEST, bad).code == "notice_invalid"
        wrong = _refused(receive_reply, "dettwiller", reply)  # not sent there
        assert (wrong.code, wrong.status) == ("contact_unknown", 404)
        assert _refused(receive_reply, WEST, {**reply, "id": str(uuid.uuid4())}
                        ).code == "contact_unknown"
        assert receive_reply(_peer(WEST), reply) == {"applied": "contact_reply",
                                                     "id": sent.uuid}
        receive_reply(_peer(WEST), reply)  # again: one mail
        assert due_work.run_due_work().sent == 1
        exported = export_member_data(member_by_email(MEMBER_EMAIL))["network_messages"]
        assert exported["sent"][0]["answer_email"] == "wendy@example.org"
    [answer] = mailbox.wait_for(1)
    assert answer["To"] == MEMBER_EMAIL and answer["Reply-To"] == "wendy@example.org"
    assert "Merci, appelez-moi." in answer.get_content()
    assert "wendy@example.org" in sign_in(app, MEMBER_EMAIL).get("/reseau/messages").text


def test_block_and_report_through_the_pages(app: Flask) -> None:
    with app.test_request_context():
        _network()
        notice = _message(_share(MEMBER_EMAIL), text="Achetez mes chaussures !")
        receive_message(_peer(WEST), notice)
    page = sign_in(app, MEMBER_EMAIL)
    path = f"/reseau/messages/{notice['id']}"
    assert page.post(path + "/signaler").status_code == 302
    assert page.post(path + "/bloquer").status_code == 302
    assert "Vous avez bloqué cet expéditeur" in page.get(path).text
    assert page.get("/admin/signalements-reseau").status_code == 403  # members: no
    admin = sign_in(app, ADMIN_EMAIL)
    assert "/admin/signalements-reseau" in admin.get("/admin/").text  # the dashboard links it
    staff = admin.get("/admin/signalements-reseau")
    assert staff.status_code == 200 and "Achetez mes chaussures" in staff.text
    with app.app_context():
        assert db.session.scalars(db.select(Notice.kind).where(
            Notice.kind == "contact_report")).all() == ["contact_report"]
        refused = _refused(receive_message, WEST, _message(_share(MEMBER_EMAIL)))
        assert refused.code == "contact_blocked"
    mailbox_page = page.get("/reseau/messages").text
    block_id = re.search(r"/reseau/bloques/(\d+)/debloquer", mailbox_page)
    assert block_id is not None
    assert page.post(block_id.group()).status_code == 302
    with app.app_context():
        receive_message(_peer(WEST), _message(_share(MEMBER_EMAIL)))  # unblocked
    assert page.post("/reseau/messages/accueil", data={"accepter": "non"}).status_code == 302
    assert "Vous ne recevez pas de messages" in page.get("/reseau/messages").text
    with app.app_context():  # nobody of another village gets through now
        anyone = _message(_share(MEMBER_EMAIL), sender=str(uuid.uuid4()))
        assert _refused(receive_message, WEST, anyone).code == "contact_blocked"
    page.post("/reseau/messages/accueil", data={"accepter": "oui"})
    with app.app_context():
        receive_message(_peer(WEST), anyone)


def test_only_a_listed_village_may_relay(tmp_path: Any) -> None:
    """Through the real inbox and its signature gate: a village the signed network list
    names is heard; an unlisted one is refused before any handler runs; the Pays directory
    may not relay messages."""
    app = build_node(tmp_path, FEDERATION_ALLOW_PRIVATE=True)
    west, stranger = generate_signing_key(f"{WEST}:k1"), generate_signing_key("dettwiller:k1")
    with app.app_context():
        create_identity("sparsbach")
        db.session.commit()
        _network([{"keyid": west.keyid, "public_key": public_key_b64(west.public_key),
                   "status": "active"}])
        camille = _share(MEMBER_EMAIL)
    client = app.test_client()

    def post(key: Any, body: dict[str, Any]) -> Any:
        raw = json.dumps(body).encode()
        headers = sign_request("POST", "http://node.test/federation/inbox",
                               {"Content-Type": "application/json"}, raw, key=key,
                               now=utc_now())
        return client.post("/federation/inbox", data=raw, headers=headers)

    heard = post(west, {"contact_message": _message(camille)})
    assert heard.status_code == 200 and heard.get_json()["applied"] == "contact_message"
    refused = post(stranger, {"contact_message": _message(camille)})
    assert refused.status_code == 401 and refused.get_json()["error"] == "key_unknown"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ContactReceived.id))) == 1


def test_a_visitor_from_another_village_is_sent_to_their_own_site(app: Flask) -> None:
    with app.app_context():
        _network()
        member = member_by_email(MEMBER_EMAIL)
        member.set_visibility(FieldGroup.IDENTITY, Visibility.PUBLIC)
        db.session.commit()
        camille = member.uuid
    visitor = app.test_client().get(f"/membres/{camille}").text
    assert f"http://west.test/reseau/ecrire/sparsbach/{camille}" in visitor
    signed_in = sign_in(app, ADMIN_EMAIL).get(f"/membres/{camille}").text
    assert "/reseau/ecrire/" not in signed_in  # a member here writes through the village
