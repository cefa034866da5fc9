"""Fixtures for the JSON API: a client with tokens by role, and invented people and rencontres.

Tokens are created through the service (the admin page has its own tests), so each test states
which account its token belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    Event,
    FieldGroup,
    Listing,
    Role,
    Venue,
    Visibility,
)
from node.services import accounts, api_tokens
from tests.conftest import ADMIN_EMAIL

ANIMATOR_EMAIL = "animatrice@example.org"
PUBLIC_EMAIL = "dominique@example.org"
DISCREET_EMAIL = "claude@example.org"
DISABLED_EMAIL = "ancien@example.org"
PRIVATE_PHONE = "03 88 12 34 56"
PUBLIC_TRADE = "Ébéniste"


@dataclass
class Api:
    """A test client for /api/v1 that knows the app and can mint tokens."""

    app: Flask
    client: FlaskClient
    secrets: dict[str, str] = field(default_factory=dict)

    def token(self, email: str) -> str:
        """A fresh token for this account (created through the service)."""
        if email not in self.secrets:
            with self.app.app_context():
                account = db.session.scalars(
                    db.select(Account).where(Account.email == email)).one()
                self.secrets[email] = api_tokens.create_token(account, "tests").secret
                db.session.commit()
        return self.secrets[email]

    def headers(self, email: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email)}"} if email else {}

    def get(self, path: str, as_: str | None = None, **kwargs: Any) -> TestResponse:
        return self.client.get("/api/v1" + path, headers=self.headers(as_), **kwargs)

    def send(self, method: str, path: str, body: Any = None, as_: str | None = ADMIN_EMAIL,
             **kwargs: Any) -> TestResponse:
        if body is not None:
            kwargs["json"] = body
        return self.client.open("/api/v1" + path, method=method, headers=self.headers(as_),
                                **kwargs)

    def run(self, function: Any) -> Any:
        with self.app.app_context():
            return function()


def seed_people() -> None:
    """A public member with a private phone, a discreet one, a disabled one, an animator."""
    public = accounts.create_account(PUBLIC_EMAIL, "Dominique Publique", None,
                                     commune_code="67475").member
    public.trade, public.phone, public.skills = PUBLIC_TRADE, PRIVATE_PHONE, ["marqueterie"]
    for group in (FieldGroup.IDENTITY, FieldGroup.SKILLS):
        public.set_visibility(group, Visibility.PUBLIC)
    public.set_visibility(FieldGroup.CONTACT, Visibility.PRIVATE)
    public.listings.append(Listing(kind="offer", title="Petites réparations de meubles"))
    discreet = accounts.create_account(DISCREET_EMAIL, "Claude Discrète", None).member
    discreet.set_visibility(FieldGroup.IDENTITY, Visibility.COMMUNITY)
    gone = accounts.create_account(DISABLED_EMAIL, "Ancien Membre", None,
                                   status=AccountStatus.DISABLED).member
    gone.set_visibility(FieldGroup.IDENTITY, Visibility.PUBLIC)
    accounts.create_account(ANIMATOR_EMAIL, "Sam Animatrice", None, role=Role.ANIMATOR)
    db.session.commit()


def soon(days: int, hour: int = 18) -> datetime:
    """A UTC time some days ahead, on the hour (well clear of 'now')."""
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return base.replace(hour=hour) + timedelta(days=days)


def seed_rencontres() -> dict[str, str]:
    """A venue, a public and a community-only rencontre; returns their UUIDs by name."""
    venue = Venue(name="Grange de Sparsbach", commune_code="67475", capacity=30)
    db.session.add(venue)
    db.session.flush()
    public = Event(title="Café des indépendants", starts_at=soon(10),
                   ends_at=soon(10) + timedelta(hours=2), visibility="public", venue=venue,
                   capacity=12)
    members_only = Event(title="Réunion des membres", starts_at=soon(12),
                         ends_at=soon(12) + timedelta(hours=1), visibility="community")
    db.session.add_all([public, members_only])
    db.session.commit()
    return {"public": public.uuid, "community": members_only.uuid, "venue": str(venue.id)}


@pytest.fixture
def api(any_db_app: Flask) -> Iterator[Api]:
    """The API on SQLite, then on PostgreSQL, with people and rencontres seeded."""
    with any_db_app.app_context():
        seed_people()
    yield Api(any_db_app, any_db_app.test_client())


@pytest.fixture
def lite_api(app: Flask) -> Iterator[Api]:
    """The same on SQLite only, for tests of parsing and formats (no database behaviour)."""
    with app.app_context():
        seed_people()
    yield Api(app, app.test_client())

