"""« Télécharger mes données » : everything about me, nothing secret, others through consent."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import FieldGroup, Visibility
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, member_by_email
from tests.node.members.people import (
    SIRET,
    SUBJECT_EMAIL,
    create_event_with_rsvp,
    create_uniform_subject,
    sign_in,
)


def test_export_holds_my_account_profile_listings_book_and_rsvps(
        app: Flask, member_client: FlaskClient) -> None:
    with app.app_context():
        subject = create_uniform_subject(Visibility.COMMUNITY)
        subject_uuid = subject.uuid
        create_event_with_rsvp(subject, status="going", attended=True)
    subject_client = sign_in(app, SUBJECT_EMAIL)
    subject_client.post("/carnet/" + _camille_uuid(app))
    subject_client.post(f"/carnet/{_camille_uuid(app)}/note", data={"note": "Graphiste"})
    response = subject_client.get("/mon-profil/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="chaleur-mes-donnees-')
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == SUBJECT_EMAIL
    assert data["account"]["role"] == "member" and data["account"]["status"] == "active"
    assert data["account"]["created_at"].endswith("+00:00")
    assert data["profile"]["id"] == subject_uuid
    identity = data["profile"]["groups"]["identity"]
    assert identity["visibility"] == "community" and identity["fields"]["siret"] == SIRET
    assert data["profile"]["groups"]["contact"]["fields"]["phone"] == "03 88 70 00 01"
    assert {(i["kind"], i["title"]) for i in data["listings"]} == {
        ("offer", "Restauration de commodes"), ("need", "Local de stockage")}
    assert data["address_book"] == [{
        "contact_id": _camille_uuid(app), "contact_name": "Camille Testeuse",
        "note": "Graphiste", "added_at": data["address_book"][0]["added_at"]}]
    assert data["rsvps"] == [{
        "event_id": data["rsvps"][0]["event_id"], "event_title": "Rencontre de printemps",
        "occurrence_at": "2026-03-12T18:00:00+00:00",
        "occurrence_ends_at": "2026-03-12T20:00:00+00:00", "status": "going",
        "attended": True, "answered_at": data["rsvps"][0]["answered_at"],
        "updated_at": data["rsvps"][0]["updated_at"]}]


def _camille_uuid(app: Flask) -> str:
    with app.app_context():
        return str(member_by_email(MEMBER_EMAIL).uuid)


def test_export_never_contains_password_hashes(app: Flask, member_client: FlaskClient) -> None:
    with app.app_context():
        password_hash = member_by_email(MEMBER_EMAIL).account.password_hash
    body = member_client.get("/mon-profil/export.json").get_data(as_text=True)
    assert password_hash and password_hash not in body
    assert "password" not in body and "scrypt" not in body


def test_export_shows_contacts_only_as_far_as_i_may_still_see_them(
        app: Flask, member_client: FlaskClient) -> None:
    with app.app_context():
        uuid = str(create_uniform_subject(Visibility.COMMUNITY).uuid)
    member_client.post(f"/carnet/{uuid}")
    with app.app_context():
        member_by_email(SUBJECT_EMAIL).set_visibility(FieldGroup.IDENTITY, Visibility.PRIVATE)
        db.session.commit()
    data = member_client.get("/mon-profil/export.json").get_json()
    assert data["address_book"][0]["contact_id"] == uuid
    assert data["address_book"][0]["contact_name"] is None
    assert "Zoé" not in json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("level", list(Visibility))
def test_my_export_is_complete_at_every_level_and_others_see_me_by_consent(
        app: Flask, level: Visibility) -> None:
    """My own export holds all my fields whatever their level; in another member's export I
    appear (as an address-book contact) only while they may see me."""
    with app.app_context():
        subject = create_uniform_subject(Visibility.COMMUNITY)
        uuid = str(subject.uuid)
    member = sign_in(app, MEMBER_EMAIL)
    admin = sign_in(app, ADMIN_EMAIL)
    member.post(f"/carnet/{uuid}")
    admin.post(f"/carnet/{uuid}")
    with app.app_context():
        subject = member_by_email(SUBJECT_EMAIL)
        for group in FieldGroup:
            subject.set_visibility(group, level)
        db.session.commit()
    own = sign_in(app, SUBJECT_EMAIL).get("/mon-profil/export.json").get_json()
    for group in FieldGroup:
        assert own["profile"]["groups"][group.value]["visibility"] == level.value
    assert own["profile"]["groups"]["contact"]["fields"]["contact_email"] == (
        "contact@zoe-mail.example")
    for client, narrowest in ((member, Visibility.COMMUNITY), (admin, Visibility.PRIVATE)):
        book = client.get("/mon-profil/export.json").get_json()["address_book"]
        name = book[0]["contact_name"]
        assert (name == "Zoé Ébéniste") is (level.rank >= narrowest.rank)
        assert "zoe-mail" not in json.dumps(book)
