"""Light answers on both apps (webui.bandwidth): gzip, ETag and 304, who may cache what, and
year-long caching of versioned static files."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory.extensions import db as pays_db
from node.extensions import db
from node.models import Event
from tests.conftest import MEMBER_EMAIL, build_node
from tests.directory.conftest import COORDINATOR_EMAIL, build_directory
from tests.node.api.conftest import Api, seed_rencontres
from tests.security.conftest import directory_session
from tests.support.sessions import signed_in_client

GZIP = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[dict[str, Flask]]:
    built = {"node": build_node(tmp_path / "node"), "pays": build_directory(tmp_path / "pays")}
    with built["node"].app_context():
        seed_rencontres()
    yield built
    for app, database in ((built["node"], db), (built["pays"], pays_db)):
        with app.app_context():
            database.session.remove()
            database.engine.dispose()


def _public_event(app: Flask) -> str:
    with app.app_context():
        return str(db.session.scalars(db.select(Event.uuid).where(
            Event.visibility == "public")).one())


def _urls(apps: dict[str, Flask]) -> list[tuple[str, str]]:
    """Pages, feeds, the map (inline in the Pays home page) and API answers of both apps."""
    event = _public_event(apps["node"])
    return [("node", "/"), ("node", "/rencontres"), ("node", f"/rencontres/{event}"),
            ("node", "/rencontres.ics"), ("node", f"/rencontres/{event}.ics"),
            ("node", "/api/v1/events"), ("node", "/api/v1/openapi.json"),
            ("pays", "/"), ("pays", "/agenda"), ("pays", "/agenda.ics"),
            ("pays", "/statistiques"), ("pays", "/api/v1/territories")]


def test_pages_feeds_and_api_are_gzipped_with_a_validator_and_answer_304(
        apps: dict[str, Flask]) -> None:
    for app_name, url in _urls(apps):
        client = apps[app_name].test_client()
        plain = client.get(url)
        packed = client.get(url, headers=GZIP)
        assert plain.status_code == packed.status_code == 200, url
        assert "Accept-Encoding" in packed.headers["Vary"], url
        assert plain.headers.get("Content-Encoding") is None
        if len(plain.data) >= 500:
            assert packed.headers["Content-Encoding"] == "gzip", url
            assert gzip.decompress(packed.data) == plain.data, url
            assert len(packed.data) < len(plain.data), url
        for response, headers in ((plain, {}), (packed, GZIP)):
            etag = response.headers["ETag"]
            assert not etag.startswith("W/"), url
            again = client.get(url, headers={**headers, "If-None-Match": etag})
            assert again.status_code == 304 and again.data == b"", (url, headers)
            assert again.headers["ETag"] == etag
        assert plain.headers["ETag"] != packed.headers["ETag"] or len(plain.data) < 500
        assert re.search(r"no-cache|max-age=\d+", plain.headers["Cache-Control"]), url


def test_a_changed_page_is_sent_again(apps: dict[str, Flask]) -> None:
    client = apps["node"].test_client()
    first = client.get("/rencontres", headers=GZIP)
    with apps["node"].app_context():
        db.session.scalars(db.select(Event).where(
            Event.visibility == "public")).one().title = "Café des indépendants, déplacé"
        db.session.commit()
    again = client.get("/rencontres", headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "déplacé" in gzip.decompress(again.data).decode()


def test_what_depends_on_who_asks_is_private(apps: dict[str, Flask]) -> None:
    """A proxy shared by a village must never hand Camille's directory page, a coordinator's
    dashboard, a token's API answer, a CSRF token or a flash message to someone else."""
    node, pays = apps["node"], apps["pays"]
    anonymous = node.test_client().get("/rencontres")
    assert anonymous.headers["Cache-Control"] == "no-cache"  # the same for every visitor
    assert {"Accept-Language", "Cookie"} <= set(anonymous.headers["Vary"].split(", "))
    member = signed_in_client(node, MEMBER_EMAIL)
    for url in ("/membres", "/mon-profil", "/rencontres", "/"):
        response = member.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "private, no-cache", url
    coordinator = directory_session(pays, COORDINATOR_EMAIL)
    assert coordinator.get("/coordination/").headers["Cache-Control"] == "private, no-cache"
    api = Api(node, node.test_client())
    assert api.get("/events", as_=MEMBER_EMAIL).headers["Cache-Control"] == "private, no-cache"
    # A first visit that chooses a language gets a session cookie: private too.
    chosen = pays.test_client().get("/?lang=en")
    assert "Set-Cookie" in chosen.headers
    assert chosen.headers["Cache-Control"] == "private, no-cache"


def test_a_form_with_a_csrf_token_is_private(tmp_path: Path) -> None:
    app = build_node(tmp_path, WTF_CSRF_ENABLED=True)
    response = app.test_client().get("/connexion")
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-cache"
    with app.app_context():
        db.engine.dispose()


def test_no_store_answers_keep_it_and_get_no_validator(apps: dict[str, Flask]) -> None:
    admin = signed_in_client(apps["node"], "admin@example.org")
    for url in ("/admin/export/membres.csv", "/admin/jetons", "/mon-profil/export.json"):
        response = admin.get(url, headers=GZIP)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url
        assert "ETag" not in response.headers, url


def _stylesheet(client: FlaskClient) -> str:
    found = re.search(r'href="(/ui/static/chaleur\.css\?v=([0-9a-f]{12}))"',
                      client.get("/").get_data(as_text=True))
    assert found, "the stylesheet link carries its version"
    return found.group(1)


def _fetched(client: FlaskClient, url: str, **headers: str) -> tuple[int, dict[str, str],
                                                                   bytes]:
    """Status, headers and body of a GET; the response (an open file) is closed."""
    response = client.get(url, headers=headers)
    try:
        return response.status_code, dict(response.headers), response.get_data()
    finally:
        response.close()


def test_versioned_static_files_are_cached_for_a_year(apps: dict[str, Flask]) -> None:
    for app in apps.values():
        client = app.test_client()
        url = _stylesheet(client)
        status, headers, body = _fetched(client, url, **GZIP)
        assert status == 200
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["Content-Encoding"] == "gzip"
        assert b"--brand" in gzip.decompress(body)
        # No session for a static file: nothing that would make it vary with the cookie.
        assert "Cookie" not in headers.get("Vary", "")
        assert "Set-Cookie" not in headers
        again = _fetched(client, url, **GZIP, **{"If-None-Match": headers["ETag"]})
        assert again[0] == 304
        # An old version (or none) is not kept: the browser must ask again.
        for stale in ("/ui/static/chaleur.css?v=000000000000", "/ui/static/chaleur.css"):
            assert _fetched(client, stale)[1]["Cache-Control"] == "no-cache"


def test_the_version_follows_the_file(tmp_path: Path) -> None:
    """A changed stylesheet gets a new URL, so a year-long cache never keeps the old one."""
    import os

    from webui.bandwidth import init_bandwidth, static_version

    folder = tmp_path / "static"
    folder.mkdir()
    sheet = folder / "site.css"
    sheet.write_text("body { color: black }")
    app = Flask("versioned", static_folder=str(folder))
    app.config["SECRET_KEY"] = "test"
    init_bandwidth(app)
    with app.test_request_context():
        from flask import url_for

        first = url_for("static", filename="site.css")
        sheet.write_text("body { color: maroon }")
        os.utime(sheet, ns=(1, 1))  # a new modification time, as an upgrade gives
        second = url_for("static", filename="site.css")
        assert first != second and re.fullmatch(r"/static/site\.css\?v=[0-9a-f]{12}", second)
        assert static_version(app, "static", "../site.css") is None  # outside the folder
        assert static_version(app, "static", "missing.css") is None
        assert url_for("static", filename="missing.css") == "/static/missing.css"


def test_signed_federation_answers_are_left_as_signed(apps: dict[str, Flask]) -> None:
    """A Content-Digest covers the exact bytes: compressing them would break the signature."""
    from flask import Response

    app = apps["pays"]

    @app.get("/signed-test")
    def signed() -> Response:
        return Response("x" * 2000, mimetype="application/json",
                        headers={"Content-Digest": "sha-256=:AAAA:", "Signature": "sig=:AA:"})

    response = app.test_client().get("/signed-test", headers=GZIP)
    assert response.headers.get("Content-Encoding") is None
    assert "ETag" not in response.headers and response.data == b"x" * 2000
