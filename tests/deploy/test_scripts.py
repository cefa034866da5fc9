"""The image's one-shot steps (docker/*.sh), run for real without Docker.

Each script runs as the container would run it: ``chaleur`` and ``python`` on PATH, settings in
the environment, an instance folder standing for the volume. Only the directory's database is
SQLite here instead of PostgreSQL (same code path: SQLAlchemy).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.deploy.cli import REPO
from tests.support.postgres import fresh_database

DOCKER = REPO / "docker"
ADMIN_PASSWORD = "mot-de-passe-du-test-42"
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def shims(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bin folder where ``chaleur`` and ``python`` are this worktree's, as in the image."""
    folder = tmp_path_factory.mktemp("bin")
    (folder / "chaleur").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m node "$@"\n')
    (folder / "chaleur").chmod(0o755)
    # A script, not a symlink: a symlink outside the venv would lose the venv's packages.
    (folder / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (folder / "python").chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def run(shims: Path) -> Run:
    def run_script(script: str, instance: Path, **env: str) -> subprocess.CompletedProcess[str]:
        clean = {key: value for key, value in os.environ.items()
                 if not key.startswith("CHALEUR_")}
        clean.update(PATH=f"{shims}:/usr/bin:/bin", PYTHONPATH=str(REPO),
                     CHALEUR_INSTANCE_PATH=str(instance), CHALEUR_PASSWORD_HASH_METHOD="pbkdf2",
                     **env)
        return subprocess.run([str(DOCKER / script)], env=clean, capture_output=True,
                              text=True, timeout=240, cwd=instance.parent)
    return run_script


NODE_ENV = {"NODE_NAME": "Tiers-lieu de Sparsbach", "NODE_ID": "sparsbach",
            "NODE_COMMUNES": "67475", "ADMIN_EMAIL": "animatrice@example.org",
            "CHALEUR_ADMIN_PASSWORD": ADMIN_PASSWORD, "CHALEUR_PUBLIC_URL":
            "http://sparsbach:5101"}


@pytest.fixture(scope="module")
def node_instance(run: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    instance = tmp_path_factory.mktemp("sparsbach") / "instance"
    first = run("node-setup.sh", instance, EXAMPLE_MEMBERS="3", **NODE_ENV)
    assert first.returncode == 0, first.stderr
    assert "Communauté « Tiers-lieu de Sparsbach » créée" in first.stdout
    assert "Identité réseau : sparsbach" in first.stdout
    assert "3 membres" in first.stdout
    assert ADMIN_PASSWORD not in first.stdout + first.stderr
    return instance


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_node_setup_is_safe_at_every_start(run: Run, node_instance: Path) -> None:
    accounts = _count(node_instance / "node.db", "account")
    again = run("node-setup.sh", node_instance, EXAMPLE_MEMBERS="3", **NODE_ENV)
    assert again.returncode == 0, again.stderr
    assert "déjà initialisé" in again.stdout
    assert "sparsbach (sparsbach:k1) :" in again.stdout
    assert _count(node_instance / "node.db", "community") == 1
    assert _count(node_instance / "node.db", "account") == accounts


def test_node_setup_refuses_to_start_without_an_admin_password(run: Run,
                                                              tmp_path: Path) -> None:
    env = {key: value for key, value in NODE_ENV.items() if key != "CHALEUR_ADMIN_PASSWORD"}
    result = run("node-setup.sh", tmp_path / "instance", **env)
    assert result.returncode != 0
    assert "mot de passe du premier administrateur manquant" in result.stderr
    assert not (tmp_path / "instance" / "keys").exists()


def test_join_without_a_directory_fingerprint_explains_what_to_do(
        run: Run, node_instance: Path, tmp_path: Path) -> None:
    result = run("join.sh", node_instance, DIRECTORY_URL="http://directory:5100",
                 SHARE_DIR=str(tmp_path / "share"), CHALEUR_PUBLIC_URL="http://sparsbach:5101")
    assert result.returncode == 1
    assert "empreinte de l'annuaire inconnue" in result.stderr
    assert "DIRECTORY_FINGERPRINT" in result.stderr


DIRECTORY_ENV = {"COORDINATOR_EMAIL": "coordination@example.org",
                 "CHALEUR_COORDINATOR_PASSWORD": ADMIN_PASSWORD}


def test_directory_setup_in_production_creates_its_secret_then_its_coordinator(
        run: Run, tmp_path: Path) -> None:
    instance, share = tmp_path / "instance", tmp_path / "share"
    env = {**DIRECTORY_ENV, "SHARE_DIR": str(share), "CHALEUR_ENV_NAME": "production",
           "CHALEUR_PUBLIC_URL": "https://annuaire.example"}
    first = run("directory-setup.sh", instance, **env)
    assert first.returncode == 0, first.stderr
    assert "Compte de coordination créé pour coordination@example.org" in first.stdout
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    published = (share / "directory-fingerprint").read_text().strip()
    shown = _directory(env, instance, "federation", "fingerprint")
    assert published and published in shown  # the same short form the coordinator reads out
    secret = (instance / "secret_key").read_text()

    again = run("directory-setup.sh", instance, **env)
    assert again.returncode == 0, again.stderr
    assert "Annuaire déjà initialisé" in again.stdout
    assert (instance / "secret_key").read_text() == secret
    assert (share / "directory-fingerprint").read_text().strip() == published
    assert _count(instance / "directory.db", "coordinator") == 1


def _directory(run_env: dict[str, str], instance: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CHALEUR_INSTANCE_PATH": str(instance),
           **run_env}
    result = subprocess.run([sys.executable, "-m", "directory", *args], env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stdout


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def directory_db(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The directory's database settings: SQLite in the instance, or a fresh PostgreSQL one
    (what docker-compose.yml uses)."""
    if request.param == "sqlite":
        yield {}
        return
    with fresh_database("chaleur_deploy") as url:
        yield {"CHALEUR_DATABASE_URL": url}


def test_admit_admits_a_pending_node_once_and_never_undoes_a_suspension(
        run: Run, tmp_path: Path, directory_db: dict[str, str]) -> None:
    instance = tmp_path / "instance"
    setup = run("directory-setup.sh", instance, SHARE_DIR=str(tmp_path / "share"),
                **DIRECTORY_ENV, **directory_db)
    assert setup.returncode == 0, setup.stderr
    unknown = run("admit.sh", instance, NODE_ID="sparsbach", **directory_db)
    assert unknown.returncode == 1
    assert "ne connaît pas sparsbach" in unknown.stderr

    register = ("from directory import create_app\n"
                "from directory.services.peers import register_join_request\n"
                "with create_app().app_context():\n"
                "    register_join_request({'node_id': 'sparsbach', 'name': 'Sparsbach',"
                " 'base_url': 'http://sparsbach:5101'}, 'AAAA-BBBB-CCCC-DDDD-EEEE')\n")
    subprocess.run([sys.executable, "-c", register], check=True, env={
        **os.environ, "PYTHONPATH": str(REPO), "CHALEUR_INSTANCE_PATH": str(instance),
        **directory_db})
    assert "sparsbach\tpending" in _directory(directory_db, instance, "nodes", "list")

    admitted = run("admit.sh", instance, NODE_ID="sparsbach", **directory_db)
    assert admitted.returncode == 0, admitted.stderr
    assert "sparsbach\tadmitted" in _directory(directory_db, instance, "nodes", "list")
    again = run("admit.sh", instance, NODE_ID="sparsbach", **directory_db)
    assert "déjà admis" in again.stdout

    _directory(directory_db, instance, "nodes", "suspend", "sparsbach", "--reason", "test")
    kept = run("admit.sh", instance, NODE_ID="sparsbach", **directory_db)
    assert kept.returncode == 0 and "suspendu" in kept.stdout
    assert "sparsbach\tsuspended" in _directory(directory_db, instance, "nodes", "list")
    # A second set-up on the same database keeps the coordinator and the decisions.
    rerun = run("directory-setup.sh", instance, SHARE_DIR=str(tmp_path / "share"),
                **DIRECTORY_ENV, **directory_db)
    assert rerun.returncode == 0 and "Annuaire déjà initialisé" in rerun.stdout
    assert "sparsbach\tsuspended" in _directory(directory_db, instance, "nodes", "list")


def test_entrypoint_dispatches_roles_and_runs_other_commands_as_is(shims: Path,
                                                                  tmp_path: Path) -> None:
    env = {"PATH": f"{shims}:/usr/bin:/bin", "PYTHONPATH": str(REPO),
           "CHALEUR_INSTANCE_PATH": str(tmp_path / "instance")}

    def entrypoint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(DOCKER / "entrypoint.sh"), *args], env=env,
                              capture_output=True, text=True, timeout=120)

    node = entrypoint("node", "--help")  # becomes: chaleur serve --host 0.0.0.0 ... --help
    assert node.returncode == 0 and "waitress" in node.stdout
    directory = entrypoint("directory", "--help")
    assert directory.returncode == 0 and "annuaire avec le serveur WSGI" in directory.stdout
    step = entrypoint("admit")
    assert step.returncode != 0 and "NODE_ID manquant" in step.stderr
    other = entrypoint("chaleur", "backup", "--help")
    assert other.returncode == 0 and "--output" in other.stdout
