"""Community settings and extra communes: validation beside the field, nothing saved on error."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

import communes
from node.extensions import db
from node.models import Community, ExtraCommune, SignupMode

VALID = {
    "name": "Tiers-lieu du Sparsbach", "description": "Un café, des outils, des voisins.",
    "communes": "67475, Westhouse-Marmoutier", "contact_name": "Léa Exemple",
    "contact_role": "Animatrice", "contact_email": "lea@example.org",
    "contact_phone": "0388000000", "signup_mode": "invitation",
}


def _community(app: Flask) -> Community:
    with app.app_context():
        row: Community = db.session.scalars(db.select(Community)).one()
        db.session.expunge(row)
        return row


def test_settings_page_shows_commune_names(admin_client: FlaskClient) -> None:
    html = admin_client.get("/admin/communaute").get_data(as_text=True)
    assert communes.find("67475").name in html  # type: ignore[union-attr]
    assert 'value="67475, 67527"' in html


def test_settings_saved_with_codes_from_names(app: Flask, admin_client: FlaskClient) -> None:
    response = admin_client.post("/admin/communaute", data=VALID)
    assert response.status_code == 302
    row = _community(app)
    westhouse = communes.search("Westhouse-Marmoutier")[0]
    assert row.name == "Tiers-lieu du Sparsbach"
    assert row.communes == ["67475", westhouse.code]
    assert row.contact_email == "lea@example.org"
    assert row.contact_phone == "03 88 00 00 00"
    assert row.signup_mode == SignupMode.INVITATION


def test_bad_commune_and_email_show_errors_and_save_nothing(app: Flask,
                                                            admin_client: FlaskClient) -> None:
    before = _community(app)
    data = dict(VALID, communes="67475, 99999", contact_email="pas-une-adresse")
    response = admin_client.post("/admin/communaute", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="communes-error"' in html and "99999" in html
    assert 'id="contact_email-error"' in html and "Adresse e-mail invalide" in html
    after = _community(app)
    assert (after.name, after.communes, after.contact_email, after.version) == (
        before.name, before.communes, before.contact_email, before.version)


def test_extra_commune_is_validated(app: Flask, admin_client: FlaskClient) -> None:
    cases = {
        "code": {"code": "6747", "name": "X", "latitude": "48.7", "longitude": "7.2"},
        "latitude": {"code": "67999", "name": "X", "latitude": "91", "longitude": "7.2"},
        "longitude": {"code": "67999", "name": "X", "latitude": "48", "longitude": "-181"},
    }
    for field, data in cases.items():
        response = admin_client.post("/admin/communes", data=data)
        assert response.status_code == 422
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    known = {"code": "67475", "name": "Doublon", "latitude": "48", "longitude": "7"}
    response = admin_client.post("/admin/communes", data=known)
    assert "Cette commune est déjà connue" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(ExtraCommune)).all() == []
        assert communes.find("67475").name != "Doublon"  # type: ignore[union-attr]


def test_extra_commune_then_usable_in_settings_and_venue(app: Flask,
                                                         admin_client: FlaskClient) -> None:
    assert communes.find("67999") is None
    response = admin_client.post("/admin/communes", data={
        "code": "67999", "name": "Sparsbach-Nouvelle", "latitude": "48.8812",
        "longitude": "7.3961"})
    assert response.status_code == 302
    assert "Sparsbach-Nouvelle" in admin_client.get("/admin/communes").get_data(as_text=True)
    assert admin_client.post("/admin/communaute",
                             data=dict(VALID, communes="67999")).status_code == 302
    assert _community(app).communes == ["67999"]
    response = admin_client.post("/admin/lieux/nouveau", data={
        "name": "Salle nouvelle", "commune_code": "Sparsbach-Nouvelle"})
    assert response.status_code == 302
    with app.app_context():
        from node.models import Venue

        venue = db.session.scalars(db.select(Venue)).one()
        assert (venue.commune_code, venue.latitude, venue.longitude) == ("67999", 48.8812, 7.3961)
