"""``chaleur setup`` asked in a terminal: French questions, defaults kept with Entrée."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.node.commands.test_command_line import REPO

#: Question (start) → what the volunteer types ("" keeps the default shown in brackets).
ANSWERS = [("Nom de la communauté", "Indépendants de Dettwiller"),
           ("Commune (code INSEE ou nom)", "dettwiller"),
           ("Identifiant sur le réseau [independants-de-dettwiller]", ""),
           ("Port du site [5249]", ""),
           ("Adresse publique du site [http://127.0.0.1:5249]", ""),
           ("Adresse e-mail de l'administrateur", "animation@dettwiller.example"),
           ("Nom affiché de l'administrateur [Administrateur]", "Léa Exemple"),
           ("Mot de passe de l'administrateur", "dettwiller-2026"),
           ("Confirmez", "dettwiller-2026"),
           ("Adresse de l'annuaire du Pays (vide : plus tard)", ""),
           ("Service systemd pour démarrer seul (afficher, installer, aucun) [afficher]", "")]


def _own_terminal() -> None:  # the pty becomes the child's terminal (getpass reads it)
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_the_questions_in_a_terminal(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHALEUR_")}
    process = subprocess.Popen([sys.executable, "-m", "node", "setup"], cwd=tmp_path,
                               env={**env, "PYTHONPATH": str(REPO), "CHALEUR_SERVE_PORT": "5249"},
                               stdin=follower, stdout=follower, stderr=follower,
                               preexec_fn=_own_terminal)
    os.close(follower)
    shown, asked, mark = "", 0, 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        if not select.select([leader], [], [], 0.5)[0]:
            continue
        try:
            shown += os.read(leader, 4096).decode(errors="replace")
        except OSError:
            break
        fresh = shown[mark:]  # past the echo of the last answer
        if asked < len(ANSWERS) and "\n" in fresh and fresh.rstrip().endswith(":"):
            question, answer = ANSWERS[asked]
            assert shown.rstrip().splitlines()[-1].startswith(question), shown[-300:]
            os.write(leader, (answer + "\n").encode())
            asked, mark = asked + 1, len(shown)
    process.wait(10)
    os.close(leader)
    assert process.returncode == 0, shown[-2000:]
    assert asked == len(ANSWERS)
    assert "Commune : Dettwiller (67089)" in shown
    assert "Service systemd écrit dans" in shown and "sudo systemctl enable --now" in shown
    settings = (tmp_path / "instance" / "settings.toml").read_text()
    assert 'PUBLIC_URL = "http://127.0.0.1:5249"' in settings
