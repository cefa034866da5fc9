"""The Alembic environment both apps' ``migrations/env.py`` run (Flask-Migrate style).

Kept in one place so the node and the directory migrate the same way: the app's own logging
(no alembic.ini override), custom column types written as plain SQLAlchemy types so revision
files never import the app, and no empty revision generated when nothing changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from alembic import context
from flask import current_app

log = logging.getLogger("alembic.env")

NameFilter = Callable[[str | None, str, dict[str, Any]], bool]


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our UTC column type as a plain DateTime, so migrations never import the app."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime()"
    return False


def _skip_empty_revision(migration_context: Any, revision: Any, directives: list[Any]) -> None:
    if getattr(context.config.cmd_opts, "autogenerate", False):
        if directives[0].upgrade_ops.is_empty():
            directives[:] = []
            log.info("No changes in schema detected.")


def run(include_name: NameFilter | None = None) -> None:
    """Run the migrations offline (SQL script) or online (against the app's engine)."""
    migrate = current_app.extensions["migrate"]
    engine = migrate.db.engine
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    context.config.set_main_option("sqlalchemy.url", url)
    metadata = migrate.db.metadata
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    options = dict(migrate.configure_args)
    options.setdefault("render_item", render_item)
    options.setdefault("process_revision_directives", _skip_empty_revision)
    if include_name is not None:
        options.setdefault("include_name", include_name)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, **options)
        with context.begin_transaction():
            context.run_migrations()
