"""`chaleur federation join` against a real directory double on loopback."""

from __future__ import annotations

from typing import Any

from flask import Flask

from node.extensions import db
from node.models import Peer, PeerKey
from tests.federation_e2e.conftest import free_port
from tests.federation_e2e.directory_double import DirectoryDouble


def join(app: Flask, url: str, fingerprint: str) -> Any:
    return app.test_cli_runner().invoke(
        args=["federation", "join", "--directory", url, "--fingerprint", fingerprint])


def stored(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(db.select(db.func.count(Peer.id))) or 0,
                db.session.scalar(db.select(db.func.count(PeerKey.keyid))) or 0)


def test_matching_fingerprint_joins_and_prints_our_fingerprint(
        app: Flask, directory: DirectoryDouble) -> None:
    result = join(app, directory.origin + "/", directory.fingerprint.lower())
    assert result.exit_code == 0, result.output
    with app.app_context():
        from node.peering.identity import current_fingerprint

        assert current_fingerprint() in result.output
    assert "coordinateur" in result.output
    assert stored(app) == (1, 1)
    assert directory.node_document is not None
    assert directory.node_document["node_id"] == "sparsbach"


def test_fingerprint_mismatch_is_refused_and_nothing_is_stored(
        app: Flask, directory: DirectoryDouble) -> None:
    result = join(app, directory.origin, "AAAA-BBBB-CCCC-DDDD-EEEE")
    assert result.exit_code == 1
    assert "empreinte différente" in result.output
    assert directory.fingerprint in result.output
    assert stored(app) == (0, 0)
    assert directory.node_document is None  # no join request was sent


def test_name_already_taken_is_explained(app: Flask, directory: DirectoryDouble) -> None:
    directory.join_status = 409
    result = join(app, directory.origin, directory.fingerprint)
    assert result.exit_code == 1
    assert "déjà un nœud sous ce nom" in result.output
    assert stored(app) == (0, 0)


def test_unreachable_directory_is_explained(app: Flask) -> None:
    result = join(app, f"http://127.0.0.1:{free_port()}", "AAAA-BBBB-CCCC-DDDD-EEEE")
    assert result.exit_code == 1
    assert "injoignable" in result.output
    assert stored(app) == (0, 0)


def test_private_address_is_refused_unless_allowed(app: Flask,
                                                   directory: DirectoryDouble) -> None:
    app.config["FEDERATION_ALLOW_PRIVATE"] = False
    result = join(app, directory.origin, directory.fingerprint)
    assert result.exit_code == 1 and "injoignable" in result.output
    assert directory.node_document is None and stored(app) == (0, 0)


def test_status_shows_directory_admission_and_outbox(app: Flask,
                                                     directory: DirectoryDouble) -> None:
    assert join(app, directory.origin, directory.fingerprint).exit_code == 0
    runner = app.test_cli_runner()
    pushed = runner.invoke(args=["federation", "push", "--once"])
    assert "en attente : key_not_usable" in pushed.output
    status = runner.invoke(args=["federation", "status"])
    assert "annuaire" in status.output and "not_usable" in status.output
    assert "0 en échec" in status.output
    directory.admitted = True
    pushed = runner.invoke(args=["federation", "push", "--once"])
    assert "0 à réessayer" in pushed.output and "remis" in pushed.output
    status = runner.invoke(args=["federation", "status"])
    assert "admitted" in status.output and "0 en attente" in status.output
