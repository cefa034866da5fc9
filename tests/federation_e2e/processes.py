"""One Chaleur app as a real process on loopback: its instance folder, its command line, its
``serve`` process and an in-process app on the same folder.

:class:`NodeProcess` (conftest) and :class:`DirectoryProcess` (pays) differ only in their
module, their settings and how they are initialised; starting, stopping and inspecting them
is the same, here.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import requests
from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def three_free_ports() -> int:
    """The first of three consecutive free loopback ports (``scripts/demo`` takes a base).

    Chosen below the kernel's ephemeral range (32768-60999 here): a port taken from that
    range can be handed to some outgoing connection (a health poll, a push) in the seconds
    before the process that should listen on it starts, and the demo then fails to start."""
    rng = random.SystemRandom()
    for _ in range(200):
        base = rng.randrange(20000, 32700)
        if all(_bindable(port) for port in (base, base + 1, base + 2)):
            return base
    raise AssertionError("no three consecutive free ports")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for(check: Callable[[], T], timeout: float = 15.0, interval: float = 0.1) -> T:
    """Poll until `check()` is truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = check()
    assert value, f"condition not met within {timeout} s (last value {value!r})"
    return value


class ServedProcess:
    """A node or the directory: ``python -m <module> ...`` on its own port and folder.

    ``name`` names the instance folder and the serve log in ``tmp_path``; ``env`` holds the
    app's own ``CHALEUR_*`` variables, ``settings`` the test's overrides (``CHALEUR_`` added).
    """

    module: ClassVar[str]
    #: Served processes not stopped yet: a fixture that fails half-way through its set-up
    #: never reaches its teardown, and its processes would serve on through the next
    #: modules (see :func:`close_leftovers`).
    running: ClassVar[set[ServedProcess]] = set()

    def __init__(self, tmp_path: Path, name: str, node_id: str, env: dict[str, str],
                 settings: dict[str, Any]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.node_id = node_id
        self.instance = tmp_path / f"{name}-instance"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT),
                    "CHALEUR_INSTANCE_PATH": str(self.instance),
                    "CHALEUR_PUBLIC_URL": self.url,
                    "CHALEUR_FEDERATION_ALLOW_PRIVATE": "1",
                    "CHALEUR_LOG_LEVEL": "WARNING", **env}
        self.env.update({f"CHALEUR_{key}": str(value) for key, value in settings.items()})
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tmp_path / f"{name}-serve.log"
        self._app: Flask | None = None

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", self.module, *args], env=self.env,
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"{args}: {result.stdout}\n{result.stderr}")
        return result

    def start(self, ready: str = "/.well-known/chaleur-node") -> None:
        """Serve, and wait until ``ready`` answers (a node test may wait on a plain page, to
        leave the federation stack unloaded until the test decides)."""
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, "serve", "--port", str(self.port)],
            env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        handle.close()
        ServedProcess.running.add(self)
        wait_for(lambda: self._answers(ready), timeout=20)

    def _answers(self, path: str) -> bool:
        try:
            return requests.get(self.url + path, timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Send ``sig`` and wait for the exit; on SIGTERM the server first lets its requests,
        its worker's round and its queued mails finish (webui.serving.serve_app)."""
        if self.process is not None:
            self.process.send_signal(sig)
            self.process.wait(45)
            self.process = None
        ServedProcess.running.discard(self)

    def app(self) -> Flask:
        """An in-process app on the same instance (database, keys), for setup and checks."""
        if self._app is None:
            self._app = self._build_app()
        return self._app

    def _build_app(self) -> Flask:
        raise NotImplementedError

    def close(self) -> None:
        self.stop(signal.SIGKILL)
        if self._app is not None:
            with self._app.app_context():
                self._app.extensions["sqlalchemy"].engine.dispose()


def close_leftovers() -> None:
    """Kill what a test module left serving (its fixture failed before its teardown)."""
    for process in list(ServedProcess.running):
        process.close()
