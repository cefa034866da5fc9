"""``chaleur backup`` / ``chaleur restore``: a node comes back elsewhere under the same identity."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from node import create_app
from node.extensions import db
from node.models import Account, Event, Member, utcnow
from node.services.example_data import load_example_data
from tests.conftest import build_node, node_config


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Flask]:
    """A node with its secret in the instance folder, example data and two federation keys."""
    app = build_node(tmp_path / "a", SECRET_KEY=None)
    with app.app_context():
        load_example_data(members=12, seed=5)
        db.session.commit()
    keys = Path(app.instance_path) / "keys"
    keys.mkdir()
    private = keys / "node-ed25519.pem"
    private.write_text("-----BEGIN PRIVATE KEY-----\ninvented\n-----END PRIVATE KEY-----\n")
    private.chmod(0o600)
    public = keys / "node-ed25519.pub"
    public.write_text("invented public key\n")
    public.chmod(0o644)
    yield app
    _dispose(app)


def _fresh(path: Path) -> Flask:
    """A node on a new machine: nothing but the settings, as before any ``chaleur init``."""
    return create_app(node_config(path, SECRET_KEY=None))


def _rows(app: Flask) -> tuple[list[tuple[str, str, str]], list[str], int]:
    with app.app_context():
        members = [(m.uuid, m.display_name, m.visibility_identity)
                   for m in db.session.scalars(db.select(Member).order_by(Member.id))]
        events = list(db.session.scalars(db.select(Event.uuid).order_by(Event.id)))
        accounts = len(db.session.scalars(db.select(Account.id)).all())
    return members, events, accounts


def _backup(app: Flask, output: Path) -> str:
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(output)])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_round_trip_brings_back_rows_secret_and_key_modes(source: Flask, tmp_path: Path) -> None:
    archive = tmp_path / "sauvegarde.tar.gz"
    output = _backup(source, archive)
    assert "Sauvegarde écrite" in output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    target = _fresh(tmp_path / "b")
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Tiers-lieu de Sparsbach" in result.output
    _dispose(target)

    restored = _fresh(tmp_path / "b")  # a restart of the restored node
    assert _rows(restored) == _rows(source)
    assert len(_rows(restored)[0]) == 14  # the 2 seeded accounts and 12 example members
    assert restored.config["SECRET_KEY"] == (Path(source.instance_path) / "secret_key").read_text()
    keys = Path(restored.instance_path) / "keys"
    assert stat.S_IMODE((keys / "node-ed25519.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((keys / "node-ed25519.pub").stat().st_mode) == 0o644
    assert stat.S_IMODE((Path(restored.instance_path) / "secret_key").stat().st_mode) == 0o600
    assert (keys / "node-ed25519.pem").read_text().startswith("-----BEGIN PRIVATE KEY")
    _dispose(restored)


def test_manifest_describes_the_node(source: Flask, tmp_path: Path) -> None:
    archive = tmp_path / "sauvegarde.tar.gz"
    _backup(source, archive)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        manifest = json.loads(handle.read())
    assert names == {"manifest.json", "node.db", "secret_key", "keys/node-ed25519.pem",
                     "keys/node-ed25519.pub"}
    assert manifest["format"] == 1
    assert manifest["node_name"] == "Tiers-lieu de Sparsbach"
    assert manifest["database_included"] is True
    assert sorted(manifest["keys"]) == ["node-ed25519.pem", "node-ed25519.pub"]
    assert manifest["created_at"]


def test_backup_of_a_node_in_use_holds_committed_rows_only(source: Flask,
                                                           tmp_path: Path) -> None:
    """Taken while another connection is writing, the copy is the last committed state."""
    archive = tmp_path / "sauvegarde.tar.gz"
    with source.app_context():
        db.session.add(Event(title="Pas encore enregistrée", starts_at=utcnow(),
                             ends_at=utcnow()))
        db.session.flush()  # written inside an open transaction, not committed
        _backup(source, archive)
        db.session.rollback()
    target = _fresh(tmp_path / "b")
    assert target.test_cli_runner().invoke(args=["restore", str(archive)]).exit_code == 0
    _dispose(target)
    assert _rows(_fresh(tmp_path / "b"))[1] == _rows(source)[1]


def test_restore_refuses_an_existing_node_without_force(source: Flask, tmp_path: Path) -> None:
    archive = tmp_path / "sauvegarde.tar.gz"
    _backup(source, archive)
    other = build_node(tmp_path / "c")  # an initialised node with other data
    database = Path(other.instance_path) / "node.db"
    before = database.read_bytes()

    result = other.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "--force" in result.output
    assert "Traceback" not in result.output
    assert database.read_bytes() == before
    assert not (Path(other.instance_path) / "keys").exists()

    forced = other.test_cli_runner().invoke(args=["restore", str(archive), "--force"])
    assert forced.exit_code == 0, forced.output
    _dispose(other)
    assert _rows(_fresh(tmp_path / "c"))[0] == _rows(source)[0]


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "pas-une-sauvegarde.tar.gz"
    bogus.write_bytes(b"rien a voir")
    app = _fresh(tmp_path / "b")
    result = app.test_cli_runner().invoke(args=["restore", str(bogus)])
    assert result.exit_code == 1
    assert "n'est pas une sauvegarde Chaleur" in result.output
    missing = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "absent.tar.gz")])
    assert missing.exit_code == 1
    assert "introuvable" in missing.output


def test_restore_refuses_paths_outside_the_instance(tmp_path: Path) -> None:
    archive = tmp_path / "piege.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("manifest.json", json.dumps({"format": 1}).encode()),
                           ("secret_key", b"x" * 32), ("keys/../../evil", b"evil")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    app = _fresh(tmp_path / "b")
    secret_before = (Path(app.instance_path) / "secret_key").read_text()
    result = app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "élément inattendu" in result.output
    assert not (tmp_path / "evil").exists()
    assert (Path(app.instance_path) / "secret_key").read_text() == secret_before


def test_postgresql_backup_names_pg_dump_and_hides_the_password(tmp_path: Path) -> None:
    app = create_app(node_config(
        tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://chaleur:s3cret-pw@db.local/node"))
    archive = tmp_path / "cles.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", "-o", str(archive)])
    assert result.exit_code == 0, result.output
    assert "PAS dans cette archive" in result.output
    assert 'pg_dump --format=custom --file=chaleur.dump "postgresql://chaleur@db.local/node"' \
        in result.output
    assert "s3cret-pw" not in result.output
    with tarfile.open(archive) as tar:
        assert "node.db" not in tar.getnames()
    assert os.path.exists(archive)


def test_a_truncated_archive_is_reported_without_traceback(source: Flask, tmp_path: Path) -> None:
    archive = tmp_path / "sauvegarde.tar.gz"
    _backup(source, archive)
    truncated = tmp_path / "coupee.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    app = _fresh(tmp_path / "b")
    result = app.test_cli_runner().invoke(args=["restore", str(truncated)])
    assert result.exit_code == 1
    assert "Erreur" in result.output and "Rien n'a été modifié" in result.output
    assert isinstance(result.exception, SystemExit)
    assert not (Path(app.instance_path) / "node.db").exists()
