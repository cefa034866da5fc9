"""Helpers shared by the rencontre tests (events, public pages, admin)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from node.extensions import db
from node.models import Account, Event, Venue
from node.services import calendar, events
from node.services.events import EventInput


def local_in(days: int, hour: int = 18, minute: int = 30) -> datetime:
    """A Paris wall-clock time ``days`` from today (naive, as a form would give it)."""
    today = datetime.now(calendar.PARIS).date()
    return datetime.combine(today + timedelta(days=days), time(hour, minute))


def add_venue(name: str = "La Grange", **fields: Any) -> Venue:
    venue = Venue(name=name, commune_code=fields.pop("commune_code", "67475"),
                  address=fields.pop("address", "3 rue de l'Église"),
                  accessibility=fields.pop("accessibility", "Plain-pied, toilettes adaptées"),
                  **fields)
    db.session.add(venue)
    db.session.commit()
    return venue


def add_event(title: str = "Café des indépendants", starts: datetime | None = None,
              hours: float = 2, **fields: Any) -> Event:
    """Create an event through the service (local times), committed."""
    starts = starts or local_in(3)
    data = EventInput(title=title, starts_local=starts,
                      ends_local=starts + timedelta(hours=hours), **fields)
    event = events.create_event(data)
    db.session.commit()
    return event


def sign_in(client: FlaskClient, email: str) -> None:
    """Sign in through the real form when it exists, else by the session Flask-Login reads."""
    from tests.conftest import PASSWORD

    response = client.post("/connexion", data={"email": email, "password": PASSWORD})
    if response.status_code in (302, 303):
        return
    app = client.application
    with app.app_context():
        account = db.session.scalars(db.select(Account).where(Account.email == email)).one()
        account_id = str(account.id)
    with client:  # the identifier Flask-Login's "strong" protection checks: the client's own
        client.get("/rencontres.ics")
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = account_id
        session["_fresh"] = True
        session["_id"] = identifier


