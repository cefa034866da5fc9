"""API tokens: the admin page shows a token once, stores its hash only, and revokes it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import ApiToken, Venue
from tests.conftest import MEMBER_EMAIL, build_node
from tests.node.admin.conftest import sign_in
from tests.node.api.conftest import ANIMATOR_EMAIL, Api

TOKEN_IN_PAGE = re.compile(r'value="(chl_[A-Za-z0-9_-]+)"')


def _create(client: FlaskClient, name: str = "Site de la mairie") -> tuple[int, str]:
    response = client.post("/admin/jetons", data={"name": name})
    return response.status_code, response.get_data(as_text=True)


def test_token_shown_once_hash_stored_then_revoked(lite_api: Api, app: Flask) -> None:
    admin = sign_in(app, app.test_client(), "admin@example.org")
    status, page = _create(admin)
    assert status == 201
    found = TOKEN_IN_PAGE.search(page)
    assert found, page
    secret = found.group(1)

    stored = lite_api.run(lambda: db.session.scalars(db.select(ApiToken)).one())
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.name == "Site de la mairie" and stored.last_used_at is None
    assert secret not in {getattr(stored, column.name) for column in ApiToken.__table__.columns}

    listing = admin.get("/admin/jetons")
    assert listing.status_code == 200
    assert secret not in listing.get_data(as_text=True)  # never shown again
    assert "Site de la mairie" in listing.get_data(as_text=True)

    used = lite_api.client.post("/api/v1/venues", json={"name": "Grange",
                                                        "commune_code": "67475"},
                                headers={"Authorization": f"Bearer {secret}"})
    assert used.status_code == 201
    token_id = lite_api.run(lambda: db.session.scalars(db.select(ApiToken)).one().id)
    assert lite_api.run(lambda: db.session.get(ApiToken, token_id).last_used_at) is not None

    revoked = admin.post(f"/admin/jetons/{token_id}/revoquer")
    assert revoked.status_code == 302
    refused = lite_api.client.get("/api/v1/venues",
                                  headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert lite_api.run(lambda: db.session.get(ApiToken, token_id).revoked_at) is not None


def test_token_page_is_for_admins_only(lite_api: Api, app: Flask) -> None:
    for email in (MEMBER_EMAIL, ANIMATOR_EMAIL):
        client = sign_in(app, app.test_client(), email)
        assert client.get("/admin/jetons").status_code == 403
        assert _create(client)[0] == 403
    assert app.test_client().get("/admin/jetons").status_code == 302  # to the login page
    assert lite_api.run(lambda: db.session.scalars(db.select(ApiToken)).all()) == []


def test_token_needs_a_name(lite_api: Api, app: Flask) -> None:
    admin = sign_in(app, app.test_client(), "admin@example.org")
    status, page = _create(admin, "   ")
    assert status == 422
    assert "Donnez un nom au jeton" in page
    assert not TOKEN_IN_PAGE.search(page)
    status, page = _create(admin, "Mairie\x00")
    assert status == 422 and "caractère invisible interdit (U+0000" in page
    assert lite_api.run(lambda: db.session.scalars(db.select(ApiToken)).all()) == []


def test_token_creation_and_revocation_need_csrf(tmp_path: Path) -> None:
    app = build_node(tmp_path, WTF_CSRF_ENABLED=True)
    admin = sign_in(app, app.test_client(), "admin@example.org")
    assert admin.post("/admin/jetons", data={"name": "Sans jeton CSRF"}).status_code == 400
    with app.app_context():
        assert db.session.scalars(db.select(ApiToken)).all() == []


def test_a_signed_in_session_does_not_authorise_api_writes(lite_api: Api, app: Flask) -> None:
    """The API is CSRF-exempt because only a token authorises writes, never the cookie."""
    admin = sign_in(app, app.test_client(), "admin@example.org")
    response = admin.post("/api/v1/venues", json={"name": "Grange", "commune_code": "67475"})
    assert response.status_code == 401
    assert lite_api.run(lambda: db.session.scalars(db.select(Venue)).all()) == []
