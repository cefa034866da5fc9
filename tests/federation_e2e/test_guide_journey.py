"""The French guide, run as written: four commands from nothing to « waiting for admission »,
the coordinator's admission, then chapter 5's backup and restores (in place, new folder).

A volunteer of Dettwiller follows chapter 2 (without Docker) and chapter 3 against a real
Pays directory process. The commands come from the guide's own ``sh`` blocks; only what
cannot run here is stood in for, and said so:

* ``git clone`` and ``pip install .`` are this checkout and the test's interpreter (the
  lines must still be in the guide, in that order);
* ``.venv/bin/chaleur`` is ``python -m node`` on this checkout;
* the guide's example directory address and fingerprint become the real directory's, and the
  example public address a free loopback port (a village's https address cannot be served
  here). The admin password comes from ``CHALEUR_ADMIN_PASSWORD``, as the guide says scripts do.

Every command runs in the village's folder with no ``CHALEUR_*`` variable: the settings file
written by ``setup`` is all a second terminal needs.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from node import create_app
from node.extensions import db
from node.models import FieldGroup, Member, Visibility
from node.services import accounts
from node.services.members import delete_member
from tests.deploy.cli import logical_lines
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.processes import ROOT, free_port, wait_for
from tests.federation_e2e.test_pays_network import stored_records

pytestmark = pytest.mark.slow

GUIDE = ROOT / "docs" / "guide"
EXAMPLE_DIRECTORY = "https://annuaire.pays-saverne.example"
EXAMPLE_FINGERPRINT = "K7QX-2M4T-9HZD-LW3P-5RNB"
EXAMPLE_PUBLIC_URL = "https://dettwiller.pays-saverne.example"
EXAMPLE_NODE_FINGERPRINT = "PUFK-EFWJ-G55E-ZEXA-C4GG"
EXAMPLE_ARCHIVE = "/srv/sauvegardes/chaleur-sparsbach.tar.gz"
_SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)


def guide_lines(chapter: str, section: str = "") -> list[str]:
    """The shell lines of a chapter (from the heading ``section`` on), as written."""
    text = (GUIDE / chapter).read_text(encoding="utf-8")
    if section:
        text = text[text.index(section):]
    return [line for block in _SH_BLOCK.findall(text) for line in logical_lines(block)
            if line and not line.startswith("#")]


class Village:
    """A folder where the volunteer types the guide's commands, with no exported setting."""

    def __init__(self, folder: Path, pays: DirectoryProcess) -> None:
        self.folder, self.pays = folder, pays
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("CHALEUR_")}
        self.env = {**env, "PYTHONPATH": str(ROOT), "CHALEUR_ADMIN_PASSWORD": "dettwiller-2026",
                    "CHALEUR_SERVE_PORT": str(self.port)}
        self.server: subprocess.Popen[bytes] | None = None

    def words(self, line: str) -> list[str]:
        line = (line.replace(EXAMPLE_DIRECTORY, self.pays.url)
                .replace(EXAMPLE_FINGERPRINT, self.pays.fingerprint)
                .replace(EXAMPLE_PUBLIC_URL, self.url))
        words = shlex.split(line)
        assert words[0] == ".venv/bin/chaleur", line
        return [sys.executable, "-m", "node", *words[1:]]

    def run(self, line: str, *, second_terminal: bool = False) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in self.env.items()
               if not (second_terminal and key.startswith("CHALEUR_"))}
        return subprocess.run(self.words(line), cwd=self.folder, env=env, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)

    def serve(self, line: str) -> None:
        log = (self.folder / "serve.log").open("ab")
        env = {key: value for key, value in self.env.items() if not key.startswith("CHALEUR_")}
        self.server = subprocess.Popen(self.words(line), cwd=self.folder, env=env, stdout=log,
                                       stderr=subprocess.STDOUT)
        log.close()
        wait_for(lambda: _answers(self.url), timeout=30)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(10)
            self.server = None


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_four_commands_from_nothing_to_waiting_for_admission(
        tmp_path: Path, pays: DirectoryProcess) -> None:
    chapter2 = guide_lines("2-installer-le-noeud.md", "## B. Sans Docker")
    assert chapter2[0].startswith("git clone ") and chapter2[0].endswith("&& cd chaleur")
    assert chapter2[1] == "python3 -m venv .venv && .venv/bin/pip install ."
    assert chapter2[2] == ".venv/bin/chaleur setup"
    assert chapter2[3] == ".venv/bin/chaleur serve"
    chapter3 = guide_lines("3-rejoindre-le-reseau-du-pays.md", "## Étape 2")
    setup, serve = chapter3[0], chapter3[1]
    assert setup.startswith(".venv/bin/chaleur setup ") and "--commune 67089" in setup
    assert serve == chapter2[3]

    folder = tmp_path / "chaleur"
    folder.mkdir()
    village = Village(folder, pays)
    try:
        installed = village.run(setup)
        assert installed.returncode == 0, installed.stdout + installed.stderr
        out = installed.stdout
        assert "Commune : Dettwiller (67089)" in out
        assert f"empreinte vérifiée : {pays.fingerprint}" in out
        assert "Admission : en attente de la coordination du Pays." in out
        assert (folder / "instance" / "settings.toml").is_file()
        assert not (ROOT / ".venv" / "var").exists()

        village.serve(serve)
        assert "Indépendants de Dettwiller" in requests.get(village.url + "/", timeout=5).text

        # A second terminal: no variable at all, the settings file is enough.
        status = village.run(".venv/bin/chaleur federation status", second_terminal=True)
        assert status.returncode == 0, status.stderr
        # Requested, or already seen as not usable yet by the server's first push.
        assert re.search(r"^Admission : (demandée, en attente de la coordination du Pays|"
                         r"pas encore admis)", status.stdout, re.M), status.stdout
        assert "À faire :" in status.stdout and "coordination" in status.stdout
        assert village.url in (folder / "instance" / "settings.toml").read_text()

        listed = pays.cli("nodes", "list").stdout
        assert re.search(r"^dettwiller\tpending\t", listed, re.M), listed

        # Chapter 3, step 4: the coordinator types the fingerprint heard on the phone.
        heard = re.search(r"empreinte de la clé : (\S+)", out)
        assert heard is not None
        admit = next(line for line in guide_lines("3-rejoindre-le-reseau-du-pays.md")
                     if line.startswith("chaleur-directory nodes admit"))
        words = shlex.split(admit.replace(EXAMPLE_NODE_FINGERPRINT, heard.group(1)))
        assert "admis" in pays.cli(*words[1:]).stdout
        kept = add_member(folder / "instance", "Avant Sauvegarde")
        removed = add_member(folder / "instance", "Supprimée Après")
        wait_for(lambda: live_ids(pays, "dettwiller") == {kept, removed}, timeout=30)

        # Chapter 5: back up, change, restore in place, then on a new folder.
        chapter5 = guide_lines("5-sauvegarder-et-mettre-a-jour.md")
        archive = tmp_path / "sauvegarde.tar.gz"
        backup, in_place, serve_again, elsewhere = (
            line.replace(EXAMPLE_ARCHIVE, str(archive)) for line in (
                next(line for line in chapter5 if line.startswith(".venv/bin/chaleur backup")),
                next(line for line in chapter5 if line.startswith(".venv/bin/chaleur restore")
                     and line.endswith("--force")),
                chapter2[3],
                next(line for line in chapter5 if line.startswith(".venv/bin/chaleur restore")
                     and not line.endswith("--force"))))
        assert village.run(backup, second_terminal=True).returncode == 0
        remove_member(folder / "instance", removed)
        later = add_member(folder / "instance", "Créée Après")
        wait_for(lambda: live_ids(pays, "dettwiller") == {kept, later}, timeout=30)
        busy = village.run(in_place, second_terminal=True)
        assert busy.returncode == 1 and "le nœud est en service" in busy.stderr
        village.stop()
        restored = village.run(in_place, second_terminal=True)
        assert restored.returncode == 0, restored.stderr
        village.serve(serve_again)
        wait_for(lambda: live_ids(pays, "dettwiller") == {kept, removed}, timeout=30)

        village.stop()
        new_folder = tmp_path / "nouvelle-machine" / "chaleur"
        new_folder.mkdir(parents=True)
        moved = Village(new_folder, pays)
        moved.port, moved.url = village.port, village.url
        restored = moved.run(elsewhere, second_terminal=True)
        assert restored.returncode == 0, restored.stderr
        assert (new_folder / "instance" / "settings.toml").is_file()
        moved.serve(serve_again)
        try:
            assert "Indépendants de Dettwiller" in requests.get(moved.url + "/", timeout=5).text
        finally:
            moved.stop()
    finally:
        village.stop()


def add_member(instance: Path, name: str) -> str:
    """A member who shares their profile with the network (as on the site's profile page)."""
    app = create_app({"INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING"})
    with app.app_context():
        email = f"{re.sub(r'[^a-z]', '', name.lower())}@dettwiller.example"
        member = accounts.create_account(email, name, "dettwiller-2026",
                                         commune_code="67089").member
        member.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
        db.session.commit()
        member_uuid = str(member.uuid)
        db.session.remove()
        db.engine.dispose()
    return member_uuid


def remove_member(instance: Path, member_uuid: str) -> None:
    app = create_app({"INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING"})
    with app.app_context():
        after_commit = delete_member(db.session.scalars(
            db.select(Member).where(Member.uuid == member_uuid)).one())
        db.session.commit()
        after_commit()
        db.session.remove()
        db.engine.dispose()


def live_ids(pays: DirectoryProcess, node_id: str) -> set[str]:
    return {uid for uid, row in stored_records(pays, node_id).items()
            if row["type"] == "member" and not row["deleted"]}
