"""Fixtures of the rencontre service tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from node.extensions import db
from node.models import Member
from node.services import accounts
from tests.conftest import PASSWORD


@pytest.fixture
def ctx(any_db_app: Flask) -> Iterator[Flask]:
    """The seeded node (SQLite, then PostgreSQL) with a request context pushed (services
    format dates in the reader's language, which needs one)."""
    with any_db_app.test_request_context():
        yield any_db_app


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.test_request_context():
        yield app


@pytest.fixture
def new_member() -> Callable[[str], Member]:
    """Add an active member (needs an app context)."""

    def make(name: str) -> Member:
        slug = name.lower().replace(" ", ".")
        account = accounts.create_account(f"{slug}@example.org", name, PASSWORD,
                                          commune_code="67475")
        db.session.commit()
        return account.member

    return make
