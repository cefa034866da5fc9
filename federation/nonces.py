"""Replay protection: every accepted nonce is remembered until its signature expires.

The store is injected so the app can keep nonces in its database: a replay is then
refused across restarts and across several worker processes. A SQL implementation is
one table with a unique (keyid, nonce) constraint: `remember` inserts and returns False
on an integrity error; a periodic job deletes rows whose expires_at has passed.
"""

from __future__ import annotations

import secrets
import threading
from typing import Protocol

from sqlalchemy import Table, delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError


class NonceStore(Protocol):
    def remember(self, keyid: str, nonce: str, expires_at: int) -> bool:
        """Record the nonce; return False if (keyid, nonce) was already recorded."""
        ...


class MemoryNonceStore:
    """In-process store FOR TESTS ONLY: it forgets on restart and is not shared by workers."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def remember(self, keyid: str, nonce: str, expires_at: int) -> bool:
        with self._lock:
            if (keyid, nonce) in self._seen:
                return False
            self._seen[(keyid, nonce)] = expires_at
            return True

    def forget_expired(self, now: int) -> None:
        with self._lock:
            self._seen = {k: exp for k, exp in self._seen.items() if exp >= now}


class SqlNonceStore:
    """NonceStore on any SQL table with ``keyid``, ``nonce`` and ``expires_at`` columns and
    a unique (keyid, nonce) constraint: the node and the directory both use it.

    The INSERT, not a prior SELECT, decides, so two workers racing on the same replay
    cannot both accept it. It commits on its own connection: the nonce stays spent even
    if the request fails later. Expired rows are purged now and then (one call in
    `purge_one_in`), so no scheduler is needed.
    """

    def __init__(self, engine: Engine, table: Table, now: int, purge_one_in: int = 50) -> None:
        self.engine, self.table, self.now = engine, table, now
        self.purge_one_in = purge_one_in

    def remember(self, keyid: str, nonce: str, expires_at: int) -> bool:
        try:
            with self.engine.begin() as connection:
                if secrets.randbelow(self.purge_one_in) == 0:
                    connection.execute(delete(self.table)
                                       .where(self.table.c.expires_at < self.now))
                connection.execute(insert(self.table), {"keyid": keyid, "nonce": nonce,
                                                        "expires_at": expires_at})
        except IntegrityError:
            return False
        return True
