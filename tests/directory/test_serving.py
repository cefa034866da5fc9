"""``python -m directory serve`` runs a lean server process (``python -m directory.serving``).

The real command is started on loopback with ``PYTHONPROFILEIMPORTTIME`` set (it survives
the ``execv``), so its output lists every module each of the two programs imported: the CLI
before its "L'annuaire sert" line, the server after it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", re.MULTILINE)
MIGRATION_ENGINE = {"alembic", "flask_migrate"}
COMMAND_LINE = {"directory.cli", "webui.cli"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/.well-known/chaleur-node", timeout=1).ok
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a directory initialised with the real ``init`` command."""
    folder = tmp_path_factory.mktemp("serving")
    env = dict(os.environ, CHALEUR_INSTANCE_PATH=str(folder / "instance"),
               CHALEUR_COORDINATOR_PASSWORD="pays-de-saverne-2026",
               CHALEUR_LOG_LEVEL="WARNING")
    env.pop("CHALEUR_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "directory", "init", "--email",
                    "coordination@example.org"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    return env


def serve_and_read(env: dict[str, str], tmp_path: Path, *options: str) -> tuple[str, str]:
    """Start ``python -m directory serve``, wait until it answers, stop it: (cmdline, output)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "directory", "serve", "--port", str(port), *options],
            cwd=ROOT, env=dict(env, CHALEUR_PUBLIC_URL=url, PYTHONPROFILEIMPORTTIME="1"),
            stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not _answers(url):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        cmdline = Path(f"/proc/{server.pid}/cmdline").read_bytes().replace(b"\0", b" ")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return cmdline.decode(), log.read_text()


def imported(text: str) -> set[str]:
    """Top-level and dotted names of every module listed by ``-X importtime``."""
    names = set(IMPORTED.findall(text))
    return names | {name.split(".")[0] for name in names}


@pytest.mark.parametrize("options", [(), ("--no-federation",)])
def test_serving_process_holds_no_migration_engine_nor_cli(
        initialised: dict[str, str], tmp_path: Path, options: tuple[str, ...]) -> None:
    cmdline, output = serve_and_read(initialised, tmp_path, *options)
    assert "-m directory.serving" in cmdline
    assert ("--no-federation" in cmdline) == bool(options)
    cli_part, banner, server_part = output.partition("L'annuaire sert")
    assert banner, output
    # The CLI did load both, so their absence below is the server's doing, not a blind check.
    assert MIGRATION_ENGINE | COMMAND_LINE <= imported(cli_part)
    assert {"waitress", "directory.site", "directory.peering.worker"} <= imported(server_part)
    assert not (MIGRATION_ENGINE | COMMAND_LINE) & imported(server_part)
