"""The directory's migrations build exactly the models' schema, full-text index included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, text

from directory import MIGRATIONS_DIR, create_app
from directory.extensions import db
from directory.models import ListingEntry, Peer, PeerStatus, Record
from directory.services import fulltext
from directory.services.aggregation import apply_batch, forget_node_records
from directory.services.fulltext import matching_ids, matching_record_ids
from directory.services.params import PeopleQuery
from directory.services.search import search_people
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


BACKENDS = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])


def on_backend(backend: str, tmp_path: Path, check: Callable[[Flask], None]) -> None:
    """Run ``check`` on a directory app over an empty SQLite or PostgreSQL database."""
    if backend == "sqlite":
        check(create_app(directory_config(tmp_path)))
        return
    with fresh_database("chaleur_directory") as url:
        check(create_app(directory_config(tmp_path, SQLALCHEMY_DATABASE_URI=url)))


@BACKENDS
def test_migrations_build_the_models_schema(backend: str, tmp_path: Path) -> None:
    on_backend(backend, tmp_path, check_migrated)


def check_search_version_upgrade(app: Flask) -> None:
    """0001 → 0002 keeps every row; nodes start at search version 0 and are searchable."""
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0001")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO peer (id, node_id, name, base_url, status, document, "
                "key_fingerprint, requested_at, failures, feed_cursor) VALUES (7, 'sparsbach', "
                "'Sparsbach', '', 'admitted', '{}', '', '2026-01-01 00:00:00', 0, 'c3')"))
            connection.execute(text(
                "INSERT INTO record (id, type, uuid, peer_id, version, deleted, payload, "
                "received_at) VALUES (11, 'member', 'm-1', 7, 2, false, '{}', "
                "'2026-01-01 00:00:00')"))
            connection.execute(text(
                "INSERT INTO member_entry (record_id, peer_id, uuid, display_name, sort_key, "
                "trade, trade_key, commune_code) VALUES (11, 7, 'm-1', 'Camille', 'camille', "
                "'Ébéniste', 'ebeniste', '67437')"))
        upgrade(directory=MIGRATIONS_DIR, revision="0004")
        peer = db.session.scalars(select(Peer)).one()
        assert (peer.node_id, peer.feed_cursor, peer.search_version) == ("sparsbach", "c3", 0)
        page = search_people(PeopleQuery())
        assert page.total == 1 and [f.label for f in page.facets["trade"]] == ["Ébéniste"]
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)
        assert schema_differences() == []
        db.session.remove()
        db.engine.dispose()


@BACKENDS
def test_search_version_migration_keeps_rows(backend: str, tmp_path: Path) -> None:
    on_backend(backend, tmp_path, check_search_version_upgrade)


SEARCHED_TABLES = ("record", "member_entry", "member_skill", "listing_entry", "record_text")


def table_rows() -> dict[str, list[tuple[object, ...]]]:
    with db.engine.connect() as connection:
        return {table: sorted(tuple(row) for row in connection.execute(text(
            f"SELECT * FROM {table}")))
            for table in SEARCHED_TABLES}


def check_record_ids_upgrade(app: Flask) -> None:
    """0002 → 0003 keeps every row and id (entries, skills and full-text rows included, none
    cascaded away by the SQLite rebuild); then a dropped highest id is never given again."""
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0002")
        for node_id in ("westhouse", "sparsbach"):
            db.session.add(Peer(node_id=node_id, name=node_id, status=PeerStatus.ADMITTED))
        db.session.commit()
        apply_batch("westhouse", [envelope("member", member("Marc", trade="Graphiste"),
                                           origin="westhouse")])
        apply_batch("sparsbach", [
            envelope("member", member("Jean", trade="Menuisier", skills=["Couture"]),
                     origin="sparsbach"),
            envelope("listing", {"public": True,
                                 "kind": "offer", "title": "Scie à ruban"}, origin="sparsbach")])
        before = table_rows()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="0003")
        assert table_rows() == before
        upgrade(directory=MIGRATIONS_DIR)
        assert schema_differences() == []
        highest = max(row[0] for row in before["record"])
        forget_node_records("sparsbach")
        db.session.commit()
        apply_batch("sparsbach", [envelope("member", member("Léa", trade="Potière"),
                                           origin="sparsbach")])
        assert db.session.scalar(select(Record.id).where(Record.peer_id == Peer.id,
                                                         Peer.node_id == "sparsbach")) > highest
        page = search_people(PeopleQuery(q="potiere"))
        assert page.total == 1 and [item["display_name"] for item in page.items] == ["Léa"]
        if db.engine.dialect.name == "sqlite":  # the rebuild turned foreign keys back on
            with db.engine.connect() as connection:
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()


@BACKENDS
def test_record_ids_migration_keeps_rows(backend: str, tmp_path: Path) -> None:
    on_backend(backend, tmp_path, check_record_ids_upgrade)


def check_snowball_rebuild(app: Flask) -> None:
    """0003 → 0004 writes every entry of the full-text index again with the new tokens: an
    entry left by the old code (crude stems; on PostgreSQL the ``french`` configuration)
    becomes findable through the vocabulary's synonyms, deleted records stay out, and the
    records themselves are untouched."""
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0003")
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO peer (id, node_id, name, base_url, status, document, "
                "key_fingerprint, requested_at, failures, feed_cursor, search_version) "
                "VALUES (7, 'sparsbach', 'Sparsbach', '', 'admitted', '{}', '', "
                "'2026-01-01 00:00:00', 0, '', 0)"))
            for rid, kind, deleted, payload in (
                    (11, "member", False, '{"display_name": "Chloé", "trade": "Ébéniste"}'),
                    (12, "listing", False, '{"title": "Cherche expert-comptable"}'),
                    (13, "member", True, "null")):
                connection.execute(text(
                    "INSERT INTO record (id, type, uuid, peer_id, version, deleted, payload, "
                    "received_at) VALUES (:id, :kind, :uuid, 7, 1, :deleted, :payload, "
                    "'2026-01-01 00:00:00')"), {"id": rid, "kind": kind, "uuid": f"r-{rid}",
                                                 "deleted": deleted, "payload": payload})
            connection.execute(text(
                "INSERT INTO member_entry (record_id, peer_id, uuid, display_name, sort_key, "
                "trade, trade_key, commune_code) VALUES (11, 7, 'r-11', 'Chloé', 'chloe', "
                "'Ébéniste', 'ebeniste', '67437')"))
            connection.execute(text(
                "INSERT INTO listing_entry (record_id, peer_id, kind, title, member_uuid) "
                "VALUES (12, 7, 'need', 'Cherche expert-comptable', '')"))
            old = ("INSERT INTO record_text (record_id, document) VALUES (:id, "
                   "to_tsvector('french', chaleur_unaccent(:words)))" if postgres else
                   "INSERT INTO record_text (rowid, words, stems) VALUES (:id, :words, :stems)")
            connection.execute(text(old), [
                {"id": 11, "words": "Chloé Ébéniste", "stems": "chlo ebenist"},
                {"id": 12, "words": "Cherche expert-comptable", "stems": "cherch expert compt"}])
        records = table_rows()["record"]
        upgrade(directory=MIGRATIONS_DIR, revision="0004")
        assert table_rows()["record"] == records
        assert len(table_rows()["record_text"]) == 2
        assert [i["display_name"] for i in search_people(PeopleQuery(q="menuisier")).items] \
            == ["Chloé"]
        assert matching_record_ids("comptable") == [12]
        if postgres:
            assert db.session.scalar(text(
                "SELECT count(*) FROM pg_proc WHERE proname = 'chaleur_unaccent'")) == 0
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)
        assert schema_differences() == []
        db.session.remove()
        db.engine.dispose()


def check_public_part_upgrade(app: Flask) -> None:
    """0008 → 0009: records received without the public mark (nodes of the earlier version)
    leave the search rows and the index, marked ones stay, rencontres get their flag; the
    records themselves stay for the network copy."""
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0008")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO peer (id, node_id, name, base_url, status, document, "
                "key_fingerprint, requested_at, failures, feed_cursor, search_version) "
                "VALUES (7, 'sparsbach', 'Sparsbach', '', 'admitted', '{}', '', "
                "'2026-01-01 00:00:00', 0, '', 0)"))
        db.session.remove()
        from directory.services.aggregation import apply_batch as apply
        apply("sparsbach", [
            envelope("member", {"display_name": "Chloé", "trade": "Ébéniste",
                                "phone": "03 88 00 00 01"}, origin="sparsbach"),
            envelope("member", member("Léa", trade="Potière"), origin="sparsbach")])
        db.session.remove()
        with db.engine.begin() as connection:  # the 0008 code indexed every record
            connection.execute(text(
                "INSERT INTO member_entry (record_id, peer_id, uuid, display_name, sort_key, "
                "trade, trade_key, commune_code) SELECT id, 7, uuid, 'Chloé', 'chloe', "
                "'Ébéniste', 'ebeniste', '' FROM record WHERE CAST(payload AS TEXT) LIKE '%Chlo%'"))
            connection.execute(text(
                "INSERT INTO record (id, type, uuid, peer_id, version, deleted, payload, "
                "received_at) VALUES (40, 'event', 'e-1', 7, 1, false, :payload, "
                "'2026-01-01 00:00:00')"), {"payload": '{"title": "Café", "public": true}'})
            connection.execute(text(
                "INSERT INTO event_entry (record_id, peer_id, starts_at, commune_code, "
                "cancelled, title) VALUES (40, 7, '2099-01-01 00:00:00', '', false, 'Café')"))
        records = table_rows()["record"]
        upgrade(directory=MIGRATIONS_DIR)
        assert schema_differences() == []
        assert table_rows()["record"] == records
        assert [i["display_name"] for i in search_people(PeopleQuery()).items] == ["Léa"]
        assert search_people(PeopleQuery(q="ebeniste")).total == 0
        assert db.session.scalar(text("SELECT public FROM event_entry")) in (True, 1)
        db.session.remove()
        db.engine.dispose()


@BACKENDS
def test_public_part_migration_hides_unmarked_records(backend: str, tmp_path: Path) -> None:
    on_backend(backend, tmp_path, check_public_part_upgrade)


@BACKENDS
def test_snowball_migration_rebuilds_the_index(backend: str, tmp_path: Path) -> None:
    on_backend(backend, tmp_path, check_snowball_rebuild)


def check_ids_owned_across_types(app: Flask) -> None:
    """0005 → 0006: rows sharing an id keep the first one stored (its owner); the later
    ones leave with their search rows; then the database itself refuses a shared id."""
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0005")
        for node_id in ("westhouse", "sparsbach"):
            db.session.add(Peer(node_id=node_id, name=node_id, status=PeerStatus.ADMITTED))
        db.session.commit()
        owner = envelope("member", member("Marc", trade="Graphiste"), origin="westhouse")
        apply_batch("westhouse", [owner])
        apply_batch("sparsbach", [envelope("member", member("Jean", trade="Menuisier"),
                                           origin="sparsbach")])
        # What the old aggregation let through: the same id under another type, indexed.
        squatter = Record(type="listing", uuid=owner["id"], version=1,
                          peer_id=db.session.scalar(select(Peer.id).where(
                              Peer.node_id == "sparsbach")),
                          payload={"kind": "offer", "title": "Scie usurpée"})
        db.session.add(squatter)
        db.session.flush()
        db.session.add(ListingEntry(record_id=squatter.id, peer_id=squatter.peer_id,
                                    kind="offer", title="Scie usurpée"))
        fulltext.add([(squatter.id, "", "Scie usurpée")])
        db.session.commit()
        assert db.session.scalar(select(func.count()).where(Record.uuid == owner["id"])) == 2
        assert matching_record_ids("usurpee")
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)
        assert schema_differences() == []
        kept = db.session.execute(select(Record.type, Peer.node_id).join(Peer).where(
            Record.uuid == owner["id"])).all()
        assert [tuple(row) for row in kept] == [("member", "westhouse")]
        assert not matching_record_ids("usurpee")
        assert search_people(PeopleQuery(q="jean")).total == 1
        assert db.session.scalar(select(func.count()).select_from(ListingEntry)) == 0
        db.session.remove()
        db.engine.dispose()


@BACKENDS
def test_record_ids_owned_across_types_migration(backend: str, tmp_path: Path) -> None:
    on_backend(backend, tmp_path, check_ids_owned_across_types)
