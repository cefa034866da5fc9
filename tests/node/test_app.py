"""The app factory and the shared shell every page carries."""

import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient


def test_home_page_is_french_by_default_and_names_the_community(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Tiers-lieu de Sparsbach" in html


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_is_a_french_404_without_traceback(client: FlaskClient) -> None:
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_unknown_api_path_answers_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_two_nodes_run_side_by_side(app: Flask, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import build_node

    other = build_node(tmp_path / "other")
    assert other.instance_path != app.instance_path
    assert other.test_client().get("/").status_code == 200


def test_change_capture_is_wired_by_create_app_not_by_an_import(tmp_path: Path) -> None:
    """In a fresh interpreter: importing every node module attaches no session hook; the
    app factory attaches them to the node's own session class only."""
    import subprocess
    import sys

    script = f"""
import json
from sqlalchemy import event
from sqlalchemy.orm import Session
import node, node.models, node.sharing.changes as changes, node.models.base as base
from node.extensions import NodeSession
hooks = [("after_flush", changes._capture_changes), ("before_flush", base.bump_versions),
         ("before_flush", changes._touch_dependents)]
def attached(cls):
    return [event.contains(cls, name, hook) for name, hook in hooks]
before = attached(NodeSession)
node.create_app({{"INSTANCE_PATH": {str(tmp_path)!r}, "SECRET_KEY": "x" * 32,
                  "TESTING": True}})
print(json.dumps([before, attached(NodeSession), attached(Session)]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=60, check=True)
    before, after, on_every_session = json.loads(done.stdout.strip().splitlines()[-1])
    assert before == [False, False, False]
    assert after == [True, True, True]
    assert on_every_session == [False, False, False]
