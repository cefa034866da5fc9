"""Fixtures of the member area: people at each visibility level and signed-in clients.

Sign-in sets the Flask-Login session directly (the login form belongs to the auth area), with
the session identifier that "strong" session protection checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from node.extensions import db
from node.models import Account, FieldGroup, Member, Role, Visibility
from node.services import accounts
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD

ANIMATOR_EMAIL = "anim@example.org"


def sign_in(app: Flask, email: str) -> FlaskClient:
    """A test client signed in as ``email``."""
    client = app.test_client()
    with app.app_context():
        account = db.session.scalars(db.select(Account).where(Account.email == email)).one()
        account_id = account.get_id()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = account_id
        session["_fresh"] = True
        session["_id"] = identifier
    return client


def create_person(email: str, name: str, *, role: Role = Role.MEMBER,
                  level: Visibility | None = None, **fields: Any) -> Member:
    """A member with the given fields; ``level`` sets all four groups to one visibility."""
    account = accounts.create_account(email, name, PASSWORD, role=role)
    member = account.member
    for field_name, value in fields.items():
        setattr(member, field_name, value)
    if level is not None:
        for group in FieldGroup:
            member.set_visibility(group, level)
    db.session.commit()
    return member


@pytest.fixture
def signed_in(app: Flask) -> Callable[[str], FlaskClient]:
    return lambda email=MEMBER_EMAIL: sign_in(app, email)


@pytest.fixture
def member_client(app: Flask) -> FlaskClient:
    return sign_in(app, MEMBER_EMAIL)


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    return sign_in(app, ADMIN_EMAIL)


@pytest.fixture
def animator_client(app: Flask) -> FlaskClient:
    with app.app_context():
        create_person(ANIMATOR_EMAIL, "Ana Animatrice", role=Role.ANIMATOR)
    return sign_in(app, ANIMATOR_EMAIL)
