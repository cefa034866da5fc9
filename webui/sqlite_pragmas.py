"""PRAGMAs run on every new SQLite connection of an app (nothing for other databases).

SQLite keeps several safety switches off by default, per connection: ``foreign_keys`` (the
schema's ON DELETE rules are ignored without it) and ``secure_delete`` (deleted rows stay
readable in the file's free pages until reused). Both apps turn on what they need here, once,
for every connection the engine opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event


def set_sqlite_pragmas(app: Flask, db: SQLAlchemy, pragmas: Sequence[str]) -> None:
    """Run ``PRAGMA <p>`` for each of ``pragmas`` on every connection of this app's engine."""
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def set_pragmas(connection: Any, record: Any) -> None:
        cursor = connection.cursor()
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
