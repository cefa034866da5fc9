"""The node's identity: init creates it, the node document shows it, rotation replaces it."""

from __future__ import annotations

import stat
from pathlib import Path

from flask import Flask

from federation.keys import fingerprint, load_public_key_b64
from federation.nodedoc import validate_node_document
from node import create_app
from node.extensions import db
from node.models import NodeIdentity, NodeKey
from tests.conftest import node_config
from tests.federation_e2e.directory_double import DirectoryDouble


def init(tmp_path: Path, *extra: str) -> tuple[Flask, str]:
    app = create_app(node_config(tmp_path))
    result = app.test_cli_runner().invoke(args=[
        "init", "--name", "Tiers-lieu de Westhouse-Marmoutier", "--communes", "67475",
        "--admin-email", "admin@example.org", "--admin-password", "correct-horse-battery",
        *extra])
    return app, result.output


def test_init_creates_a_private_key_and_prints_its_fingerprint(tmp_path: Path) -> None:
    app, output = init(tmp_path)
    with app.app_context():
        identity = db.session.scalars(db.select(NodeIdentity)).one()
        key = db.session.get_one(NodeKey, identity.current_keyid)
        printed = fingerprint(load_public_key_b64(key.public_key))
    assert identity.node_id == "tiers-lieu-de-westhouse-marmoutier"
    assert printed in output
    pem = Path(app.instance_path) / "keys" / f"{identity.current_keyid}.pem"
    secret = Path(app.instance_path) / "feed_secret"
    for path in (pem, secret):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "PRIVATE" not in output
    again = app.test_cli_runner().invoke(args=["federation", "fingerprint"])
    assert printed in again.output


def test_init_refuses_an_invalid_node_id_and_writes_nothing(tmp_path: Path) -> None:
    app, output = init(tmp_path, "--node-id", "Pas_Valide")
    assert "identifiant de nœud invalide" in output
    assert not (Path(app.instance_path) / "keys").exists()
    with app.app_context():
        assert db.session.scalars(db.select(NodeIdentity)).first() is None


def test_node_document_lists_the_current_key(app: Flask) -> None:
    answer = app.test_client().get("/.well-known/chaleur-node")
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.chaleur.node+json"
    document = validate_node_document(answer.get_json())
    assert document["base_url"] == "http://node.test"
    assert document["communes"] == ["67475", "67527"]
    assert [key["keyid"] for key in document["keys"]] == ["sparsbach:k1"]
    assert document["contact"]["email"] == "admin@example.org"  # no community e-mail set


def test_rotate_key_announces_the_new_document_signed_with_the_old_key(
        app: Flask, directory: DirectoryDouble) -> None:
    runner = app.test_cli_runner()
    joined = runner.invoke(args=["federation", "join", "--directory", directory.origin,
                                 "--fingerprint", directory.fingerprint])
    assert joined.exit_code == 0, joined.output
    directory.node_document = None
    result = runner.invoke(args=["federation", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "signé avec sparsbach:k1" in result.output
    # The directory double verified the announcement with the keys it lists, k1 included.
    assert directory.node_document is not None
    assert directory.join_signer == "sparsbach:k1"
    keys = {key["keyid"]: key["status"] for key in directory.node_document["keys"]}
    assert keys == {"sparsbach:k2": "active", "sparsbach:k1": "retiring"}
    with app.app_context():
        assert db.session.scalars(db.select(NodeIdentity)).one().current_keyid == "sparsbach:k2"
    served = app.test_client().get("/.well-known/chaleur-node").get_json()
    assert [key["keyid"] for key in served["keys"]] == ["sparsbach:k2", "sparsbach:k1"]
    assert "grace_until" in served["keys"][1]
    pem = Path(app.instance_path) / "keys" / "sparsbach:k2.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600


def test_rotate_key_without_directory_only_rotates(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["federation", "rotate-key"])
    assert result.exit_code == 0 and "rien à annoncer" in result.output
