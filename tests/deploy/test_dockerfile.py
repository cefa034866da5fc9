"""The Dockerfile, linted by reading it (no Docker engine here), and the wheel the image installs.

The image runs ``pip install .[postgres]``: whatever the apps need at run time that is not a
.py file (templates, static files, translations, migrations, JSON schemas, communes data) must
be in the wheel, or the container starts and then fails on its first page.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.deploy.cli import REPO

DOCKERFILE = REPO / "Dockerfile"
PACKAGES = ("node", "federation", "directory", "webui", "communes", "vocabulary")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped and continuation lines joined."""
    lines = [line for line in DOCKERFILE.read_text().splitlines()
             if not line.lstrip().startswith("#")]
    joined = "\n".join(lines).replace("\\\n", " ")
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            result.append((keyword.upper(), " ".join(rest.split())))
    return result


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, args in instructions():
        if keyword == "FROM":
            found.append([])
        found[-1].append((keyword, args))
    return found


def dockerignore() -> list[str]:
    return [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` out of the build context (last match wins)."""
    verdict = False
    for pattern in dockerignore():
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(prefix, "*/" + pattern)
               for prefix in prefixes):
            verdict = not negate
    return verdict


def test_images_are_python_3_11_slim() -> None:
    bases = [args.split()[0] for keyword, args in instructions() if keyword == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases)


def test_runs_as_a_non_root_user() -> None:
    final = stages()[-1]
    users = [args for keyword, args in final if keyword == "USER"]
    assert users, "the final stage must switch user"
    assert users[-1].split(":")[0] not in ("root", "0")
    commands = [keyword for keyword, _ in final]
    assert commands.index("USER") < commands.index("ENTRYPOINT")
    run_after_user = [args for keyword, args in final[commands.index("USER"):]
                      if keyword == "RUN"]
    assert run_after_user == [], "nothing installed after dropping privileges"


def test_has_healthcheck_expose_entrypoint_and_no_remote_add() -> None:
    keywords = [keyword for keyword, _ in stages()[-1]]
    assert "HEALTHCHECK" in keywords and "EXPOSE" in keywords and "ENTRYPOINT" in keywords
    health = next(args for keyword, args in instructions() if keyword == "HEALTHCHECK")
    assert "NONE" not in health and "urlopen" in health
    for keyword, args in instructions():
        if keyword == "ADD":
            assert "://" not in args, "ADD of a URL fetches unverified content"


def test_installs_the_project_with_postgres_and_compiled_translations() -> None:
    runs = " ".join(args for keyword, args in instructions() if keyword == "RUN")
    assert 'pip install ".[postgres]"' in runs
    assert "[test]" not in runs and "-e " not in runs, "no dev extras, no editable install"
    assert "pybabel compile -d webui/translations" in runs
    assert runs.index("pybabel compile") < runs.index('pip install ".[postgres]"')


def test_no_secret_is_baked_in() -> None:
    for keyword, args in instructions():
        if keyword in ("ENV", "ARG", "LABEL"):
            upper = args.upper()
            assert "PASSWORD" not in upper and "SECRET" not in upper and "TOKEN" not in upper


def test_every_copied_file_exists_and_reaches_the_build_context() -> None:
    copied = []
    for keyword, args in instructions():
        if keyword != "COPY":
            continue
        words = args.split()
        if any(word.startswith("--from=") for word in words):
            continue
        sources = [word for word in words if not word.startswith("--")][:-1]
        for source in sources:
            path = source.rstrip("/")
            assert (REPO / path).exists(), f"COPY {source}: no such file in the repository"
            assert not ignored(path), f"COPY {source}: excluded by .dockerignore"
            copied.append(path)
    assert set(PACKAGES) <= set(copied)
    assert {"pyproject.toml", "README.md", "docker"} <= set(copied)
    entrypoint = next(args for keyword, args in instructions() if keyword == "ENTRYPOINT")
    script = REPO / "docker" / Path(entrypoint.strip('[]"')).name
    assert os.access(script, os.X_OK)


def test_dockerignore_keeps_local_data_and_secrets_out() -> None:
    for path in (".env", ".git", ".venv", "instance", "node/__pycache__/x.pyc", "tests"):
        assert ignored(path), path
    for path in ("node/templates/node/layout.html", "docker/entrypoint.sh", "README.md"):
        assert not ignored(path), path


def _runtime_data_files() -> set[str]:
    """Every non-Python file of the packages: what the apps read at run time."""
    found = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*"):
            relative = path.relative_to(REPO).as_posix()
            if (path.is_file() and path.suffix not in (".py", ".pyc", ".mo")
                    and "__pycache__" not in relative):
                found.add(relative)
    return found


@pytest.mark.slow
def test_wheel_ships_everything_the_image_needs(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "babel.cfg"):
        shutil.copy(REPO / name, source / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, source / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "pybabel"), "compile", "-d", "webui/translations"],
                   cwd=source, check=True, capture_output=True)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", ".",
                            "-w", str(tmp_path / "wheel")], cwd=source,
                           capture_output=True, text=True, timeout=280)
    assert build.returncode == 0, build.stderr[-2000:]
    # -v shows the build backend's warnings: the licence is an SPDX string (PEP 639), not the
    # deprecated TOML table setuptools warns about.
    assert "`project.license` as a TOML table is deprecated" not in build.stdout + build.stderr
    wheel = next((tmp_path / "wheel").glob("chaleur-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    metadata_name = next(name for name in names if name.endswith(".dist-info/METADATA"))
    metadata = zipfile.ZipFile(wheel).read(metadata_name).decode()
    assert "License-Expression: AGPL-3.0-or-later" in metadata.splitlines()

    missing = _runtime_data_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)[:10]}"
    expected = {"webui/templates/webui/base.html", "webui/static/chaleur.css",
                "webui/translations/en/LC_MESSAGES/messages.po",
                "webui/translations/en/LC_MESSAGES/messages.mo"}
    assert expected <= names
    for folder in ("node/templates/", "directory/templates/", "node/migrations/versions/",
                   "federation/schemas/", "communes/data/", "vocabulary/data/"):
        assert any(name.startswith(folder) for name in names), folder
    scripts = [name for name in names if name.endswith("entry_points.txt")]
    entry_points = zipfile.ZipFile(wheel).read(scripts[0]).decode()
    assert "chaleur = node.cli:main" in entry_points
    assert "chaleur-directory = directory.cli:main" in entry_points
