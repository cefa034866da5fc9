"""With CSRF protection on (as in production): forged posts are refused, real forms work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import Account, Community
from tests.conftest import ADMIN_EMAIL, build_node
from tests.node.admin.conftest import sign_in


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[tuple[Flask, FlaskClient]]:
    app = build_node(tmp_path, WTF_CSRF_ENABLED=True)
    client = sign_in(app, app.test_client(), ADMIN_EMAIL)
    yield app, client
    with app.app_context():
        db.engine.dispose()


def token(html: str, name: str = "csrf_token") -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html) or re.search(
        rf'type="hidden" name="{name}" value="([^"]+)"', html) or re.search(
        rf'id="{name}" name="{name}" type="hidden" value="([^"]+)"', html)
    assert match, f"no {name} in page"
    return match.group(1)


def test_forged_settings_post_is_refused(guarded: tuple[Flask, FlaskClient]) -> None:
    app, client = guarded
    response = client.post("/admin/communaute", data={"name": "Piraté", "communes": "67475",
                                                      "signup_mode": "request"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(db.select(Community)).one().name == "Tiers-lieu de Sparsbach"


def test_import_flow_works_with_csrf(guarded: tuple[Flask, FlaskClient]) -> None:
    app, client = guarded
    page = client.get("/admin/import").get_data(as_text=True)
    body = "nom;email\nLou Potière;lou@example.org\n".encode()
    preview = client.post("/admin/import", data={"csrf_token": token(page),
                                                 "file": (BytesIO(body), "m.csv")},
                          content_type="multipart/form-data").get_data(as_text=True)
    upload = token(preview, "upload")
    forged = client.post("/admin/import/confirmer", data={"upload": upload})
    assert forged.status_code == 400
    done = client.post("/admin/import/confirmer",
                       data={"upload": upload, "csrf_token": token(preview)})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalars(
            db.select(Account).where(Account.email == "lou@example.org")).one()
