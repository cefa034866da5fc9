"""Running the real ``chaleur`` and ``python -m directory`` command lines from deployment tests.

The deployment files (compose file, set-up scripts, the French guide) name commands and
options; these helpers ask the real CLIs, through ``--help`` in a subprocess, whether a
command path exists and which options it accepts, so a renamed command breaks a test.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: Program words that start a Chaleur command line, and the module that implements each.
PROGRAMS: dict[tuple[str, ...], str] = {
    ("chaleur",): "node",
    ("chaleur-directory",): "directory",
    (".venv/bin/chaleur",): "node",
    (".venv/bin/chaleur-directory",): "directory",
    ("python", "-m", "node"): "node",
    ("python", "-m", "directory"): "directory",
    ("python3", "-m", "node"): "node",
    ("python3", "-m", "directory"): "directory",
}
_OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


@dataclass(frozen=True)
class Invocation:
    """One command line: which CLI, the sub-command path, and the options it uses."""

    module: str
    path: tuple[str, ...]
    options: tuple[str, ...]
    text: str


def parse_invocation(line: str) -> Invocation | None:
    """Split a shell line into CLI, sub-command path and options; None if not a Chaleur CLI."""
    words = shlex.split(line, comments=True)
    matches = [(prefix, module) for prefix, module in PROGRAMS.items()
               if tuple(words[: len(prefix)]) == prefix]
    if not matches:
        return None
    prefix, module = matches[0]
    rest = words[len(prefix):]
    path: list[str] = []
    for word in rest:
        if word.startswith(("-", "$")) or not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        path.append(word)
    options = tuple(word.split("=", 1)[0] for word in rest if word.startswith("-"))
    return Invocation(module, tuple(path), options, line)


@cache
def _scratch_instance() -> str:
    return tempfile.mkdtemp(prefix="chaleur-help-")


@cache
def cli_help(module: str, path: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    """``python -m <module> <path...> --help`` with the worktree's code, in a scratch instance."""
    env = {**os.environ, "CHALEUR_INSTANCE_PATH": _scratch_instance(),
           "PYTHONPATH": str(REPO)}
    for name in [key for key in env if key.startswith("CHALEUR_") and key not in (
            "CHALEUR_INSTANCE_PATH",)]:
        del env[name]
    return subprocess.run([sys.executable, "-m", module, *path, "--help"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def help_options(help_text: str) -> set[str]:
    """Option names listed in the Options section of a click help page."""
    section = help_text.split("Options:", 1)[-1].split("Commands:", 1)[0]
    return set(_OPTION.findall(section))


def check_invocation(invocation: Invocation) -> list[str]:
    """Problems with one invocation: unknown sub-command, or options its help does not list."""
    if not invocation.path:
        return [f"{invocation.text!r}: no sub-command"]
    result = cli_help(invocation.module, invocation.path)
    if result.returncode != 0:
        return [f"{invocation.text!r}: `{' '.join(invocation.path)}` is not a command of "
                f"{invocation.module} (exit {result.returncode}: {result.stderr.strip()[-300:]})"]
    if "Commands:" in result.stdout:
        return [f"{invocation.text!r}: `{' '.join(invocation.path)}` is a group, not a command"]
    known = help_options(result.stdout)
    return [f"{invocation.text!r}: option {option} unknown to `{' '.join(invocation.path)}`"
            for option in invocation.options if option not in known]


def logical_lines(text: str) -> list[str]:
    """Shell lines with backslash continuations joined."""
    return [line.strip() for line in text.replace("\\\n", " ").splitlines()]
