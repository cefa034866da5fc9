"""My alerts: off until I tick them, saved by the form, and a page visit writes nothing."""

from __future__ import annotations

from flask import Flask

from node.extensions import db
from node.models import AlertSettings
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.members.people import sign_in


def test_alerts_are_off_until_ticked_then_saved(app: Flask) -> None:
    client = sign_in(app, MEMBER_EMAIL)
    page = client.get("/mon-profil/alertes")
    assert page.status_code == 200 and "checked" not in page.text
    with app.app_context():
        assert db.session.scalars(db.select(AlertSettings)).all() == []  # a visit writes nothing
    assert client.post("/mon-profil/alertes", data={"weekly": "y"}).status_code == 302
    with app.app_context():
        chosen = db.session.get(AlertSettings, member_by_email(MEMBER_EMAIL).account_id)
        assert chosen is not None and chosen.weekly and not chosen.match_alerts
    assert "checked" in client.get("/mon-profil/alertes").text
