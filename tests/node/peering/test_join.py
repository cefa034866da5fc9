"""`chaleur federation join` against a real directory double on loopback."""

from __future__ import annotations

from typing import Any

import pytest
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


def test_a_refused_connection_says_nothing_listens_there(app: Flask) -> None:
    result = join(app, f"http://127.0.0.1:{free_port()}", "AAAA-BBBB-CCCC-DDDD-EEEE")
    assert result.exit_code == 1
    assert "connexion refusée" in result.output and "rien n'écoute à ce port" in result.output
    assert "privée" not in result.output and "empreinte" not in result.output
    assert stored(app) == (0, 0)


def test_a_silent_directory_is_told_apart_from_a_refusal(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from node.peering import directory as directory_module

    class QuickClient(directory_module.SignedClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.timeouts = (1.0, 1.0)

    monkeypatch.setattr(directory_module, "SignedClient", QuickClient)
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        result = join(app, f"http://127.0.0.1:{silent.getsockname()[1]}", "AAAA-BBBB")
    assert result.exit_code == 1
    assert "ne répond pas à temps" in result.output and "refusée" not in result.output


def test_an_unknown_name_is_a_spelling_problem(app: Flask) -> None:
    result = join(app, "http://annuaire.invalid", "AAAA-BBBB-CCCC-DDDD-EEEE")
    assert result.exit_code == 1
    assert "« annuaire.invalid » est introuvable" in result.output


def test_private_address_names_the_setting_that_allows_it(app: Flask,
                                                          directory: DirectoryDouble) -> None:
    app.config["FEDERATION_ALLOW_PRIVATE"] = False
    result = join(app, directory.origin, directory.fingerprint)
    assert result.exit_code == 1
    assert "127.0.0.1 est une adresse privée ou locale" in result.output
    assert "FEDERATION_ALLOW_PRIVATE = true" in result.output
    assert "jamais pour un annuaire sur Internet" in result.output
    assert directory.node_document is None and stored(app) == (0, 0)


def test_status_shows_directory_admission_and_outbox(app: Flask,
                                                     directory: DirectoryDouble) -> None:
    assert join(app, directory.origin, directory.fingerprint).exit_code == 0
    runner = app.test_cli_runner()
    pushed = runner.invoke(args=["federation", "push", "--once"])
    assert "en attente : key_not_usable" in pushed.output
    status = runner.invoke(args=["federation", "status"])
    assert "Admission : pas encore admis, ou suspendu par la coordination" in status.output
    assert "À faire : appelez la coordination du Pays" in status.output
    assert "Dernier problème : le nœud n'est pas (encore) admis" in status.output
    assert "not_usable:" not in status.output and "key_not_usable: " not in status.output
    assert "0 en échec" in status.output
    directory.admitted = True
    pushed = runner.invoke(args=["federation", "push", "--once"])
    assert "0 à réessayer" in pushed.output and "remis" in pushed.output
    status = runner.invoke(args=["federation", "status"])
    assert "Admission : admis (" in status.output and "0 en attente" in status.output


def test_status_without_directory_says_how_to_join(app: Flask) -> None:
    status = app.test_cli_runner().invoke(args=["federation", "status"])
    assert status.exit_code == 0
    assert "Annuaire : aucun. À faire : « chaleur federation join --directory" in status.output


def test_status_explains_a_private_address_refusal() -> None:
    from node.commands.federation import explain_push_error

    text = explain_push_error("address_refused: injoignable")
    assert "FEDERATION_ALLOW_PRIVATE = true" in text and "redémarrez" in text
