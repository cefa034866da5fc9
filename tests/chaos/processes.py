"""A directory and several village nodes as real processes on loopback, that faults can hit.

Initialisation, join and admission go through the real command lines, exactly like
``scripts/demo`` and ``tests/federation_e2e``, whose process classes are reused here. What this
module adds is supervision: a process may be killed (SIGKILL), stopped (SIGTERM) or cut off for
a while, and is restarted on the same port with the same instance folder, as an operator's
service manager would. Restarts do not wait for the process to answer (a fault may hit a
process that is still booting); :meth:`Supervised.answering` says when it is back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.federation_e2e.conftest import ROOT, NodeProcess
from tests.federation_e2e.pays import COORDINATOR_EMAIL, DirectoryProcess


@dataclass
class Supervised:
    """One server process (directory or node) and what the chaos run did to it."""

    name: str
    module: str  # "node" or "directory"
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    down_until: float | None = None  # monotonic time of a planned restart (cut off)
    restarts: int = 0
    unplanned_exits: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module, "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        self.down_until = None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def answering(self) -> bool:
        if not self.running():
            return False
        try:
            return requests.get(self.url + "/.well-known/chaleur-node", timeout=2).ok
        except requests.RequestException:
            return False

    def kill(self, sig: int, timeout: float = 15.0) -> str:
        """Send `sig` and reap the process; a SIGTERM that is not obeyed ends in SIGKILL."""
        if self.process is None:
            return "already down"
        outcome = "stopped"
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                outcome = "ignored SIGTERM, killed"
                self.process.kill()
                self.process.wait(timeout)
        self.process = None
        return outcome

    def watch(self) -> None:
        """Restart a process that should run but exited on its own (noted as unplanned)."""
        if self.down_until is not None:
            if time.monotonic() >= self.down_until:
                self.restart()
            return
        if self.process is not None and self.process.poll() is not None:
            self.unplanned_exits.append(int(self.process.returncode))
            self.restart()

    def restart(self) -> None:
        self.restarts += 1
        self.start()

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(15)
        self.process = None


def supervise(name: str, module: str, port: int, env: dict[str, str],
              log: Path) -> Supervised:
    return Supervised(name, module, port, env, log)


def wait_answering(servers: list[Supervised], timeout: float = 60.0) -> list[str]:
    """Restart what is due and wait until every server answers; the names still silent."""
    deadline = time.monotonic() + timeout
    silent = [s.name for s in servers]
    while silent and time.monotonic() < deadline:
        for server in servers:
            if server.down_until is not None:
                server.down_until = time.monotonic()
            server.watch()
        silent = [s.name for s in servers if not s.answering()]
        if silent:
            time.sleep(0.2)
    return silent


def chaos_env(base: dict[str, str], **settings: object) -> dict[str, str]:
    env = {**base, "CHALEUR_FEDERATION_ALLOW_PRIVATE": "1", "CHALEUR_MAIL_BACKEND": "file",
           "CHALEUR_LOG_LEVEL": "WARNING"}
    env.update({f"CHALEUR_{key}": str(value) for key, value in settings.items()})
    return env


def join_and_admit(node: NodeProcess, pays: DirectoryProcess) -> None:
    """The real join (fingerprint checked by the node), then the coordinator's admission."""
    node.cli("federation", "join", "--directory", pays.url, "--fingerprint", pays.fingerprint)
    pays.cli("nodes", "admit", node.node_id, "--by", COORDINATOR_EMAIL,
             "--reason", "Chaos : empreinte comparée")


def terminate(servers: list[Supervised]) -> None:
    """Stop every process this run started (SIGKILL: nothing of theirs matters any more)."""
    for server in servers:
        try:
            server.close()
        except (OSError, subprocess.TimeoutExpired):
            if server.process is not None:
                os.kill(server.process.pid, signal.SIGKILL)
