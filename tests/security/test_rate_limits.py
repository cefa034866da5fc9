"""Rate limits: sign-in, joining and password reset of a node, and the coordinator's sign-in,
answer 429 once the configured number of attempts is spent.

Flask-Limiter keeps its state per process (memory://), so each test builds a fresh app.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from node.extensions import db
from node.models import SignupMode
from node.services.community import current_community
from tests.directory.conftest import COORDINATOR_EMAIL
from tests.security.conftest import MEMBER_EMAIL, PASSWORD

LIMITED = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
           "LOGIN_RATE_LIMIT": "4 per minute", "SIGNUP_RATE_LIMIT": "3 per minute"}


def _statuses(client: object, path: str, forms: list[dict[str, str]],
              address: str = "192.0.2.1") -> list[int]:
    return [client.post(path, data=form,  # type: ignore[attr-defined]
                        environ_base={"REMOTE_ADDR": address}).status_code for form in forms]


def test_login_is_limited_per_address_and_per_email(make_node: Callable[..., Flask]) -> None:
    app = make_node(**LIMITED)
    client = app.test_client()
    wrong = {"email": MEMBER_EMAIL, "password": "pas-le-bon-1"}
    # One address trying many accounts: the 5th post is refused.
    many = [{"email": f"x{i}@example.org", "password": "pas-le-bon-1"} for i in range(5)]
    assert _statuses(client, "/connexion", many) == [200, 200, 200, 200, 429]
    # One account tried from many addresses: the 5th failure is refused too.
    spread = [_statuses(client, "/connexion", [wrong], f"198.51.100.{i}")[0] for i in range(5)]
    assert spread == [200, 200, 200, 200, 429]
    # The refusal is the rate-limit page, and then even the right password waits.
    response = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "198.51.100.99"})
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_successful_logins_do_not_lock_the_account(make_node: Callable[..., Flask]) -> None:
    app = make_node(**LIMITED)
    right = {"email": MEMBER_EMAIL, "password": PASSWORD}
    statuses = [_statuses(app.test_client(), "/connexion", [right], f"203.0.113.{i}")[0]
                for i in range(6)]
    assert statuses == [302] * 6


def test_join_and_reset_are_limited(make_node: Callable[..., Flask]) -> None:
    app = make_node(**LIMITED)
    with app.test_request_context():
        community = current_community()
        assert community is not None
        community.signup_mode = SignupMode.REQUEST
        db.session.commit()
    client = app.test_client()
    joins = [{"display_name": f"Lou {i}", "email": f"lou{i}@example.org",
              "password": PASSWORD, "commune": "67475"} for i in range(4)]
    assert _statuses(client, "/adhesion", joins) == [302, 302, 302, 429]
    resets = [{"email": MEMBER_EMAIL}] * 4
    assert _statuses(client, "/mot-de-passe/oubli", resets, "192.0.2.7") == [200, 200, 200, 429]


def test_coordinator_login_is_limited(make_directory: Callable[..., Flask]) -> None:
    app = make_directory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                         LOGIN_RATE_LIMIT="3 per minute")
    wrong = [{"email": COORDINATOR_EMAIL, "password": "pas-le-bon"}] * 4
    assert _statuses(app.test_client(), "/coordination/connexion", wrong) == [200, 200, 200, 429]


def test_coordinator_account_is_limited_from_any_address(
        make_directory: Callable[..., Flask]) -> None:
    """Guessing the coordinator's password from many addresses hits a per-account limit."""
    app = make_directory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                         LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    wrong = {"email": COORDINATOR_EMAIL, "password": "pas-le-bon"}
    spread = [_statuses(client, "/coordination/connexion", [wrong], f"198.51.100.{i}")[0]
              for i in range(4)]
    assert spread == [200, 200, 200, 429]
