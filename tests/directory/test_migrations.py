"""The directory's migrations build exactly the models' schema, full-text index included."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import inspect

from directory import MIGRATIONS_DIR, create_app
from directory.extensions import db
from directory.models import Peer, PeerStatus
from directory.services.aggregation import apply_batch
from directory.services.fulltext import matching_ids
from tests.directory.conftest import directory_config, envelope, member
from tests.support.postgres import fresh_database


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """As directory/migrations/env.py: the full-text tables are not models."""
    return not (type_ == "table" and name is not None and name.startswith("record_text"))


def schema_differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": include_name})
        return list(compare_metadata(context, db.metadata))


def check_migrated(app: Flask) -> None:
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        assert schema_differences() == []
        assert "record_text" in inspect(db.engine).get_table_names()
        # The index the migration created is the one the search reads and writes.
        db.session.add(Peer(node_id="sparsbach", name="Sparsbach", status=PeerStatus.ADMITTED))
        db.session.commit()
        apply_batch("sparsbach", [envelope("member", member("Camille", trade="Ébéniste"),
                                           origin="sparsbach")])
        found = matching_ids("ebeniste")
        assert found is not None and len(db.session.execute(found).all()) == 1
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql",
                                                              marks=pytest.mark.postgres)])
def test_migrations_build_the_models_schema(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        check_migrated(create_app(directory_config(tmp_path)))
        return
    with fresh_database("chaleur_directory") as url:
        check_migrated(create_app(directory_config(tmp_path, SQLALCHEMY_DATABASE_URI=url)))
