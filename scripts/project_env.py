"""Run a Python script of ``scripts/`` inside the project's virtual environment.

``scripts/demo`` and ``scripts/test`` create ``.venv`` and install Chaleur on first use; the
Python scripts the README names (``scripts/chaos``, the benchmarks) call
:func:`use_project_venv` first, so they work the same from a fresh clone, without an
activated environment (before: ``ModuleNotFoundError: flask_babel``). Same variables as the
shell scripts: ``CHALEUR_VENV`` (default ``.venv``), ``CHALEUR_SKIP_INSTALL=1``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def use_project_venv(argv: list[str]) -> None:
    """Return when already in the project's venv; otherwise make it and re-run ``argv`` in it."""
    venv = Path(os.environ.get("CHALEUR_VENV", ".venv"))
    venv = venv if venv.is_absolute() else ROOT / venv
    python = venv / "bin" / "python"
    if Path(sys.prefix).resolve() == venv.resolve():
        return
    if os.environ.get("CHALEUR_SKIP_INSTALL") != "1":
        if not python.exists():
            print(f"==> creating {venv}", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        stamp = venv / ".chaleur-installed"
        if not stamp.exists() or (ROOT / "pyproject.toml").stat().st_mtime > stamp.stat().st_mtime:
            print("==> installing chaleur with its test extras", flush=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", ".[test]"],
                           cwd=ROOT, check=True)
            stamp.touch()
        subprocess.run([str(venv / "bin" / "pybabel"), "compile", "--use-fuzzy", "-d",
                        "webui/translations", "-D", "messages"], cwd=ROOT, check=False,
                       stdout=subprocess.DEVNULL)
    os.execv(str(python), [str(python), *argv])
