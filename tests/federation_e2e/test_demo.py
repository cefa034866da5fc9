"""``./scripts/demo --check``: the three-site network starts, the real join and admission
happen, and the Pays search finds members of both villages; then everything stops."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.federation_e2e.processes import ROOT, three_free_ports

pytestmark = pytest.mark.slow


def test_demo_check_runs_the_three_site_network(tmp_path: Path) -> None:
    venv = Path(sys.executable).parent.parent
    if not (venv / "bin" / "pybabel").exists():
        pytest.skip("the demo needs a virtualenv with pybabel")
    base = three_free_ports()
    env = {**os.environ, "CHALEUR_VENV": str(venv), "CHALEUR_SKIP_INSTALL": "1",
           "CHALEUR_DEMO_PORT": str(base), "TMPDIR": str(tmp_path)}
    result = subprocess.run([str(ROOT / "scripts" / "demo"), "--check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "OK : l'annuaire du Pays montre des membres de sparsbach westhouse-marmoutier" \
        in result.stdout
    assert "sparsbach : admis" in result.stdout
    assert "empreinte vérifiée" in result.stdout
    # Every process stopped and the temporary network is gone.
    for port in (base, base + 1, base + 2):
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0
    assert list(tmp_path.iterdir()) == []
