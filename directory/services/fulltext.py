"""The full-text index of people and listings, one implementation per database.

SQLite: an FTS5 table (``unicode61 remove_diacritics 2``) whose rowid is the record id, with
the words and their crude French stems in two columns. PostgreSQL: a table of ``tsvector``
documents (``french`` configuration over unaccented text, plus the stems with ``simple``)
behind a GIN index. Both are written in the same transaction as the records (see
:mod:`directory.services.aggregation`) and queried as "the record ids matching these words".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import TextualSelect

from directory.extensions import db
from directory.services.french import MIN_STEM, stem, stems, words

log = logging.getLogger("chaleur.directory.fulltext")
MAX_TERMS = 8
REMOVE_CHUNK = 500

# detail=column and columnsize=0: the search only needs "which column holds a word starting
# with...", not positions or lengths, and both options make each insert much cheaper.
_SQLITE_DDL = ("CREATE VIRTUAL TABLE IF NOT EXISTS record_text USING fts5("
               "words, stems, tokenize=\"unicode61 remove_diacritics 2\", "
               "detail=column, columnsize=0)")
# Fallback when the unaccent extension cannot be created: the accented letters of French and
# German (Alsace, Moselle) mapped to their base letter.
_ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY"
_PG_UNACCENT = ("CREATE OR REPLACE FUNCTION chaleur_unaccent(text) RETURNS text LANGUAGE sql "
                "IMMUTABLE STRICT PARALLEL SAFE AS "
                "$$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$")
_PG_TRANSLATE = ("CREATE OR REPLACE FUNCTION chaleur_unaccent(text) RETURNS text LANGUAGE sql "
                 "IMMUTABLE STRICT PARALLEL SAFE AS "
                 f"$$ SELECT translate($1, '{_ACCENTED}', '{_PLAIN}') $$")
_PG_TABLE = ("CREATE TABLE IF NOT EXISTS record_text (record_id integer PRIMARY KEY "
             "REFERENCES record(id) ON DELETE CASCADE, document tsvector NOT NULL)")
_PG_INDEX = "CREATE INDEX IF NOT EXISTS ix_record_text_document ON record_text USING gin(document)"


def _dialect(connection: Connection) -> str:
    return connection.dialect.name


def create_schema(connection: Connection) -> None:
    """Create the index table (and on PostgreSQL the unaccent function) if missing."""
    if _dialect(connection) == "postgresql":
        try:
            with connection.begin_nested():
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
                connection.execute(text(_PG_UNACCENT))
        except Exception as error:  # no extension available or no right to create it
            log.warning("unaccent extension unavailable, using translate(): %s",
                        type(error).__name__)
            connection.execute(text(_PG_TRANSLATE))
        connection.execute(text(_PG_TABLE))
        connection.execute(text(_PG_INDEX))
    else:
        connection.execute(text(_SQLITE_DDL))


def drop_schema(connection: Connection) -> None:
    connection.execute(text("DROP TABLE IF EXISTS record_text"))


def install(metadata: Any) -> None:
    """Make ``create_all``/``drop_all`` create and drop the index with the tables."""
    event.listen(metadata, "after_create", lambda target, connection, **kw:
                 create_schema(connection))
    event.listen(metadata, "before_drop", lambda target, connection, **kw:
                 drop_schema(connection))


def add(rows: Sequence[tuple[int, str]]) -> None:
    """Index (record id, text) pairs, in the current session's transaction."""
    if not rows:
        return
    params = [(rid, body, stems(body)) for rid, body in rows]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "INSERT INTO record_text (record_id, document) VALUES (%s, "
            "setweight(to_tsvector('french', chaleur_unaccent(%s)), 'A') || "
            "to_tsvector('simple', %s))", params)
    else:
        connection.exec_driver_sql(
            "INSERT INTO record_text (rowid, words, stems) VALUES (?, ?, ?)", params)


def remove(record_ids: Sequence[int]) -> None:
    """Forget the index rows of these records."""
    if not record_ids:
        return
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    column, mark = ("record_id", "%s") if postgres else ("rowid", "?")
    for start in range(0, len(record_ids), REMOVE_CHUNK):
        chunk = tuple(record_ids[start:start + REMOVE_CHUNK])
        connection.exec_driver_sql(
            f"DELETE FROM record_text WHERE {column} IN ({', '.join([mark] * len(chunk))})",
            chunk)


def compact() -> None:
    """Rewrite the SQLite index so the words of deleted records leave the file.

    FTS5 only marks deletions and keeps the old terms in its segments until they are
    merged: a withdrawn member's words would stay on disk (unsearchable, but readable).
    ``optimize`` merges every segment, dropping them; the pull worker calls this once per
    pull interval. On PostgreSQL deleted rows are dead tuples that (auto)VACUUM clears.
    """
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.exec_driver_sql("INSERT INTO record_text (record_text) VALUES ('optimize')")


def query_terms(query: str) -> list[str]:
    """The folded words of a search box, at most :data:`MAX_TERMS` of them."""
    return words(query)[:MAX_TERMS]


def matching_ids(query: str) -> TextualSelect | None:
    """``SELECT record_id`` of the records matching every word (by prefix or stem), or None."""
    terms = query_terms(query)
    if not terms:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        clause = _postgres_match(terms)
    else:
        clause = _sqlite_match(terms)
    return clause.columns(record_id=Integer)


def matching_record_ids(query: str) -> list[int] | None:
    """The record ids matching every word (members and listings), or None without words.

    Joined into one string in the database: a broad word matches tens of thousands of
    records, and one row is much cheaper to fetch than that many."""
    terms = query_terms(query)
    if not terms:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        match, joined = _postgres_match(terms), "string_agg(record_id::text, ',')"
    else:
        match, joined = _sqlite_match(terms), "group_concat(record_id)"
    found = db.session.execute(text(f"SELECT {joined} FROM ({match.text}) AS matched")
                               .bindparams(**match.compile().params)).scalar()
    return list(map(int, found.split(","))) if found else []


def _term_stem(term: str) -> str:
    root = stem(term)
    return root if len(root) >= MIN_STEM else term


def _sqlite_match(terms: list[str]) -> TextClause:
    # Terms are [a-z0-9]+ only (see words()), so quoting them cannot break the FTS5 syntax.
    expression = " AND ".join(
        f'(words : "{term}"* OR stems : "{_term_stem(term)}"*)' for term in terms)
    return text("SELECT rowid AS record_id FROM record_text WHERE record_text MATCH :match"
                ).bindparams(match=expression)


def _postgres_match(terms: list[str]) -> TextClause:
    parts, params = [], {}
    for index, term in enumerate(terms):
        parts.append(f"(to_tsquery('french', chaleur_unaccent(:t{index}) || ':*') || "
                     f"to_tsquery('simple', :s{index} || ':*'))")
        params[f"t{index}"] = term
        params[f"s{index}"] = _term_stem(term)
    return text("SELECT record_id FROM record_text WHERE document @@ ("
                + " && ".join(parts) + ")").bindparams(**params)
