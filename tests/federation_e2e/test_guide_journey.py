"""The French guide, run as written: four commands from nothing to « waiting for admission ».

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
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.deploy.cli import logical_lines
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.processes import ROOT, free_port, wait_for

pytestmark = pytest.mark.slow

GUIDE = ROOT / "docs" / "guide"
EXAMPLE_DIRECTORY = "https://annuaire.pays-saverne.example"
EXAMPLE_FINGERPRINT = "K7QX-2M4T-9HZD-LW3P-5RNB"
EXAMPLE_PUBLIC_URL = "https://dettwiller.pays-saverne.example"
_SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)


def guide_lines(chapter: str, section: str = "") -> list[str]:
    """The shell lines of a chapter (from the heading ``section`` on), as written."""
    text = (GUIDE / chapter).read_text(encoding="utf-8")
    if section:
        text = text[text.index(section):]
    return [line for block in _SH_BLOCK.findall(text) for line in logical_lines(block)
            if line and not line.startswith("#")]


@pytest.fixture
def pays(tmp_path: Path) -> Iterator[DirectoryProcess]:
    directory = DirectoryProcess(tmp_path)
    directory.init()
    directory.start()
    yield directory
    directory.close()


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
    finally:
        village.stop()
