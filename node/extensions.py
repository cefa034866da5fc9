"""Flask extensions, created once here and bound to each app in :func:`node.create_app`.

Nothing here reads configuration at import time, so a test can run several nodes in one process.
"""

from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every node model."""


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_migrations(app: Flask, directory: str) -> Any:
    """Bind Alembic (through Flask-Migrate) to ``app``, for the CLI and the tests.

    Imported here rather than at module level: the production server never migrates, and
    Alembic with its templates costs about 11 MB in every serving process.
    """
    from flask_migrate import Migrate

    # batch mode: SQLite's ALTER TABLE needs copy-and-move migrations.
    return Migrate(app, db, directory=directory, render_as_batch=True, compare_type=True)
