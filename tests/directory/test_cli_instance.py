"""The directory's command line finds its instance like a node's: settings written by init."""

from __future__ import annotations

from pathlib import Path

from tests.node.commands.test_command_line import run


def test_init_writes_settings_that_a_second_terminal_reads(tmp_path: Path) -> None:
    made = run("directory", "init", "--email", "coordination@pays.example", "--port", "5245",
               cwd=tmp_path, CHALEUR_COORDINATOR_PASSWORD="pays-de-saverne-2026")
    assert made.returncode == 0, made.stderr
    settings = (tmp_path / "instance-annuaire" / "settings.toml").read_text()
    assert 'PUBLIC_URL = "http://127.0.0.1:5245"' in settings
    assert "FEDERATION_ALLOW_PRIVATE = true" in settings
    printed = made.stdout.split("empreinte de la clé : ")[1].split()[0]
    (tmp_path / "sous-dossier").mkdir()
    again = run("directory", "federation", "fingerprint", cwd=tmp_path / "sous-dossier")
    assert again.returncode == 0 and printed in again.stdout
    listed = run("directory", "nodes", "list", cwd=tmp_path)
    assert listed.returncode == 0 and "Aucun nœud connu." in listed.stdout
