"""A real Pays directory process on loopback (``python -m directory init|serve``).

Initialised with the real CLI (migrations, identity, first coordinator), served by
``python -m directory serve`` with its background pull thread, and inspected through an
in-process app on the same instance folder (the database as the coordinator's tools see it).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from directory import create_app
from directory.extensions import db
from tests.federation_e2e.conftest import ROOT, free_port, wait_for

COORDINATOR_EMAIL = "coordination@pays.example.org"
COORDINATOR_PASSWORD = "pays-de-saverne-2026"


class DirectoryProcess:
    def __init__(self, tmp_path: Path, node_id: str = "pays-saverne", **settings: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.node_id = node_id
        self.instance = tmp_path / "pays-instance"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT),
                    "CHALEUR_INSTANCE_PATH": str(self.instance),
                    "CHALEUR_PUBLIC_URL": self.url,
                    "CHALEUR_FEDERATION_ALLOW_PRIVATE": "1",
                    "CHALEUR_FEDERATION_PULL_INTERVAL": "1",
                    "CHALEUR_COORDINATOR_PASSWORD": COORDINATOR_PASSWORD,
                    "CHALEUR_LOG_LEVEL": "WARNING"}
        self.env.update({f"CHALEUR_{name}": str(value) for name, value in settings.items()})
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tmp_path / "pays-serve.log"
        self.fingerprint = ""
        self._app: Flask | None = None

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "directory", *args], env=self.env,
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"{args}: {result.stdout}\n{result.stderr}")
        return result

    def init(self) -> str:
        out = self.cli("init", "--email", COORDINATOR_EMAIL, "--node-id", self.node_id).stdout
        line = next(line for line in out.splitlines() if "empreinte" in line)
        self.fingerprint = line.rsplit(":", 1)[1].strip()
        return self.fingerprint

    def start(self) -> None:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "directory", "serve", "--port", str(self.port)],
            env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        handle.close()
        wait_for(self._answers, timeout=20)

    def _answers(self) -> bool:
        try:
            return requests.get(self.url + "/.well-known/chaleur-node", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None:
            self.process.send_signal(sig)
            self.process.wait(10)
            self.process = None

    def app(self) -> Flask:
        if self._app is None:
            self._app = create_app({"INSTANCE_PATH": str(self.instance), "PUBLIC_URL": self.url,
                                    "LOG_LEVEL": "WARNING"})
        return self._app

    def database_text(self) -> str:
        """Every value of every table (full-text index included), as one string: what a
        privacy check must search."""
        connection = sqlite3.connect(self.instance / "directory.db")
        try:
            tables = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            chunks = []
            for table in tables:
                for row in connection.execute(f'SELECT * FROM "{table}"'):
                    chunks.append(repr(row))
            return "\n".join(chunks)
        finally:
            connection.close()

    def close(self) -> None:
        self.stop(signal.SIGKILL)
        if self._app is not None:
            with self._app.app_context():
                db.engine.dispose()
