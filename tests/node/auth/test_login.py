"""Sign-in and sign-out through the real form."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import AccountStatus, Community, SignupMode
from node.services import accounts
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD, AuthActions, build_node
from tests.node.auth.support import add_account, csrf_token_from

GENERIC_ERROR = "Adresse e-mail ou mot de passe incorrect."


def _signed_in(client: FlaskClient) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def test_login_page_has_labelled_fields(client: FlaskClient) -> None:
    html = client.get("/connexion").get_data(as_text=True)
    assert '<label for="email"' in html and '<label for="password"' in html
    assert html.count("<h1>") == 1


def test_login_signs_in_and_records_the_time(app: Flask, auth: AuthActions,
                                             client: FlaskClient) -> None:
    with app.app_context():
        assert accounts.find_account(MEMBER_EMAIL).last_login_at is None  # type: ignore[union-attr]
    response = auth.login()
    assert response.status_code == 302
    assert response.location == "/"
    assert _signed_in(client)
    with app.app_context():
        assert accounts.find_account(MEMBER_EMAIL).last_login_at is not None  # type: ignore[union-attr]


def test_email_is_case_insensitive(auth: AuthActions, client: FlaskClient) -> None:
    assert auth.login(email="  Camille@Example.ORG ").status_code == 302
    assert _signed_in(client)


def test_wrong_password_and_unknown_email_answer_the_same(client: FlaskClient) -> None:
    known = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": "wrong-password"})
    unknown = client.post("/connexion", data={"email": "nobody@example.org",
                                              "password": "wrong-password"})
    assert known.status_code == unknown.status_code == 200
    assert GENERIC_ERROR in known.get_data(as_text=True)
    known_body = known.get_data(as_text=True).replace(MEMBER_EMAIL, "EMAIL")
    unknown_body = unknown.get_data(as_text=True).replace("nobody@example.org", "EMAIL")
    assert known_body == unknown_body
    assert not _signed_in(client)


def test_unknown_email_still_checks_a_password_hash(app: Flask,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real_check = accounts.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real_check(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    with app.app_context():
        assert accounts.authenticate("nobody@example.org", "whatever-password") is None
    method = app.config["PASSWORD_HASH_METHOD"].split(":")[0]
    assert len(checked) == 1 and checked[0].startswith(method + ":")


@pytest.mark.parametrize("status", [AccountStatus.REFUSED, AccountStatus.DISABLED])
def test_refused_and_disabled_accounts_get_the_generic_error(
        app: Flask, client: FlaskClient, status: AccountStatus) -> None:
    add_account(app, "blocked@example.org", status=status)
    response = client.post("/connexion", data={"email": "blocked@example.org",
                                               "password": PASSWORD})
    assert response.status_code == 200
    assert GENERIC_ERROR in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_pending_account_told_to_wait_only_with_the_right_password(
        app: Flask, client: FlaskClient) -> None:
    add_account(app, "waiting@example.org", status=AccountStatus.PENDING)
    wrong = client.post("/connexion", data={"email": "waiting@example.org",
                                            "password": "wrong-password"})
    assert "en attente" not in wrong.get_data(as_text=True)
    assert GENERIC_ERROR in wrong.get_data(as_text=True)
    right = client.post("/connexion", data={"email": "waiting@example.org",
                                            "password": PASSWORD})
    assert right.status_code == 200
    assert "demande d&#39;adhésion est en attente" in right.get_data(as_text=True)
    assert not _signed_in(client)


def test_login_starts_a_fresh_session(auth: AuthActions, client: FlaskClient) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
        session["lang"] = "en"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"
        assert "_user_id" in session


@pytest.mark.parametrize("target", ["/rencontres", "/admin/membres?x=1"])
def test_safe_next_is_followed(client: FlaskClient, target: str) -> None:
    page = client.get("/connexion", query_string={"next": target}).get_data(as_text=True)
    assert f'value="{target.replace("&", "&amp;")}"' in page
    response = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": PASSWORD,
                                                "next": target})
    assert response.location == target


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)",
    "evil.example", "/\t/evil.example", "http:/evil.example",
])
def test_open_redirect_refused(client: FlaskClient, target: str) -> None:
    response = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": PASSWORD,
                                                "next": target})
    assert response.status_code == 302
    assert response.location == "/"


def test_signed_in_visitor_skips_the_login_form(auth: AuthActions,
                                                client: FlaskClient) -> None:
    auth.login()
    response = client.get("/connexion?next=/rencontres")
    assert response.status_code == 302 and response.location == "/rencontres"


def test_next_from_the_query_string_is_checked_too(client: FlaskClient) -> None:
    response = client.post("/connexion?next=//evil.example",
                           data={"email": MEMBER_EMAIL, "password": PASSWORD})
    assert response.location == "/"


def test_logout_ends_the_session(auth: AuthActions, client: FlaskClient) -> None:
    auth.login()
    assert client.get("/deconnexion").status_code == 405
    assert _signed_in(client)
    response = auth.logout()
    assert response.status_code == 302
    assert not _signed_in(client)
    assert client.get("/admin/membres").status_code == 302


def test_disabled_while_signed_in_loses_access(app: Flask, auth: AuthActions,
                                               client: FlaskClient) -> None:
    auth.login_admin()
    assert client.get("/admin/membres").status_code == 200
    with app.app_context():
        accounts.find_account(ADMIN_EMAIL).status = AccountStatus.DISABLED.value  # type: ignore[union-attr]
        db.session.commit()
    assert client.get("/admin/membres").status_code == 302


class TestWithCsrf:
    @pytest.fixture
    def csrf_client(self, tmp_path: Path) -> FlaskClient:
        return build_node(tmp_path, WTF_CSRF_ENABLED=True).test_client()

    def test_login_without_token_is_refused(self, csrf_client: FlaskClient) -> None:
        response = csrf_client.post("/connexion", data={"email": MEMBER_EMAIL,
                                                        "password": PASSWORD})
        assert response.status_code == 400
        assert not _signed_in(csrf_client)

    def test_login_and_logout_with_tokens(self, csrf_client: FlaskClient) -> None:
        token = csrf_token_from(csrf_client.get("/connexion").get_data(as_text=True))
        response = csrf_client.post("/connexion", data={"email": MEMBER_EMAIL,
                                                        "password": PASSWORD,
                                                        "csrf_token": token})
        assert response.status_code == 302
        assert csrf_client.post("/deconnexion").status_code == 400
        assert _signed_in(csrf_client)
        page = csrf_client.get("/").get_data(as_text=True)
        nav_token = csrf_token_from(page)
        assert csrf_client.post("/deconnexion", data={"csrf_token": nav_token}).status_code == 302
        assert not _signed_in(csrf_client)

    def test_join_without_token_is_refused(self, csrf_client: FlaskClient) -> None:
        response = csrf_client.post("/adhesion", data={
            "display_name": "Sam", "email": "sam@example.org", "password": "a-long-password"})
        assert response.status_code == 400


class TestRateLimit:
    @pytest.fixture
    def limited(self, tmp_path: Path) -> Flask:
        return build_node(tmp_path, RATELIMIT_ENABLED=True,
                          LOGIN_RATE_LIMIT="3 per minute", SIGNUP_RATE_LIMIT="2 per minute")

    def test_too_many_logins_from_one_ip_get_a_french_429(self, limited: Flask) -> None:
        client = limited.test_client()
        for _ in range(3):
            client.post("/connexion", data={"email": f"x{_}@example.org", "password": "nope"})
        response = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": PASSWORD})
        assert response.status_code == 429
        html = response.get_data(as_text=True)
        assert "Trop de tentatives" in html and '<html lang="fr">' in html
        assert not _signed_in(client)
        assert client.get("/connexion").status_code == 200

    def test_one_address_is_limited_across_ips(self, limited: Flask) -> None:
        client = limited.test_client()
        for number in range(3):
            client.post("/connexion", data={"email": MEMBER_EMAIL, "password": "nope"},
                        environ_base={"REMOTE_ADDR": f"10.0.0.{number}"})
        response = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": PASSWORD},
                               environ_base={"REMOTE_ADDR": "10.0.0.99"})
        assert response.status_code == 429
        other = client.post("/connexion", data={"email": ADMIN_EMAIL, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.0.0.98"})
        assert other.status_code == 302

    def test_join_limit_counts_requests_sent_not_typos(self, limited: Flask) -> None:
        """A newcomer who mistypes their form three times can still send it; once two
        requests went through, the next one waits."""
        with limited.app_context():
            db.session.scalars(db.select(Community)).one().signup_mode = SignupMode.REQUEST
            db.session.commit()
        client = limited.test_client()
        typos = [{"display_name": "Lou", "email": "lou@example", "password": PASSWORD},
                 {"display_name": "", "email": "lou@example.org", "password": PASSWORD},
                 {"display_name": "Lou", "email": "lou@example.org", "password": "court"}]
        assert [client.post("/adhesion", data=form).status_code for form in typos] == \
            [200, 200, 200]
        sent = [client.post("/adhesion", data={"display_name": f"Lou {n}", "password": PASSWORD,
                                               "email": f"lou{n}@example.org"}).status_code
                for n in range(3)]
        assert sent == [302, 302, 429]

    def test_password_reset_is_rate_limited(self, limited: Flask) -> None:
        client = limited.test_client()
        statuses = [client.post("/mot-de-passe/oubli",
                                data={"email": f"p{n}@example.org"}).status_code
                    for n in range(3)]
        assert statuses == [200, 200, 429]
