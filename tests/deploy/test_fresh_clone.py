"""What the README names runs from a fresh clone: the Python scripts find their venv, and a
plain ``pip install .`` ships the compiled English catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.deploy.cli import REPO


@pytest.mark.parametrize("script", ["chaos", "bench-node", "bench-directory", "bench-decisions"])
def test_python_scripts_run_without_an_activated_venv(script: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"),
           "CHALEUR_VENV": str(Path(sys.prefix)), "CHALEUR_SKIP_INSTALL": "1"}
    result = subprocess.run(["/usr/bin/python3", str(REPO / "scripts" / script), "--help"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ModuleNotFoundError" not in result.stderr
    assert "usage:" in result.stdout.lower()


@pytest.mark.slow
def test_pip_install_ships_the_compiled_english_catalogue(tmp_path: Path) -> None:
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    copy = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(copy)],
                   check=True, timeout=120)
    # The clone has the committed tree; bring this worktree's build files over it.
    for name in ("setup.py", "pyproject.toml"):
        (copy / name).write_bytes((REPO / name).read_bytes())
    assert not list(copy.glob("webui/translations/*/LC_MESSAGES/*.mo"))  # not in git
    subprocess.run([str(target / "bin" / "pip"), "install", "--quiet", "--no-deps", "."],
                   cwd=copy, check=True, timeout=600, capture_output=True)
    shipped = list((target / "lib").glob(
        "python3*/site-packages/webui/translations/en/LC_MESSAGES/messages.mo"))
    assert shipped and shipped[0].stat().st_size > 10_000
