"""Fixtures of the member area: signed-in clients for each kind of viewer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.models import Role
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL
from tests.node.members.people import ANIMATOR_EMAIL, create_person, sign_in


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
