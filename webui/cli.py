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
from typing import Any

import click
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

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None:
            return None
        if name in EXTENSION_GROUP_HELP:
            command.help = command.short_help = EXTENSION_GROUP_HELP[name]
        frenchify(command, ctx)
        return command
