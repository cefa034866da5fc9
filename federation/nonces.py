"""Replay protection: every accepted nonce is remembered until its signature expires.

The store is injected so the app can keep nonces in its database: a replay is then
refused across restarts and across several worker processes. A SQL implementation is
one table with a unique (keyid, nonce) constraint: `remember` inserts and returns False
on an integrity error; a periodic job deletes rows whose expires_at has passed.
"""

from __future__ import annotations

import threading
from typing import Protocol


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
