"""A test client carrying an account's Flask-Login session, set directly (no login form).

For tests whose subject is not signing in: the session holds the identifier that "strong"
session protection checks, so the app treats it as a real sign-in.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from node.extensions import db
from node.models import Account


def signed_in_client(app: Flask, email: str) -> FlaskClient:
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
