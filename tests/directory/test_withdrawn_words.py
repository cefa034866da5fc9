"""A withdrawn member's words leave the directory's files, not only its search results."""

from __future__ import annotations

from flask import Flask

from directory.extensions import db
from directory.services import fulltext
from directory.services.aggregation import apply_batch
from tests.directory.conftest import SPARSBACH, envelope, member


def index_bytes() -> bytes:
    rows = db.session.connection().exec_driver_sql("SELECT block FROM record_text_data")
    return b"".join(block for (block,) in rows if isinstance(block, bytes))


def test_compaction_removes_a_tombstoned_members_words_from_the_index(app: Flask) -> None:
    for index in range(30):
        apply_batch(SPARSBACH, [envelope("member", member(f"Personne {index}",
                                                          trade="Menuiserie"))])
    gone = envelope("member", member("Xavière", trade="Zythologie"))
    apply_batch(SPARSBACH, [gone])
    apply_batch(SPARSBACH, [{**gone, "version": 2, "deleted": True, "payload": None}])
    assert b"zytholog" in index_bytes()  # FTS5 only marked the deletion
    fulltext.compact()
    db.session.commit()
    assert b"zytholog" not in index_bytes() and b"xavier" not in index_bytes()
    assert b"menuis" in index_bytes()


def test_sqlite_overwrites_deleted_content(app: Flask) -> None:
    setting = db.session.connection().exec_driver_sql("PRAGMA secure_delete").scalar()
    assert setting == 1

