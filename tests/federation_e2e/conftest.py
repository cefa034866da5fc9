"""Real node processes on loopback, and a real directory double they talk to.

A node is initialised with ``python -m node init``, joins the double with
``python -m node federation join`` (the fingerprint check included), and is served by
``python -m node serve``; the test talks to it over HTTP with the protocol's signed
client, and reads or changes its database through an in-process app on the same
instance folder (as an admin's other tools would).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from flask import Flask

from node import create_app
from node.extensions import db
from tests.federation_e2e.directory_double import DirectoryDouble

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], T], timeout: float = 15.0, interval: float = 0.1) -> T:
    """Poll until `check()` is truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = check()
    assert value, f"condition not met within {timeout} s (last value {value!r})"
    return value


class NodeProcess:
    """One village node: its instance folder, its CLI and its `serve` process."""

    def __init__(self, tmp_path: Path, node_id: str = "sparsbach", **settings: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.node_id = node_id
        self.instance = tmp_path / f"{node_id}-instance"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT),
                    "CHALEUR_INSTANCE_PATH": str(self.instance),
                    "CHALEUR_PUBLIC_URL": self.url,
                    "CHALEUR_FEDERATION_ALLOW_PRIVATE": "1",
                    "CHALEUR_FEDERATION_PUSH_INTERVAL": "0.3",
                    "CHALEUR_FEDERATION_PUSH_LEASE": "2",
                    "CHALEUR_ADMIN_PASSWORD": PASSWORD,
                    "CHALEUR_LOG_LEVEL": "WARNING"}
        self.env.update({f"CHALEUR_{name}": str(value) for name, value in settings.items()})
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tmp_path / f"{node_id}-serve.log"
        self._app: Flask | None = None

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "node", *args], env=self.env, cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"{args}: {result.stdout}\n{result.stderr}")
        return result

    def init(self, name: str = "Tiers-lieu de Sparsbach", commune: str = "67475") -> str:
        out = self.cli("init", "--name", name, "--communes", commune,
                       "--admin-email", "admin@example.org", "--node-id", self.node_id).stdout
        return out.rsplit(":", 1)[1].split()[0]

    def init_from(self, template: Path) -> None:
        """Same result as init(), copied from an instance made once per session (fast)."""
        shutil.copytree(template, self.instance)

    def start(self, ready: str = "/.well-known/chaleur-node") -> None:
        """Serve, and wait until ``ready`` answers (a plain page, to leave the federation
        stack unloaded until the test decides)."""
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "node", "serve", "--port", str(self.port)],
            env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        handle.close()
        wait_for(lambda: self._answers(ready), timeout=20)

    def _answers(self, path: str) -> bool:
        try:
            return requests.get(self.url + path, timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None:
            self.process.send_signal(sig)
            self.process.wait(10)
            self.process = None

    def app(self) -> Flask:
        """An in-process app on the same instance (database, keys), for setup and checks."""
        if self._app is None:
            self._app = create_app({"INSTANCE_PATH": str(self.instance), "PUBLIC_URL": self.url,
                                    "FEDERATION_ALLOW_PRIVATE": True, "LOG_LEVEL": "WARNING"})
        return self._app

    def close(self) -> None:
        self.stop(signal.SIGKILL)
        if self._app is not None:
            with self._app.app_context():
                db.engine.dispose()


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
