"""Fresh PostgreSQL databases for the tests that claim PostgreSQL support.

On a machine without a server the tests are skipped with a clear message; under CI (CI=true)
a missing server is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ADMIN_URL = os.environ.get("CHALEUR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


def postgres_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        with _connect(ADMIN_URL):
            return None
    except Exception as error:  # any connection failure means "no server here"
        return f"PostgreSQL injoignable à {ADMIN_URL}: {error}"


def require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def fresh_database(prefix: str = "chaleur_test") -> Iterator[str]:
    """Create an empty database, yield its SQLAlchemy URL, drop it afterwards."""
    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _connect(ADMIN_URL) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with _connect(ADMIN_URL) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
