"""The ``chaleur`` and ``chaleur-directory`` command lines as a volunteer meets them: no
instance, typos and unexpected failures all answer in French, never with a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def run(module: str, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command line in a subprocess, with no ``CHALEUR_*`` variable but ``env``."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("CHALEUR_")}
    clean.update(env, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_a_command_without_an_instance_says_so_and_creates_nothing(tmp_path: Path) -> None:
    result = run("node", "federation", "status", cwd=tmp_path)
    assert result.returncode == 1
    assert "aucune instance ici" in result.stderr and "chaleur setup" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_directory_list_without_an_instance_says_so(tmp_path: Path) -> None:
    result = run("directory", "nodes", "list", cwd=tmp_path)
    assert result.returncode == 1
    assert "aucune instance ici" in result.stderr and "chaleur-directory init" in result.stderr
    assert "no such table" not in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_help_works_without_an_instance(tmp_path: Path) -> None:
    result = run("node", "serve", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "--port" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_are_in_french(tmp_path: Path) -> None:
    typo = run("node", "init", "--nme", "Dettwiller", cwd=tmp_path)
    assert typo.returncode == 2
    assert "Erreur : option inconnue : --nme. Vouliez-vous dire --name ?" in typo.stderr
    assert "Essayez « chaleur init --help » pour l'aide." in typo.stderr
    assert "No such option" not in typo.stderr and "Try" not in typo.stderr
    database = f"sqlite:///{tmp_path / 'essai.db'}"  # an instance exists: parsing speaks
    unknown = run("node", "servir", cwd=tmp_path, CHALEUR_DATABASE_URL=database)
    assert "Erreur : commande inconnue : « servir »." in unknown.stderr
    missing = run("node", "init", "--name", "Dettwiller", cwd=tmp_path)
    assert "Erreur : option obligatoire manquante : --communes." in missing.stderr
    bad = run("node", "serve", "--port", "cinq", cwd=tmp_path, CHALEUR_DATABASE_URL=database)
    assert "Erreur : valeur refusée pour --port : « cinq » n'est pas un nombre entier." \
        in bad.stderr


def test_an_unexpected_failure_gives_a_french_line_and_the_log_path(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "node.db").write_bytes(b"ceci n'est pas une base SQLite" * 200)
    result = run("node", "federation", "status", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Erreur inattendue" in result.stderr
    log = instance / "chaleur-erreurs.log"
    assert str(log) in result.stderr
    assert "Traceback" in log.read_text()


def test_setup_names_the_commune_refuses_a_wrong_code_and_writes_a_service(
        tmp_path: Path) -> None:
    wrong = run("node", "setup", "--name", "Indépendants de Dettwiller", "--commune", "67999",
                "--admin-email", "animation@dettwiller.example", "--yes", cwd=tmp_path,
                CHALEUR_ADMIN_PASSWORD="dettwiller-2026")
    assert wrong.returncode == 1
    assert "commune inconnue : « 67999 »" in wrong.stderr and "Traceback" not in wrong.stderr
    typo = run("node", "setup", "--name", "Indépendants de Dettwiller", "--commune", "Dettwiler",
               "--admin-email", "animation@dettwiller.example", "--yes", cwd=tmp_path,
               CHALEUR_ADMIN_PASSWORD="dettwiller-2026")
    assert "vouliez-vous dire Dettwiller (67089)" in typo.stderr
    done = run("node", "setup", "--name", "Indépendants de Dettwiller", "--commune", "67089",
               "--admin-email", "animation@dettwiller.example", "--port", "5244", "--yes",
               cwd=tmp_path, CHALEUR_ADMIN_PASSWORD="dettwiller-2026")
    assert done.returncode == 0, done.stderr
    assert "Commune : Dettwiller (67089)" in done.stdout
    settings = (tmp_path / "instance" / "settings.toml").read_text()
    assert 'PUBLIC_URL = "http://127.0.0.1:5244"' in settings and "SERVE_PORT = 5244" in settings
    unit = (tmp_path / "instance" / "chaleur-independants-de-dettwiller.service").read_text()
    assert f"Environment=CHALEUR_INSTANCE_PATH={tmp_path / 'instance'}" in unit
    assert "Restart=on-failure" in unit and " -m node serve" in unit
    again = run("node", "setup", "--name", "Autre", "--commune", "67089", "--yes", cwd=tmp_path)
    assert again.returncode == 1 and "déjà installé" in again.stderr
    # The commands that follow need no variable: the settings file is found from a sub-folder.
    (tmp_path / "docs").mkdir()
    status = run("node", "federation", "status", cwd=tmp_path / "docs")
    assert status.returncode == 0 and "independants-de-dettwiller" in status.stdout


def test_serve_on_a_taken_port_says_so(tmp_path: Path) -> None:
    import socket

    made = run("node", "setup", "--name", "Dettwiller", "--commune", "67089", "--admin-email",
               "a@dettwiller.example", "--yes", cwd=tmp_path, CHALEUR_ADMIN_PASSWORD="x" * 12)
    assert made.returncode == 0, made.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        served = run("node", "serve", "--port", port, "--no-federation", cwd=tmp_path)
    assert served.returncode == 1
    assert f"impossible d'écouter sur 127.0.0.1:{port}" in served.stderr
    assert "Ce port est déjà pris" in served.stderr and "Traceback" not in served.stderr
    assert not (tmp_path / "instance" / "serve.pid").exists()
