"""SQLite under a busy Pays: a write waits for the lock a long pull holds (busy_timeout)."""

from __future__ import annotations

import sqlite3
import threading
import time

from flask import Flask

from directory.extensions import db


def test_a_write_waits_for_a_long_lock_instead_of_failing(app: Flask) -> None:
    """A pull applying a long feed holds the write lock; a request writing meanwhile (a
    signed request's nonce) waits for it rather than failing after Python's 5 s."""
    db.session.commit()
    path = db.engine.url.database
    holder = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(6.0, lambda: holder.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    try:
        db.session.connection().exec_driver_sql("CREATE TABLE lock_probe (x INTEGER)")
        db.session.commit()
    finally:
        release.join()
        holder.close()
    assert time.monotonic() - started >= 5.5
