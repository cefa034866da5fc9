"""Keeping the query planner informed about the size and shape of the search tables.

Without statistics SQLite guesses, and at 100 000 members it guesses badly: it sorts every
member to show the first page of the directory instead of walking the ``sort_key`` index,
and joins listings to their author through the node's members instead of the member's id
(hundreds of milliseconds instead of one). ``ANALYZE`` records the statistics
(``sqlite_stat1``; on PostgreSQL it refreshes what autovacuum also gathers); the pull worker
runs it after a large intake and once per pull interval.
"""

from __future__ import annotations

from directory.extensions import db

#: Records applied in one pull round after which the statistics are refreshed at once.
LARGE_INTAKE = 1000


def refresh_statistics() -> None:
    """Gather planner statistics for every table, in the current transaction."""
    db.session.connection().exec_driver_sql("ANALYZE")
