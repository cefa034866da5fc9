"""Fixtures for the admin pages: signed-in clients by role, rencontres with answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from node.extensions import db
from node.models import Account, Event, Member, Role, Rsvp, Venue
from node.services import accounts
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD

ANIMATOR_EMAIL = "animateur@example.org"


def sign_in(app: Flask, client: FlaskClient, email: str) -> FlaskClient:
    """Sign in through the real login form; while that form is not built on this branch,
    put the account in the session the way Flask-Login itself does."""
    response = client.post("/connexion", data={"email": email, "password": PASSWORD})
    if response.status_code in (302, 303):
        return client
    with app.app_context():
        account = db.session.scalars(db.select(Account).where(Account.email == email)).one()
        account_id = account.get_id()
    environ = {"REMOTE_ADDR": "127.0.0.1",
               "HTTP_USER_AGENT": client.environ_base["HTTP_USER_AGENT"]}
    with app.test_request_context(environ_base=environ):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = account_id
        session["_fresh"] = True
        session["_id"] = identifier
    return client


@pytest.fixture
def admin_client(app: Flask, client: FlaskClient) -> FlaskClient:
    return sign_in(app, client, ADMIN_EMAIL)


@pytest.fixture
def member_client(app: Flask, client: FlaskClient) -> FlaskClient:
    return sign_in(app, client, MEMBER_EMAIL)


@pytest.fixture
def animator_client(app: Flask, client: FlaskClient) -> FlaskClient:
    with app.app_context():
        accounts.create_account(ANIMATOR_EMAIL, "Sam Animateur", PASSWORD, role=Role.ANIMATOR)
        db.session.commit()
    return sign_in(app, client, ANIMATOR_EMAIL)


def add_venue(name: str = "Grange de Sparsbach", capacity: int | None = 20) -> Venue:
    venue = Venue(name=name, commune_code="67475", capacity=capacity)
    db.session.add(venue)
    db.session.flush()
    return venue


def add_event(title: str, starts_at: datetime, *, rrule: str = "", venue: Venue | None = None,
              capacity: int | None = None, cancelled: bool = False) -> Event:
    event = Event(title=title, starts_at=starts_at, ends_at=starts_at, rrule=rrule,
                  venue=venue, capacity=capacity, cancelled=cancelled)
    db.session.add(event)
    db.session.flush()
    return event


def add_member(email: str, name: str) -> Member:
    account = accounts.create_account(email, name, None)
    db.session.flush()
    return account.member


def answer(event: Event, at: datetime, status: str, *, member: Member | None = None,
           guest: str | None = None, attended: bool | None = None) -> Rsvp:
    rsvp = Rsvp(event=event, occurrence_at=at, status=status, attended=attended,
                member_id=member.id if member else None, guest_name=guest,
                guest_email=f"{guest.lower()}@invite.example" if guest else None)
    db.session.add(rsvp)
    return rsvp


@pytest.fixture
def in_app(app: Flask) -> Callable[[Callable[[], Any]], Any]:
    """Run a function inside the app context and return its result."""

    def run(function: Callable[[], Any]) -> Any:
        with app.app_context():
            return function()

    return run
