"""The network copy (signed by the directory, verified, stored) and the Réseau page."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import NetworkCopy
from node.sharing.network_copy import pull_network_copy
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.federation_e2e.directory_double import DirectoryDouble

OTHER_VILLAGE = "westhouse"


def envelope(kind: str, record_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "id": record_id, "origin": OTHER_VILLAGE, "version": 1,
            "updated": "2026-01-01T00:00:00Z", "deleted": False, "payload": payload}


def other_village(directory: DirectoryDouble) -> None:
    member_id = "3f0c8a52-4b1e-4d7a-9c2e-5a6b7c8d9e0f"
    directory.extra_network = {
        "territories": [envelope("community", "8d6f1a2b-3c4d-4e5f-8a7b-9c0d1e2f3a4b",
                                 {"name": "Tiers-lieu de Westhouse", "communes": ["67475"]})],
        "members": [envelope("member", member_id,
                             {"display_name": "Dominique Exemple", "trade": "Vannière"})],
        "listings": [envelope("listing", "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
                              {"kind": "offer", "title": "Paniers sur mesure",
                               "member_id": member_id})],
        "events": [envelope("event", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                            {"title": "Marché des artisans", "starts_at": "2099-05-01T08:00:00Z",
                             "ends_at": "2099-05-01T12:00:00Z"}),
                   envelope("event", "2a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                            {"title": "Rencontre passée", "starts_at": "2001-05-01T08:00:00Z"})],
    }


def signed_in(app: Flask) -> FlaskClient:
    """A client with a member's session (the login form belongs to another area)."""
    from flask_login.utils import _create_identifier

    client = app.test_client()
    with app.app_context():
        account_id = member_by_email(MEMBER_EMAIL).account_id
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update({"_user_id": str(account_id), "_fresh": True, "_id": identifier})
    return client


def joined(app: Flask, directory: DirectoryDouble) -> None:
    result = app.test_cli_runner().invoke(args=[
        "federation", "join", "--directory", directory.origin,
        "--fingerprint", directory.fingerprint])
    assert result.exit_code == 0, result.output
    directory.admitted = True


def test_page_explains_when_there_is_no_copy_yet(app: Flask) -> None:
    assert app.test_client().get("/reseau").status_code == 302  # members only
    client = signed_in(app)
    page = client.get("/reseau").get_data(as_text=True)
    assert "Pas encore de nouvelles du réseau" in page
    assert "chaleur federation join" in page


def test_pulled_copy_is_shown_and_survives_the_directory_going_down(
        app: Flask, directory: DirectoryDouble) -> None:
    joined(app, directory)
    other_village(directory)
    result = app.test_cli_runner().invoke(args=["federation", "pull-network"])
    assert result.exit_code == 0, result.output

    client = signed_in(app)
    page = client.get("/reseau").get_data(as_text=True)
    for text in ("Tiers-lieu de Westhouse", "Dominique Exemple", "Vannière",
                 "Paniers sur mesure", "Marché des artisans", "Copie du"):
        assert text in page, text
    assert "Rencontre passée" not in page
    assert "n'a pas répondu" not in page

    directory.stop()
    with app.app_context():
        assert pull_network_copy().ok is False
    page = client.get("/reseau").get_data(as_text=True)
    assert "Marché des artisans" in page  # the copy is still readable
    assert "n'a pas répondu" in page


def test_copy_with_a_bad_signature_is_not_stored(app: Flask,
                                                 directory: DirectoryDouble) -> None:
    joined(app, directory)
    other_village(directory)
    from tests.federation_e2e.directory_double import directory_key

    impostor = directory_key(7)  # a key the node never stored
    original = directory.signed

    def sign_with_impostor(environ: dict[str, Any], status: int, payload: dict[str, Any]) -> Any:
        directory.key = impostor
        try:
            return original(environ, status, payload)
        finally:
            from tests.federation_e2e.directory_double import directory_key as real

            directory.key = real()

    directory.signed = sign_with_impostor  # type: ignore[method-assign]
    with app.app_context():
        result = pull_network_copy()
        assert result.ok is False and "key_unknown" in result.message
        copy = db.session.get(NetworkCopy, 1)
        assert copy is not None and copy.data is None


def test_invalid_records_in_the_copy_are_refused(app: Flask, directory: DirectoryDouble) -> None:
    joined(app, directory)
    directory.extra_network = {"members": [envelope("member", "3f0c8a52-4b1e-4d7a-9c2e-"
                                                    "5a6b7c8d9e0f", {"trade": "sans nom"})]}
    with app.app_context():
        result = pull_network_copy()
        assert result.ok is False and "payload_invalid" in result.message
        assert db.session.get_one(NetworkCopy, 1).data is None


def test_the_pull_holds_no_database_lock_while_the_directory_answers(
        app: Flask, directory: DirectoryDouble) -> None:
    """While the Pays takes its time to answer, a member signing in (a write) must not wait
    for the pull: nothing of the pull is written before the answer is there."""
    import sqlite3

    joined(app, directory)
    with app.app_context():
        assert pull_network_copy().ok  # the row exists: the next pull updates it
        path = str(db.engine.url.database)
    original = directory.network
    writes: list[str] = []

    def answer_while_a_member_writes(environ: dict[str, Any], body: bytes) -> Any:
        other = sqlite3.connect(path, timeout=0.5)
        try:
            other.execute("CREATE TABLE IF NOT EXISTS lock_probe (x INTEGER)")
            other.commit()
            writes.append("written")
        except sqlite3.OperationalError as error:
            writes.append(str(error))
        finally:
            other.close()
        return original(environ, body)

    directory.network = answer_while_a_member_writes  # type: ignore[method-assign]
    with app.app_context():
        assert pull_network_copy().ok
    assert writes == ["written"]
