"""Real node processes on loopback, and a real directory double they talk to.

A node is initialised with ``python -m node init``, joins the double with
``python -m node federation join`` (the fingerprint check included), and is served by
``python -m node serve``; the test talks to it over HTTP with the protocol's signed
client, and reads or changes its database through an in-process app on the same
instance folder (as an admin's other tools would).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from node import create_app
from tests.federation_e2e.directory_double import DirectoryDouble
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.processes import ROOT as ROOT
from tests.federation_e2e.processes import ServedProcess
from tests.federation_e2e.processes import free_port as free_port
from tests.federation_e2e.processes import wait_for as wait_for

PASSWORD = "correct-horse-battery"


class NodeProcess(ServedProcess):
    """One village node: its instance folder, its CLI and its `serve` process."""

    module = "node"

    def __init__(self, tmp_path: Path, node_id: str = "sparsbach", **settings: Any) -> None:
        super().__init__(tmp_path, node_id, node_id, {
            "CHALEUR_FEDERATION_PUSH_INTERVAL": "0.3",
            "CHALEUR_FEDERATION_PUSH_LEASE": "2",
            "CHALEUR_ADMIN_PASSWORD": PASSWORD}, settings)

    def init(self, name: str = "Tiers-lieu de Sparsbach", commune: str = "67475") -> str:
        out = self.cli("init", "--name", name, "--communes", commune,
                       "--admin-email", "admin@example.org", "--node-id", self.node_id).stdout
        return out.rsplit(":", 1)[1].split()[0]

    def init_from(self, template: Path) -> None:
        """Same result as init(), copied from an instance made once per session (fast)."""
        shutil.copytree(template, self.instance)

    def _build_app(self) -> Flask:
        return create_app({"INSTANCE_PATH": str(self.instance), "PUBLIC_URL": self.url,
                           "FEDERATION_ALLOW_PRIVATE": True, "LOG_LEVEL": "WARNING"})


@pytest.fixture(scope="session")
def template_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `python -m node init` for the whole session; tests copy its instance folder."""
    node = NodeProcess(tmp_path_factory.mktemp("template"))
    node.init()
    return node.instance


@pytest.fixture
def directory() -> Iterator[DirectoryDouble]:
    double = DirectoryDouble(free_port())
    double.start()
    yield double
    double.stop()


def joined_node(tmp_path: Path, directory: DirectoryDouble, template: Path,
                **settings: Any) -> NodeProcess:
    """Init a node, join the double (fingerprint checked), start serving."""
    node = NodeProcess(tmp_path, **settings)
    node.init_from(template)
    node.cli("federation", "join", "--directory", directory.origin,
             "--fingerprint", directory.fingerprint)
    node.start()
    return node


@pytest.fixture
def node(tmp_path: Path, directory: DirectoryDouble,
         template_instance: Path) -> Iterator[NodeProcess]:
    process = joined_node(tmp_path, directory, template_instance)
    yield process
    process.close()


@pytest.fixture
def pays(tmp_path: Path) -> Iterator[DirectoryProcess]:
    """A real Pays directory process (init with its CLI, serving), closed after the test."""
    directory = DirectoryProcess(tmp_path)
    directory.init()
    directory.start()
    yield directory
    directory.close()
