"""A real Pays directory process on loopback (``python -m directory init|serve``).

Initialised with the real CLI (migrations, identity, first coordinator), served by
``python -m directory serve`` with its background pull thread, and inspected through an
in-process app on the same instance folder (the database as the coordinator's tools see it).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask

from directory import create_app
from tests.federation_e2e.processes import ServedProcess

COORDINATOR_EMAIL = "coordination@pays.example.org"
COORDINATOR_PASSWORD = "pays-de-saverne-2026"


class DirectoryProcess(ServedProcess):
    """The Pays directory: its instance folder, its CLI and its `serve` process."""

    module = "directory"

    def __init__(self, tmp_path: Path, node_id: str = "pays-saverne", **settings: Any) -> None:
        super().__init__(tmp_path, "pays", node_id, {
            "CHALEUR_FEDERATION_PULL_INTERVAL": "1",
            "CHALEUR_COORDINATOR_PASSWORD": COORDINATOR_PASSWORD}, settings)
        self.fingerprint = ""

    def init(self) -> str:
        out = self.cli("init", "--email", COORDINATOR_EMAIL, "--node-id", self.node_id).stdout
        line = next(line for line in out.splitlines() if "empreinte" in line)
        self.fingerprint = line.rsplit(":", 1)[1].strip()
        return self.fingerprint

    def _build_app(self) -> Flask:
        return create_app({"INSTANCE_PATH": str(self.instance), "PUBLIC_URL": self.url,
                           "LOG_LEVEL": "WARNING"})

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
