"""The demo network as ``./scripts/demo`` starts it: the Pays directory and two villages with
their example data, real processes on free loopback ports, joined and admitted for real.

The walk uses the script itself (not a copy of its steps), so what a new user gets from
``./scripts/demo`` is what the journeys suite walks. The accounts are read from what the
script prints, as a person would read them.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.federation_e2e.processes import ROOT, three_free_ports

READY = "Réseau de démonstration prêt"
START_TIMEOUT = 240.0


@dataclass(frozen=True)
class Account:
    """Who signs in, where: ``site`` is the origin of the sign-in page."""

    site: str
    login_path: str
    email: str
    password: str


@dataclass(frozen=True)
class Network:
    """The three sites (origins) and the accounts the demo prints."""

    pays: str
    sparsbach: str
    westhouse: str
    coordinator: Account
    node_admin: Account
    animator: Account
    member: Account

    @property
    def origins(self) -> tuple[str, str, str]:
        return (self.pays, self.sparsbach, self.westhouse)

    def site_name(self, origin: str) -> str:
        return {self.pays: "Pays", self.sparsbach: "Sparsbach",
                self.westhouse: "Westhouse"}.get(origin, origin)


class Demo:
    """``./scripts/demo`` in a temporary folder, stopped (with everything it started) at the
    end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.output = folder / "demo.out"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Network:
        base = three_free_ports()
        venv = Path(sys.executable).parent.parent
        env = {**os.environ, "CHALEUR_VENV": str(venv), "CHALEUR_SKIP_INSTALL": "1",
               "CHALEUR_DEMO_PORT": str(base), "CHALEUR_DEMO_DIR": str(self.folder / "demo"),
               "CHALEUR_LOG_LEVEL": "WARNING"}
        with self.output.open("wb") as handle:
            # Its own session: the script and the servers it starts are stopped as a group.
            self.process = subprocess.Popen([str(ROOT / "scripts" / "demo")], cwd=ROOT,
                                            env=env, stdout=handle, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while READY not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("./scripts/demo did not start:\n" + self.text()[-4000:])
            time.sleep(0.5)
        # The summary is printed last: wait until it is complete.
        while "Ctrl-C" not in self.text():
            time.sleep(0.1)
        return self._network(base)

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def _network(self, base: int) -> Network:
        text = self.text()
        pays, sparsbach, westhouse = (f"http://127.0.0.1:{base + i}" for i in range(3))

        def pair(label: str, index: int = 0) -> tuple[str, str]:
            found = re.findall(rf"^\s+{label}\s+(\S+) / (\S+)$", text, re.MULTILINE)
            assert len(found) > index, f"« {label} » not in the demo's summary"
            return found[index]

        coordinator, admin, animator = pair("coordination"), pair("administrateur"), \
            pair("animateur")
        example_password = re.search(r"mot de passe « ([^»]+) »", text)
        assert example_password, "the example members' password is not printed"
        with sqlite3.connect(self.folder / "demo" / "sparsbach" / "node.db") as database:
            row = database.execute(
                "SELECT email FROM account WHERE email LIKE '%@village.example' "
                "AND role = 'member' AND status = 'active' ORDER BY id LIMIT 1").fetchone()
        return Network(
            pays=pays, sparsbach=sparsbach, westhouse=westhouse,
            coordinator=Account(pays, "/coordination/connexion", *coordinator),
            node_admin=Account(sparsbach, "/connexion", *admin),
            animator=Account(sparsbach, "/connexion", *animator),
            member=Account(sparsbach, "/connexion", row[0], example_password.group(1).strip()))

    def stop(self) -> None:
        """SIGTERM: the script's trap stops the servers; the group is killed if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None

    def logs(self) -> str:
        """The last lines of every server's log, for a failure message."""
        parts = []
        for log in sorted((self.folder / "demo").glob("*.log")):
            parts.append(f"--- {log.name}\n" + "\n".join(
                log.read_text(errors="replace").splitlines()[-40:]))
        return "\n".join(parts)
