"""The chaos run, reduced: 30 faults on a directory and three nodes must still converge."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.federation_e2e.conftest import ROOT

pytestmark = pytest.mark.slow


def test_thirty_faults_converge_exactly() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "chaos"), "--faults", "30", "--seed", "20260101",
         "--nodes", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CONVERGED" in result.stdout
    assert "faults: 30 " in result.stdout
