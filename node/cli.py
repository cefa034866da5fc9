"""The ``chaleur`` command: initialise, run and administer a village node.

Every command prints what happened and what to do next, and fails with a clear message
(exit status 1 or 2) instead of a traceback. Commands live in :mod:`node.commands`, one module
per subject.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from node.commands import backup, demo, events, federation, installation, members, setup
from webui.cli import FrenchFlaskGroup, build_cli_app, run_cli
from webui.instance import NODE_FOLDER, locate_instance

#: Commands that make an instance where there is none; every other one needs one.
CREATING_COMMANDS = frozenset({"setup", "init", "restore"})


def _create_app(*args: Any, **kwargs: Any) -> Flask:
    from node import create_app

    return build_cli_app(create_app, NODE_FOLDER, "node.db", CREATING_COMMANDS,
                         "Pour créer le nœud : « chaleur setup ».")


def main() -> None:
    """Entry point of the ``chaleur`` console script."""
    cli = FrenchFlaskGroup(create_app=_create_app, add_default_commands=False,
                     help="Chaleur : nœud de village (membres, rencontres, réseau).")
    run_cli(cli, "chaleur", lambda: locate_instance(NODE_FOLDER))


def register_commands(app: Flask) -> None:
    """The ``chaleur`` command line: ``db`` (migrations) and the node's own commands."""
    from node import MIGRATIONS_DIR
    from node.extensions import db
    from webui.migration_engine import init_migrations

    init_migrations(app, db, MIGRATIONS_DIR)
    for module in (installation, setup, members, events, backup, demo, federation):
        for command in module.COMMANDS:
            app.cli.add_command(command)
