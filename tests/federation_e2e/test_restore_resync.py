"""A restore keeps the network right: the Pays matches the restored node, with real processes.

A node shares members with a real Pays directory, is backed up, then changes (one member
deleted, one created). Restored in place, then on a new folder without ``init``, the node
starts a new feed epoch; the Pays's next read is answered ``resync_required`` and it reads the
whole node again: the deleted member comes back, the later one disappears.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from node.extensions import db
from node.models import Member
from node.services.members import delete_member
from tests.federation_e2e.conftest import NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_pays_network import add_member, stored_records

pytestmark = pytest.mark.slow


def live_ids(pays: DirectoryProcess, node_id: str) -> set[str]:
    return {uid for uid, row in stored_records(pays, node_id).items()
            if row["type"] == "member" and not row["deleted"]}


def remove_member(node: NodeProcess, member_uuid: str) -> None:
    with node.app().app_context():
        after_commit = delete_member(db.session.scalars(
            db.select(Member).where(Member.uuid == member_uuid)).one())
        db.session.commit()
        after_commit()
        db.session.remove()


def test_restores_in_place_and_elsewhere_bring_the_pays_back_in_step(
        tmp_path: Path, pays: DirectoryProcess) -> None:
    node = NodeProcess(tmp_path, "dettwiller")
    node.init("Indépendants de Dettwiller", "67089")
    node.cli("federation", "join", "--directory", pays.url, "--fingerprint", pays.fingerprint)
    node.start()
    moved: NodeProcess | None = None
    try:
        pays.cli("nodes", "admit", "dettwiller")
        kept = add_member(node, "Avant Sauvegarde")
        removed = add_member(node, "Supprimée Après")
        wait_for(lambda: {kept, removed} <= live_ids(pays, "dettwiller"), timeout=30)

        archive = tmp_path / "dettwiller.tar.gz"
        saved = node.cli("backup", "--output", str(archive)).stdout
        assert "feed_secret" in saved and "settings.toml" not in saved  # no setup file here

        remove_member(node, removed)
        later = add_member(node, "Créée Après")
        wait_for(lambda: live_ids(pays, "dettwiller") >= {kept, later}
                 and removed not in live_ids(pays, "dettwiller"), timeout=30)

        busy = node.cli("restore", str(archive), "--force", check=False)
        assert busy.returncode == 1
        assert "le nœud est en service" in busy.stderr and "Arrêtez-le d'abord" in busy.stderr

        node.stop()
        restored = node.cli("restore", str(archive), "--force").stdout
        assert "Fil des changements renuméroté (époque " in restored
        with node.app().app_context():  # the test's own connections saw the replaced file
            db.engine.dispose()
        node.start()
        wait_for(lambda: live_ids(pays, "dettwiller") == {kept, removed}, timeout=30)

        # After the in-place restore, one more change, then the node moves to a new folder.
        extra = add_member(node, "Ajoutée Avant Déménagement")
        wait_for(lambda: extra in live_ids(pays, "dettwiller"), timeout=30)
        node.stop()
        moved = NodeProcess(tmp_path / "nouvelle-machine", "dettwiller")
        moved.port, moved.url = node.port, node.url
        moved.env.update(CHALEUR_PUBLIC_URL=node.url)
        assert not moved.instance.exists()
        back = moved.cli("restore", str(archive)).stdout  # no init, no --force
        assert "Fil des changements renuméroté" in back
        moved.start()
        wait_for(lambda: live_ids(pays, "dettwiller") == {kept, removed}, timeout=30)
    finally:
        node.close()
        if moved is not None:
            moved.close()
