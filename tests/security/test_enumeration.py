"""Account enumeration: the answers never tell whether an address has an account."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from node.extensions import db
from node.models import SignupMode
from node.services import accounts
from node.services.community import current_community
from node.services.mail_queue import mail_queue_of
from tests.directory.conftest import COORDINATOR_EMAIL
from tests.security.conftest import MEMBER_EMAIL, PASSWORD

UNKNOWN_EMAIL = "personne@example.org"
PASSWORD_METHOD = "pbkdf2:sha256:1000"  # the test config's method


def _normalised(body: str, *emails: str) -> str:
    """The body with the typed address and any CSRF token blanked out."""
    for email in emails:
        body = body.replace(email, "EMAIL")
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1TOKEN", body)


def _open_signup(app: Flask) -> None:
    with app.test_request_context():
        community = current_community()
        assert community is not None
        community.signup_mode = SignupMode.REQUEST
        db.session.commit()


def test_login_unknown_address_reads_like_a_wrong_password(
        make_node: Callable[..., Flask]) -> None:
    app = make_node()
    client = app.test_client()
    unknown = client.post("/connexion", data={"email": UNKNOWN_EMAIL, "password": PASSWORD})
    wrong = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": "pas-le-bon-1"})
    assert unknown.status_code == wrong.status_code == 200
    assert _normalised(unknown.get_data(as_text=True), UNKNOWN_EMAIL) == _normalised(
        wrong.get_data(as_text=True), MEMBER_EMAIL)
    right = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": PASSWORD})
    assert right.status_code == 302  # the comparison above is between two refusals


def test_password_reset_answers_the_same_for_any_address(
        make_node: Callable[..., Flask]) -> None:
    app = make_node()
    client = app.test_client()
    known = client.post("/mot-de-passe/oubli", data={"email": MEMBER_EMAIL})
    unknown = client.post("/mot-de-passe/oubli", data={"email": UNKNOWN_EMAIL})
    assert known.status_code == unknown.status_code == 200
    assert _normalised(known.get_data(as_text=True), MEMBER_EMAIL) == _normalised(
        unknown.get_data(as_text=True), UNKNOWN_EMAIL)
    assert mail_queue_of(app).flush(10)  # the link leaves after the answer
    mail = list(Path(app.instance_path).glob("mail/*"))
    assert len(mail) == 1  # only the real account got a link


def test_join_with_an_existing_address_reads_like_a_new_one(
        make_node: Callable[..., Flask]) -> None:
    app = make_node()
    _open_signup(app)
    answers = []
    for email in (MEMBER_EMAIL, "nouvelle@example.org"):
        client = app.test_client()
        response = client.post("/adhesion", data={
            "display_name": "Lou Potière", "email": email, "password": PASSWORD,
            "trade": "Potière", "commune": "67475", "message": "Bonjour"})
        followed = client.get(response.headers.get("Location", "/"))
        answers.append((response.status_code, response.headers.get("Location"),
                        _normalised(followed.get_data(as_text=True), email)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302


def test_unknown_addresses_cost_the_same_hashing(make_node: Callable[..., Flask],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """No discovery by timing: sign-in and joining do the same password work (same method,
    same number of hash operations) whether the address has an account or not."""
    app = make_node()
    _open_signup(app)
    work: list[str] = []
    from werkzeug.security import check_password_hash as real_check
    from werkzeug.security import generate_password_hash as real_hash


    def check(pwhash: str, password: str) -> bool:
        work.append("check:" + pwhash.split("$", 1)[0])
        return real_check(pwhash, password)

    def generate(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
        work.append("hash:" + method)
        return real_hash(password, method=method, salt_length=salt_length)

    monkeypatch.setattr(accounts, "check_password_hash", check)
    monkeypatch.setattr(accounts, "generate_password_hash", generate)
    accounts._dummy_hash.cache_clear()
    app.test_client().post("/connexion", data={"email": "warm@example.org", "password": "x"})
    traces = []
    for email in (MEMBER_EMAIL, UNKNOWN_EMAIL):
        work.clear()
        app.test_client().post("/connexion", data={"email": email, "password": "pas-le-bon"})
        app.test_client().post("/adhesion", data={
            "display_name": "Lou", "email": email, "password": PASSWORD, "commune": "67475"})
        traces.append(list(work))
    assert traces[0] == traces[1]
    assert traces[0] and all(PASSWORD_METHOD in step for step in traces[0])


def test_coordinator_login_does_not_tell_which_part_is_wrong(
        make_directory: Callable[..., Flask]) -> None:
    app = make_directory()
    client = app.test_client()
    unknown = client.post("/coordination/connexion",
                          data={"email": UNKNOWN_EMAIL, "password": "pays-de-saverne-2026"})
    wrong = client.post("/coordination/connexion",
                        data={"email": COORDINATOR_EMAIL, "password": "pas-le-bon"})
    assert unknown.status_code == wrong.status_code == 200
    assert _normalised(unknown.get_data(as_text=True), UNKNOWN_EMAIL) == _normalised(
        wrong.get_data(as_text=True), COORDINATOR_EMAIL)
