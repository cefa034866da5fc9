"""A node's members read from the database, in the shape the people index holds them.

A member is a plain tuple (sort key, record id, its facet values, their spellings), not an
object: the garbage collector stops tracking tuples of strings, and a full collection walking
100 000 members would pause a search for 100 ms. Tuples compare in the directory's display
order (the record id is unique, so the values are never compared).

Rows come straight from the driver's cursor: a node has thousands of members, and any per-row
layer above the driver would cost more than the query itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Final

from directory.extensions import db

Value = tuple[str, str]  # (facet, key): ("trade", "menuisier"), ("commune", "67437")...
Member = tuple[str, int, tuple[Value, ...], tuple[str, ...]]
RID: Final = 1
VALUES: Final = 2
SPELLINGS: Final = 3
#: Changed members of a node beyond which all its members are read rather than by id.
BY_ID = 200

_VERSIONS = "SELECT id, version FROM record WHERE peer_id = {mark} AND type = 'member'"
_NODE_SKILLS = ("SELECT record_id, skill_key, skill FROM member_skill WHERE record_id IN "
                "(SELECT record_id FROM member_entry WHERE peer_id = {mark})")
# PostgreSQL hashes a join or an IN over the whole skill table (50 ms a node at 100 000
# members); an array of the node's member ids makes it use the primary key (1 ms).
_NODE_SKILLS_PG = ("SELECT record_id, skill_key, skill FROM member_skill WHERE record_id = "
                   "ANY(ARRAY(SELECT record_id FROM member_entry WHERE peer_id = {mark}))")
_NODE_MEMBERS = ("SELECT record_id, sort_key, trade_key, trade, commune_code "
                 "FROM member_entry WHERE peer_id = {mark}")
_SKILLS_BY_ID = "SELECT record_id, skill_key, skill FROM member_skill WHERE record_id IN ({marks})"
_MEMBERS_BY_ID = ("SELECT record_id, sort_key, trade_key, trade, commune_code "
                  "FROM member_entry WHERE record_id IN ({marks})")


def record_versions(peer_id: int) -> dict[int, int]:
    """Record id → version of every member record of a node, tombstones included.

    A record id names one record forever (never given again, see the ``record`` model), so
    an unchanged (id, version) pair is an unchanged member."""
    return dict(_rows(_VERSIONS, peer_id))


def read_members(peer_id: int, ids: list[int],
                 value: Callable[[str, str], Value]) -> list[Member]:
    """The live members among these record ids of a node (tombstones have no row); many of
    them: the node's whole member list, filtered. ``value`` gives the one shared tuple of
    each facet value."""
    if not ids:
        return []
    if len(ids) > BY_ID:
        wanted = set(ids)
        postgres = db.session.connection().dialect.name == "postgresql"
        skills = [row for row in _rows(_NODE_SKILLS_PG if postgres else _NODE_SKILLS,
                                       peer_id) if row[0] in wanted]
        rows = [row for row in _rows(_NODE_MEMBERS, peer_id) if row[0] in wanted]
    else:
        skills = _rows_by_id(_SKILLS_BY_ID, ids)
        rows = _rows_by_id(_MEMBERS_BY_ID, ids)
    return _built(skills, rows, value)


def _built(skill_rows: list[Any], member_rows: list[Any],
           value: Callable[[str, str], Value]) -> list[Member]:
    """Member tuples from ``member_entry`` and ``member_skill`` rows."""
    skills: dict[int, list[tuple[Value, str]]] = {}
    for rid, key, spelling in skill_rows:
        pair = (value("skill", key), sys.intern(spelling))
        if rid in skills:
            skills[rid].append(pair)
        else:
            skills[rid] = [pair]
    members: list[Member] = []
    for rid, sort_key, trade_key, trade, commune in member_rows:
        pairs = skills.get(rid, [])
        if trade_key:
            pairs.append((value("trade", trade_key), sys.intern(trade)))
        if commune:
            pairs.append((value("commune", commune), ""))
        values, spellings = zip(*pairs, strict=True) if pairs else ((), ())
        members.append((sort_key, rid, values, spellings))
    return members


def _rows(sql: str, *params: Any) -> list[Any]:
    """All rows of a query, from the driver's cursor on the session's connection."""
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql.format(mark=mark, marks=", ".join([mark] * len(params))), params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _rows_by_id(sql: str, ids: list[int]) -> list[Any]:
    return [row for start in range(0, len(ids), BY_ID)
            for row in _rows(sql, *ids[start:start + BY_ID])]
