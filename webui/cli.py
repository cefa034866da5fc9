"""French help for the two command lines (``chaleur`` and ``python -m directory``).

The people who run them are village animators and the Pays coordinator, so every help page
is in French: our own commands carry French ``help=``/``short_help=`` texts, and
:class:`FrenchFlaskGroup` translates what Flask and click add themselves (the global options,
``--help``, and the one-line summary of the ``db`` and ``limiter`` groups that extensions
register). Click's section titles (``Usage:``, ``Options:``, ``Commands:``) stay as they are:
deployment tests read them.
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask
from flask.cli import FlaskGroup

HELP_OPTION_HELP = "Afficher cette aide et quitter."

#: Flask's global options, by parameter name.
FLASK_OPTION_HELP = {
    "env_file": "Charger les variables d'environnement de ce fichier (elles passent avant "
                "celles de .env et .flaskenv, après celles déjà définies).",
    "app": "Application Flask à charger, sous la forme module:nom (pour le "
           "développement ; inutile en temps normal).",
    "debug": "Mode débogage (jamais en production).",
    "version": "Afficher la version de Flask.",
}

#: Groups registered by extensions, with English help of their own.
EXTENSION_GROUP_HELP = {
    "db": "Base de données : migrations du schéma (db upgrade après une mise à jour).",
    "limiter": "Limites de fréquence des requêtes : maintenance.",
}


def _french_help_option(command: click.Command, ctx: click.Context) -> None:
    option = command.get_help_option(ctx)  # click caches it, so the change sticks
    if option is not None:
        option.help = HELP_OPTION_HELP


def frenchify(command: click.Command, ctx: click.Context) -> None:
    """Translate the ``--help`` line of a command and of its sub-commands, at every depth."""
    _french_help_option(command, ctx)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            frenchify(sub, ctx)


class FrenchFlaskGroup(FlaskGroup):
    """A :class:`FlaskGroup` whose help pages are in French from top to bottom."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        params = []
        for param in self.params:
            text = FLASK_OPTION_HELP.get(param.name or "")
            if text is not None and isinstance(param, click.Option):
                param = copy.copy(param)  # Flask's option objects are shared: leave them alone
                param.help = text
            params.append(param)
        self.params = params

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        if args:
            note_command(ctx, args[0], args[1:])
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None:
            return None
        if name in EXTENSION_GROUP_HELP:
            command.help = command.short_help = EXTENSION_GROUP_HELP[name]
        frenchify(command, ctx)
        return command


# --- Which instance a command line works on, and errors in French --------------------------

#: Keys of ``ctx.meta`` where :class:`FrenchFlaskGroup` notes the sub-command being resolved.
COMMAND_KEY = "chaleur.command"
HELP_KEY = "chaleur.help"


def note_command(ctx: click.Context, name: str, rest: list[str]) -> None:
    """Remember which sub-command the app is built for (read by :func:`instance_config`)."""
    ctx.meta[COMMAND_KEY] = name
    ctx.meta[HELP_KEY] = "--help" in rest


def build_cli_app(create_app: Callable[[dict[str, Any]], Flask], folder: str,
                  database_file: str, creating: frozenset[str], setup_hint: str) -> Flask:
    """The app a command line works on (see :func:`instance_config`); a settings error is
    a French line and exit status 2, not a traceback."""
    from webui.settings import SettingsError

    config = instance_config(folder, database_file, creating, setup_hint)
    try:
        return create_app(config)
    except SettingsError as error:
        click.echo(f"Erreur de configuration : {error}", err=True)
        sys.exit(2)


def instance_config(folder: str, database_file: str, creating: frozenset[str],
                    setup_hint: str) -> dict[str, Any]:
    """``test_config`` for the app a command line builds, or a French exit when none exists.

    A command that needs a node (``serve``, ``federation join``…) run where none was set up
    says so and stops, instead of creating a stray database (inside the virtual environment,
    or wherever the terminal happens to be). Help pages and the commands that create an
    instance (``creating``) always run; help on a missing instance uses a throw-away folder.
    """
    from webui.instance import instance_is_ready, locate_instance

    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    name, wants_help = meta.get(COMMAND_KEY), bool(meta.get(HELP_KEY))
    instance = locate_instance(folder)
    if name in creating or instance_is_ready(instance, database_file):
        return {"INSTANCE_PATH": str(instance)}
    if name is None or wants_help:
        return {"INSTANCE_PATH": _scratch_folder()}
    click.echo(f"Erreur : aucune instance ici ({instance} n'a pas été préparé). {setup_hint} "
               "Si l'instance existe ailleurs, placez-vous dans le dossier qui la contient "
               "ou indiquez-la avec CHALEUR_INSTANCE_PATH.", err=True)
    sys.exit(1)


def _scratch_folder() -> str:
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="chaleur-aide-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def run_cli(cli: click.Command, prog_name: str, log_folder: Callable[[], Path]) -> NoReturn:
    """Run ``cli`` so that nothing it raises reaches the person as an English traceback.

    Usage errors come out in French (:func:`french_usage_error`); an unexpected error prints a
    French line and the path of a log file that holds the traceback for whoever helps.
    """
    try:
        result = cli.main(prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("\nInterrompu : rien de plus n'a été fait.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        click.echo(french_usage_error(error), err=True)
        sys.exit(error.exit_code)
    except Exception as error:  # noqa: BLE001  (the last line of defence: log, then explain)
        log = _log_traceback(log_folder())
        click.echo(f"Erreur inattendue : {_plain_reason(error)}", err=True)
        click.echo(f"Rien n'a été perdu de ce qui était déjà enregistré. Le détail est dans "
                   f"{log} : joignez ce fichier si vous demandez de l'aide.", err=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)


def _plain_reason(error: Exception) -> str:
    text = str(error)
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return ("la base de données n'est pas prête (tables absentes). Lancez la commande "
                "d'installation (« setup » ou « init »), ou « db upgrade » après une mise à jour.")
    if "unable to open database file" in text:
        return "impossible d'ouvrir la base de données : le dossier de l'instance est-il lisible ?"
    return f"{type(error).__name__} ({text.splitlines()[0][:200] if text else 'sans message'})."


def _log_traceback(folder: Path) -> Path:
    import tempfile
    import traceback
    from datetime import UTC, datetime

    for candidate in (folder, Path(tempfile.gettempdir())):
        path = candidate / "chaleur-erreurs.log"
        try:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"--- {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC {sys.argv!r}\n")
                handle.write(traceback.format_exc())
            return path
        except OSError:
            continue
    return Path("(journal impossible à écrire)")


_CLICK_MESSAGES: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), french) for
                                                    pattern, french in (
    (r"'(.*)' is not a valid integer( range)?\.?", "« \\1 » n'est pas un nombre entier."),
    (r"'(.*)' is not a valid float( range)?\.?", "« \\1 » n'est pas un nombre."),
    (r"'(.*)' is not one of (.*)\.", "« \\1 » n'est pas une valeur possible (\\2)."),
    (r"'(.*)' is not a valid boolean\.?", "« \\1 » n'est ni oui ni non."),
    (r"(File|Path|Directory) '(.*)' does not exist\.?", "« \\2 » n'existe pas."),
    (r"(File|Path) '(.*)' is a directory\.?", "« \\2 » est un dossier, pas un fichier."),
    (r"No such command '(.*)'\.?", "commande inconnue : « \\1 »."),
    (r"Got unexpected extra arguments? \((.*)\)", "argument(s) en trop : \\1."),
    (r"Option '(.*)' requires an? argument\.?", "l'option \\1 attend une valeur."),
    (r"Option '(.*)' requires (\d+) arguments\.?", "l'option \\1 attend \\2 valeurs."),
    (r"Option '(.*)' does not take a value\.?", "l'option \\1 ne prend pas de valeur."),
)]


def _french_click_text(text: str) -> str:
    for pattern, french in _CLICK_MESSAGES:
        if pattern.fullmatch(text.strip()):
            return pattern.sub(french, text.strip())
    return text


def _param_hint(error: click.BadParameter) -> str | None:
    """The option names (``--port``) or argument name a parameter error is about."""
    if isinstance(error.param_hint, str):
        return error.param_hint
    param = error.param
    if param is None:
        return None
    return " / ".join(param.opts) if isinstance(param, click.Option) else (
        param.human_readable_name)


def french_usage_error(error: click.ClickException) -> str:
    """Click's usage errors (English in click) as French lines: usage, where to look, what."""
    if isinstance(error, click.MissingParameter):
        kind = "option" if isinstance(error.param, click.Option) else "argument"
        what = (f"{kind} obligatoire manquant{'e' if kind == 'option' else ''} : "
                f"{_param_hint(error) or '?'}.")
    elif isinstance(error, click.NoSuchOption):
        what = f"option inconnue : {error.option_name}."
        if error.possibilities:
            what += " Vouliez-vous dire " + ", ".join(sorted(error.possibilities)) + " ?"
    elif isinstance(error, click.BadParameter):
        what = (f"valeur refusée pour {_param_hint(error) or 'un paramètre'} : "
                f"{_french_click_text(error.message)}")
    elif isinstance(error, click.FileError):
        what = f"impossible d'ouvrir « {error.ui_filename} » : {error.message}"
    else:
        what = _french_click_text(error.message)
    if not isinstance(error, click.UsageError) or error.ctx is None:
        return f"Erreur : {what}"
    ctx = error.ctx
    lines = [ctx.get_usage()]
    if ctx.command.get_help_option(ctx) is not None:
        lines.append(f"Essayez « {ctx.command_path} --help » pour l'aide.")
    lines.append("")
    lines.append(f"Erreur : {what}")
    return "\n".join(lines)


#: The French spelling alphabet (the guide prints it too): B, C, D, G, P, T, V sound alike
#: on the phone, « B comme Berthe » does not.
SPELLING = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (
    "Anatole", "Berthe", "Célestin", "Désiré", "Eugène", "François", "Gaston", "Henri", "Irma",
    "Joseph", "Kléber", "Louis", "Marcel", "Nicolas", "Oscar", "Pierre", "Quintal", "Raoul",
    "Suzanne", "Thérèse", "Ursule", "Victor", "William", "Xavier", "Yvonne", "Zoé"), strict=True))


def spelled(fingerprint: str) -> str:
    """A fingerprint as read aloud: « K comme Kléber, 7, Q comme Quintal… », group by group."""
    groups = [", ".join(f"{ch} comme {SPELLING[ch]}" if ch in SPELLING else ch for ch in group)
              for group in fingerprint.upper().split("-")]
    return " — ".join(groups)
