"""Where an app's instance folder is, and the settings file ``setup`` writes into it.

A village volunteer runs ``chaleur setup`` once, then ``chaleur serve`` in one terminal and
``chaleur federation join`` in another. Neither terminal should need exported variables, so
the choices made at setup live in ``<instance>/settings.toml`` and every command (and the
server process) reads them. The instance is found the same way in every terminal:

1. ``CHALEUR_INSTANCE_PATH`` when set (Docker, the service unit, tests);
2. otherwise the nearest ``<folder>/settings.toml`` in the current directory or a parent
   (``instance/`` for a node, ``instance-annuaire/`` for the directory), so commands typed
   anywhere in the copy of the code find it;
3. otherwise ``./<folder>``, where ``setup`` creates it.

Precedence of values: built-in defaults < settings file < ``CHALEUR_*`` variables < test
overrides, so Docker's environment still wins over a file.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from webui.settings import SettingsError

INSTANCE_ENV = "CHALEUR_INSTANCE_PATH"
SETTINGS_FILE = "settings.toml"
NODE_FOLDER = "instance"
DIRECTORY_FOLDER = "instance-annuaire"


def locate_instance(folder: str, start: Path | None = None) -> Path:
    """The instance folder every command of this app uses (see the module docstring)."""
    explicit = os.environ.get(INSTANCE_ENV)
    if explicit:
        return Path(explicit).expanduser().absolute()
    here = (start or Path.cwd()).absolute()
    for candidate in (here, *here.parents):
        if (candidate / folder / SETTINGS_FILE).is_file():
            return candidate / folder
    return here / folder


def instance_is_ready(instance: Path, database_file: str) -> bool:
    """True when setup (or ``init``, or a restore) has already made this instance.

    With an external database (``CHALEUR_DATABASE_URL``) nothing on disk says so; the
    command then runs and its own checks speak.
    """
    return ((instance / SETTINGS_FILE).is_file() or (instance / database_file).is_file()
            or bool(os.environ.get("CHALEUR_DATABASE_URL")))


def read_settings(instance: Path, known: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``<instance>/settings.toml`` (empty when there is no file).

    Keys are the setting names without the ``CHALEUR_`` prefix; an unknown key is refused so
    a typo does not silently leave the default in place.
    """
    path = instance / SETTINGS_FILE
    if not path.is_file():
        return {}
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"le fichier de réglages {path} est illisible ({error}). "
                                "Corrigez-le dans un éditeur de texte.") from error
    unknown = sorted(key for key in values if key not in known)
    if unknown:
        raise SettingsError(f"réglage(s) inconnu(s) dans {path} : {', '.join(unknown)}. "
                                "Les noms valables sont ceux du README, sans « CHALEUR_ ».")
    return values


def write_settings(instance: Path, values: Mapping[str, Any], *, title: str) -> Path:
    """Merge ``values`` into ``<instance>/settings.toml`` (mode 0600: it may hold a password)."""
    path = instance / SETTINGS_FILE
    current: dict[str, Any] = {}
    if path.is_file():
        current = tomllib.loads(path.read_text(encoding="utf-8"))
    current.update(values)
    lines = [f"# {title}",
             "# Écrit par « setup » ; lu par chaque commande et par « serve ».",
             "# Une variable CHALEUR_<NOM> passe avant la ligne <NOM> de ce fichier.", ""]
    lines += [f"{key} = {_toml_value(value)}" for key, value in sorted(current.items())]
    instance.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(str(value), ensure_ascii=False)
