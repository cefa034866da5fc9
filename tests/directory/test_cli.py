"""``python -m directory``: init, coordinators, nodes list and decisions."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from directory import create_app
from directory.extensions import db
from directory.models import AdmissionDecision, Coordinator, Peer, PeerStatus
from directory.services.peers import register_join_request
from tests.directory.conftest import SPARSBACH, directory_config


def test_init_creates_schema_and_first_coordinator(tmp_path: Path) -> None:
    app = create_app(directory_config(tmp_path))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init", "--email", "Pays@Example.org",
                                 "--password", "un-mot-de-passe-long"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(Coordinator.email)).all() == ["pays@example.org"]
        db.engine.dispose()
    again = runner.invoke(args=["create-coordinator", "--email", "pays@example.org",
                                "--password", "un-mot-de-passe-long"])
    assert again.exit_code == 1 and "existe déjà" in again.output
    short = runner.invoke(args=["create-coordinator", "--email", "b@example.org",
                                "--password", "court"])
    assert short.exit_code == 1 and "10 caractères" in short.output


def test_nodes_commands(app: Flask) -> None:
    register_join_request({"id": "https://neuwiller.example", "name": "Neuwiller"}, "SHA256:n")
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["nodes", "list"])
    assert "https://neuwiller.example\tpending" in listing.output
    assert f"{SPARSBACH}\tadmitted" in listing.output
    misheard = runner.invoke(args=["nodes", "admit", "https://neuwiller.example",
                                   "--fingerprint", "SHA256:m"])
    assert misheard.exit_code == 1 and "empreinte différente" in misheard.output
    result = runner.invoke(args=["nodes", "admit", "https://neuwiller.example",
                                 "--reason", "Réunion du 3 mars", "--by", "Léa",
                                 "--fingerprint", "sha256-N"])
    assert result.exit_code == 0, result.output
    assert "https://neuwiller.example : admis" in result.output
    db.session.expire_all()
    peer = db.session.scalars(select(Peer).where(Peer.node_id == "https://neuwiller.example")
                              ).one()
    assert peer.status == PeerStatus.ADMITTED
    decision = db.session.scalars(select(AdmissionDecision)).one()
    assert (decision.by, decision.reason) == ("Léa", "Réunion du 3 mars")
    assert runner.invoke(args=["nodes", "suspend", SPARSBACH]).exit_code == 0
    wrong = runner.invoke(args=["nodes", "refuse", SPARSBACH])
    assert wrong.exit_code == 1 and "Décision impossible" in wrong.output
    unknown = runner.invoke(args=["nodes", "admit", "https://nowhere.example"])
    assert unknown.exit_code == 1 and "inconnu" in unknown.output
