"""Fixtures of the security suite: nodes and directories built with production-like switches,
clients signed in by role, and a snapshot of every table to prove a refusal wrote nothing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

from node.extensions import db
from node.models import Account, Role
from node.services import accounts
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD, build_node
from tests.directory.conftest import build_directory

ANIMATOR_EMAIL = "animatrice@example.org"
HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x")'
EVIL = f"{FORMULA} {HOSTILE}"  # starts with "=": a CSV cell that a spreadsheet would run

__all__ = ["ADMIN_EMAIL", "ANIMATOR_EMAIL", "EVIL", "FORMULA", "HOSTILE", "MEMBER_EMAIL",
           "PASSWORD"]


def close(app: Flask, database: SQLAlchemy = db) -> None:
    with app.app_context():
        database.session.remove()
        database.engine.dispose()


@pytest.fixture
def make_node(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build seeded nodes (each in its own folder), disposed of after the test."""
    built: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = build_node(tmp_path / f"node{len(built)}", **overrides)
        with app.app_context():
            accounts.create_account(ANIMATOR_EMAIL, "Ana Animatrice", PASSWORD,
                                    role=Role.ANIMATOR, commune_code="67475")
            db.session.commit()
        built.append(app)
        return app

    yield make
    for app in built:
        close(app)


@pytest.fixture
def make_directory(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    from directory.extensions import db as directory_db

    built: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = build_directory(tmp_path / f"directory{len(built)}", **overrides)
        built.append(app)
        return app

    yield make
    for app in built:
        close(app, directory_db)


def session_for(app: Flask, email: str) -> FlaskClient:
    """A client carrying the Flask-Login session of ``email`` (no form, so no CSRF token)."""
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


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def login_form(client: FlaskClient, email: str, password: str = PASSWORD,
               path: str = "/connexion") -> Any:
    """Sign in through the real form, with its CSRF token when the app checks them."""
    page = client.get(path).get_data(as_text=True)
    data = {"email": email, "password": password}
    if 'name="csrf_token"' in page:
        data["csrf_token"] = csrf_token(page)
    return client.post(path, data=data)


def table_snapshot(app: Flask, database: SQLAlchemy = db,
                   ignore: tuple[str, ...] = ()) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the sorted rows of every table (except ``ignore``)."""
    found: dict[str, tuple[int, str]] = {}
    with app.app_context():
        database.session.remove()
        for table in database.metadata.sorted_tables:
            if table.name in ignore:
                continue
            rows = database.session.execute(text(f'SELECT * FROM "{table.name}"')).all()
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            found[table.name] = (len(rows), digest)
        database.session.remove()
    return found


def all_rows_text(app: Flask, database: SQLAlchemy = db) -> dict[str, list[str]]:
    """Every row of every table as text, to look for a value anywhere in the database."""
    found: dict[str, list[str]] = {}
    with app.app_context():
        database.session.remove()
        for table in database.metadata.sorted_tables:
            rows = database.session.execute(text(f'SELECT * FROM "{table.name}"')).all()
            found[table.name] = [repr(tuple(row)) for row in rows]
        database.session.remove()
    return found


def directory_session(app: Flask, email: str) -> FlaskClient:
    """A directory client carrying the session of the coordinator ``email``."""
    from directory.extensions import db as directory_db
    from directory.models import Coordinator

    client = app.test_client()
    with app.app_context():
        coordinator = directory_db.session.scalars(
            directory_db.select(Coordinator).where(Coordinator.email == email)).one()
        account_id = coordinator.get_id()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = account_id
        session["_fresh"] = True
        session["_id"] = identifier
    return client


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MACHINE_PREFIXES = ("/api/", "/federation/")


def write_rules(app: Flask) -> list[Any]:
    """Every URL rule taking a state-changing method, outside the token/signature areas."""
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.methods and rule.methods & WRITE_METHODS
                   and not rule.rule.startswith(MACHINE_PREFIXES)),
                  key=lambda rule: rule.rule)
