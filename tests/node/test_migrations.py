"""Schema migrations: the shipped revisions build exactly the models' schema, keeping rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import text

from node import MIGRATIONS_DIR, create_app
from node.extensions import db
from tests.conftest import node_config
from tests.support.postgres import fresh_database

FIRST_REVISION = "0001"


def schema_differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql",
                                                              marks=pytest.mark.postgres)])
def test_migrations_build_the_models_schema(backend: str, tmp_path: Path) -> None:
    def check(url: str | None) -> None:
        overrides = {"SQLALCHEMY_DATABASE_URI": url} if url else {}
        app = create_app(node_config(tmp_path, **overrides))
        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
            assert schema_differences() == []
            db.engine.dispose()

    if backend == "sqlite":
        check(None)
    else:
        with fresh_database() as url:
            check(url)


def test_upgrade_from_first_release_keeps_every_row(tmp_path: Path) -> None:
    app = create_app(node_config(tmp_path))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=FIRST_REVISION)
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO community (id, uuid, version, updated_at, name, description, "
                "communes, contact_name, contact_role, contact_email, contact_phone, signup_mode)"
                " VALUES (1, 'c0ffee00-0000-4000-8000-000000000001', 1, '2026-01-01 00:00:00',"
                " 'Tiers-lieu de Sparsbach', '', '[\"67475\"]', '', '', '', '', 'request')"))
            connection.execute(text(
                "INSERT INTO account (id, email, role, status, created_at, join_message)"
                " VALUES (1, 'ancien@example.org', 'admin', 'active', '2026-01-01 00:00:00', '')"))
        upgrade(directory=MIGRATIONS_DIR)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM community")).scalar_one() == \
                "Tiers-lieu de Sparsbach"
            assert connection.execute(text("SELECT email FROM account")).scalar_one() == \
                "ancien@example.org"
        assert schema_differences() == []
        db.engine.dispose()
