"""Fingerprints read aloud: every letter gets its French spelling word, digits stay digits."""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask

from webui.cli import SPELLING, spelled


def test_letters_that_sound_alike_are_spelled_apart() -> None:
    text = spelled("BCDG-PTV7")
    assert text == ("B comme Berthe, C comme Célestin, D comme Désiré, G comme Gaston — "
                    "P comme Pierre, T comme Thérèse, V comme Victor, 7")
    assert len(SPELLING) == 26 and len(set(SPELLING.values())) == 26


def test_scripts_still_read_one_fingerprint_line(app: Flask) -> None:
    from node.extensions import db
    from node.peering import identity

    with app.app_context():
        identity.create_identity("sparsbach")
        db.session.commit()
        printed = identity.current_fingerprint()
    output = app.test_cli_runner().invoke(args=["federation", "fingerprint"]).output
    # scripts/demo and docker/*.sh keep what follows « : »; the spelling is for a terminal.
    assert output.splitlines() == [f"sparsbach (sparsbach:k1) : {printed}"]


def test_a_terminal_gets_the_spelling(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess

    from tests.node.commands.test_command_line import REPO, run

    made = run("node", "setup", "--name", "Dettwiller", "--commune", "67089", "--admin-email",
               "a@dettwiller.example", "--yes", cwd=tmp_path, CHALEUR_ADMIN_PASSWORD="x" * 12)
    assert made.returncode == 0, made.stderr
    leader, follower = pty.openpty()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHALEUR_")}
    process = subprocess.run([sys.executable, "-m", "node", "federation", "fingerprint"],
                             cwd=tmp_path, env={**env, "PYTHONPATH": str(REPO)},
                             stdout=follower, stderr=subprocess.PIPE, timeout=60)
    os.close(follower)
    shown = os.read(leader, 65536).decode()
    os.close(leader)
    assert process.returncode == 0
    assert "À épeler au téléphone, groupe par groupe — " in shown and " comme " in shown
