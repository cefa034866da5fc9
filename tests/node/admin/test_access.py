"""Who may open the admin pages of the dashboard, settings, venues, exports and import."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from tests.node.admin.conftest import add_venue

GET_URLS = [
    "/admin/", "/admin/communaute", "/admin/communes", "/admin/lieux", "/admin/lieux/nouveau",
    "/admin/lieux/{venue}", "/admin/exports", "/admin/export/membres.csv",
    "/admin/export/presences.csv", "/admin/export/presences-par-mois.csv", "/admin/import",
]
POST_URLS = [
    "/admin/communaute", "/admin/communes", "/admin/lieux/nouveau", "/admin/lieux/{venue}",
    "/admin/lieux/{venue}/archiver", "/admin/lieux/{venue}/restaurer", "/admin/import",
    "/admin/import/confirmer",
]
ADMIN_ONLY = ["/admin/communaute", "/admin/communes"]


@pytest.fixture
def venue_id(app: Flask) -> int:
    with app.app_context():
        venue = add_venue()
        db.session.commit()
        return venue.id


@pytest.mark.parametrize("url", GET_URLS)
def test_member_gets_403_on_every_admin_page(member_client: FlaskClient, venue_id: int,
                                             url: str) -> None:
    assert member_client.get(url.format(venue=venue_id)).status_code == 403


@pytest.mark.parametrize("url", POST_URLS)
def test_member_gets_403_on_every_admin_action(app: Flask, member_client: FlaskClient,
                                               venue_id: int, url: str) -> None:
    assert member_client.post(url.format(venue=venue_id), data={"name": "X"}).status_code == 403
    with app.app_context():
        from node.models import Venue

        venue = db.session.get(Venue, venue_id)
        assert venue is not None and venue.archived is False


@pytest.mark.parametrize("url", GET_URLS)
def test_anonymous_visitor_is_sent_to_login(client: FlaskClient, venue_id: int, url: str) -> None:
    response = client.get(url.format(venue=venue_id))
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("url", ADMIN_ONLY)
def test_animator_cannot_change_community_settings(animator_client: FlaskClient,
                                                   url: str) -> None:
    assert animator_client.get(url).status_code == 403


def test_animator_runs_venues_exports_and_import(animator_client: FlaskClient) -> None:
    for url in ("/admin/", "/admin/lieux", "/admin/exports", "/admin/import",
                "/admin/export/membres.csv"):
        assert animator_client.get(url).status_code == 200, url
