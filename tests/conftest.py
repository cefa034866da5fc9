"""Fixtures shared by the whole suite: a node app per test, a loopback SMTP server, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node import create_app
from node.extensions import db
from node.models import Account, Community, Member, Role
from node.services import accounts
from tests.support.postgres import fresh_database
from tests.support.smtp import Mailbox, smtp_server

ADMIN_EMAIL = "admin@example.org"
MEMBER_EMAIL = "camille@example.org"
PASSWORD = "correct-horse-battery"


def node_config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PUBLIC_URL": "http://node.test",
        "SERVER_NAME": None,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "file",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # scrypt costs ~1 s per seeded node
    }
    config.update(overrides)
    return config


def build_node(tmp_path: Path, **overrides: Any) -> Flask:
    """A node with its schema created and a seeded community, admin and one member."""
    app = create_app(node_config(tmp_path, **overrides))
    with app.app_context():
        db.create_all()
        db.session.add(Community(name="Tiers-lieu de Sparsbach", communes=["67475", "67527"],
                                 description="Rencontres d'indépendants à Sparsbach.",
                                 contact_name="Léa Exemple", contact_role="Animatrice"))
        accounts.create_account(ADMIN_EMAIL, "Alix Admin", PASSWORD, role=Role.ADMIN,
                                commune_code="67475")
        accounts.create_account(MEMBER_EMAIL, "Camille Testeuse", PASSWORD,
                                commune_code="67475")
        db.session.commit()
    return app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = build_node(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The seeded node on SQLite, then on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        app = build_node(tmp_path)
        yield app
        with app.app_context():
            db.engine.dispose()
        return
    with fresh_database() as url:
        app = build_node(tmp_path, SQLALCHEMY_DATABASE_URI=url)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str = MEMBER_EMAIL, password: str = PASSWORD) -> Any:
        return self.client.post("/connexion", data={"email": email, "password": password})

    def login_admin(self) -> Any:
        return self.login(ADMIN_EMAIL, PASSWORD)

    def logout(self) -> Any:
        return self.client.post("/deconnexion")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Mailbox]:
    """A loopback SMTP server, with the app switched to send through it."""
    with smtp_server() as (box, port):
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        yield box


def member_by_email(email: str) -> Member:
    account = db.session.scalars(db.select(Account).where(Account.email == email)).one()
    return account.member  # type: ignore[no-any-return]


def respond_now(*args: Any, **kwargs: Any) -> Any:
    """``rsvps.respond`` as a view uses it: answer, commit, then mail (services only flush)."""
    from node.services import rsvps

    answer = rsvps.respond(*args, **kwargs)
    db.session.commit()
    rsvps.answered(answer)
    return answer


@pytest.fixture(autouse=True, scope="module")
def no_served_process_outlives_its_module() -> Iterator[None]:
    """A module's real node or directory processes stop with it, even when its fixture
    failed half-way (they would slow every later module, and warn when collected)."""
    yield
    from tests.federation_e2e.processes import close_leftovers

    close_leftovers()
