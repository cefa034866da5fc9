"""Venues: centroid default, validation beside the field, archive when rencontres used it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

import communes
from node.extensions import db
from node.models import Venue, utcnow
from tests.node.admin.conftest import add_event, add_venue


def _venues(app: Flask) -> list[Venue]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(Venue).order_by(Venue.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_new_venue_defaults_to_commune_centroid(app: Flask, admin_client: FlaskClient) -> None:
    response = admin_client.post("/admin/lieux/nouveau", data={
        "name": "  Grange  Muller ", "address": "3 rue de l'Église", "commune_code": "67475",
        "capacity": "25", "accessibility": "Plain-pied"})
    assert response.status_code == 302
    [venue] = _venues(app)
    centroid = communes.find("67475")
    assert centroid is not None
    assert (venue.latitude, venue.longitude) == (centroid.lat, centroid.lon)
    assert (venue.name, venue.capacity, venue.archived) == ("Grange Muller", 25, False)
    assert "Grange Muller" in admin_client.get("/admin/lieux").get_data(as_text=True)


def test_given_position_is_kept(app: Flask, admin_client: FlaskClient) -> None:
    admin_client.post("/admin/lieux/nouveau", data={
        "name": "Atelier", "commune_code": "67475", "latitude": "48.9", "longitude": "7.4",
        "capacity": ""})
    [venue] = _venues(app)
    assert (venue.latitude, venue.longitude, venue.capacity) == (48.9, 7.4, None)


def test_bad_values_are_refused_beside_the_field(app: Flask, admin_client: FlaskClient) -> None:
    cases = {
        "commune_code": {"name": "A", "commune_code": "99999"},
        "capacity": {"name": "A", "commune_code": "67475", "capacity": "-1"},
        "latitude": {"name": "A", "commune_code": "67475", "latitude": "95", "longitude": "7"},
        "longitude": {"name": "A", "commune_code": "67475", "latitude": "48.9"},
        "name": {"name": "", "commune_code": "67475"},
    }
    for field, data in cases.items():
        response = admin_client.post("/admin/lieux/nouveau", data=data)
        assert response.status_code == 422, field
        assert f'id="{field}-error"' in response.get_data(as_text=True), field
    assert _venues(app) == []


def test_edit_venue(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        venue_id = add_venue("Vieux nom").id
        db.session.commit()
    form = admin_client.get(f"/admin/lieux/{venue_id}").get_data(as_text=True)
    assert 'value="Vieux nom"' in form
    response = admin_client.post(f"/admin/lieux/{venue_id}", data={
        "name": "Nouveau nom", "commune_code": "67527", "capacity": "12"})
    assert response.status_code == 302
    [venue] = _venues(app)
    centroid = communes.find("67527")
    assert centroid is not None
    assert (venue.name, venue.commune_code, venue.latitude) == ("Nouveau nom", "67527",
                                                                 centroid.lat)
    assert venue.version == 2
    assert admin_client.get("/admin/lieux/9999").status_code == 404


def test_changing_commune_moves_a_venue_left_at_the_centroid(
        app: Flask, admin_client: FlaskClient) -> None:
    old, new = communes.find("67475"), communes.find("67527")
    assert old is not None and new is not None
    admin_client.post("/admin/lieux/nouveau", data={"name": "Salle", "commune_code": "67475"})
    [venue] = _venues(app)
    form = {"name": "Salle", "commune_code": "67527", "latitude": str(old.lat),
            "longitude": str(old.lon)}  # what the edit form sends back untouched
    admin_client.post(f"/admin/lieux/{venue.id}", data=form)
    assert (_venues(app)[0].latitude, _venues(app)[0].longitude) == (new.lat, new.lon)
    form.update(latitude="48.5", longitude="7.5")  # a position typed by hand is kept
    admin_client.post(f"/admin/lieux/{venue.id}", data=form)
    assert (_venues(app)[0].latitude, _venues(app)[0].longitude) == (48.5, 7.5)


def test_used_venue_is_archived_unused_one_deleted(app: Flask,
                                                   admin_client: FlaskClient) -> None:
    with app.app_context():
        used = add_venue("Grange")
        unused = add_venue("Faute de frappe")
        add_event("Café", utcnow() - timedelta(days=3), venue=used)
        db.session.commit()
        used_id, unused_id = used.id, unused.id
    assert admin_client.post(f"/admin/lieux/{used_id}/archiver").status_code == 302
    assert admin_client.post(f"/admin/lieux/{unused_id}/archiver").status_code == 302
    [venue] = _venues(app)
    assert (venue.id, venue.archived) == (used_id, True)
    assert "archivé" in admin_client.get("/admin/lieux").get_data(as_text=True)
    admin_client.post(f"/admin/lieux/{used_id}/restaurer")
    assert _venues(app)[0].archived is False
