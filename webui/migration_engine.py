"""Binding Alembic (through Flask-Migrate) to an app, shared by the node and the directory.

Only the command line and the tests call :func:`init_migrations`: the production servers
(:mod:`node.serving`, :mod:`directory.serving`) never migrate, so they never import it and
Alembic with its templates (about 11 MB) stays out of every serving process.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy


def init_migrations(app: Flask, db: SQLAlchemy, directory: str) -> Any:
    """Bind ``app`` and ``db`` to the migration scripts in ``directory``."""
    from flask_migrate import Migrate

    # batch mode: SQLite's ALTER TABLE needs copy-and-move migrations.
    return Migrate(app, db, directory=directory, render_as_batch=True, compare_type=True)
