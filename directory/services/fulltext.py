"""The full-text index of people and listings, one implementation per database.

Both databases index the same tokens, computed in Python by :mod:`vocabulary.text`: the
folded words of a record and their Snowball French stems. SQLite: an FTS5 table whose rowid
is the record id, words and stems in two columns. PostgreSQL: a table of ``tsvector``
documents (``simple`` configuration over those tokens, stems marked with
:data:`PG_STEM_MARK`) behind a GIN index. PostgreSQL's own
``french`` configuration runs the same Snowball stemmer, but with its stop words and its own
version of the algorithm: giving both databases the Python tokens is what makes a search
answer the same on either (``tests/directory/test_search_table.py`` checks it on both).

Both are written in the same transaction as the records (see
:mod:`directory.services.aggregation`) and queried as "the record ids matching these terms",
each term being the words typed (by prefix of a word or stem) or, for a trade or skill of
the vocabulary, any of its synonyms (by exact stems) — see :func:`vocabulary.parse_query`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import TextualSelect

from directory.extensions import db
from vocabulary import QueryTerm, parse_query
from vocabulary.text import stems_of, words

log = logging.getLogger("chaleur.directory.fulltext")
MAX_TERMS = 8
REMOVE_CHUNK = 500
REBUILD_CHUNK = 1000

# detail=column and columnsize=0: the search only needs "which record holds a token starting
# with...", not positions or lengths, and both options make each insert much cheaper.
_SQLITE_DDL = ("CREATE VIRTUAL TABLE IF NOT EXISTS record_text USING fts5("
               "words, stems, tokenize=\"unicode61 remove_diacritics 2\", "
               "detail=column, columnsize=0)")
_PG_TABLE = ("CREATE TABLE IF NOT EXISTS record_text (record_id integer PRIMARY KEY "
             "REFERENCES record(id) ON DELETE CASCADE, document tsvector NOT NULL)")
_PG_INDEX = "CREATE INDEX IF NOT EXISTS ix_record_text_document ON record_text USING gin(document)"
_PG_INSERT = ("INSERT INTO record_text (record_id, document) VALUES (%s, "
              "to_tsvector('simple', %s) || to_tsvector('simple', %s))")
#: PostgreSQL keeps words and stems in one tsvector: stems carry this mark, so a synonym
#: is looked up among stems only without a weight label (GIN does not store weights: a
#: labelled query rechecks every candidate row, 5-8 times slower on a broad trade).
PG_STEM_MARK = "0"
_SQLITE_INSERT = "INSERT INTO record_text (rowid, words, stems) VALUES (?, ?, ?)"


def _dialect(connection: Connection) -> str:
    return connection.dialect.name


def create_schema(connection: Connection) -> None:
    """Create the index table if missing."""
    if _dialect(connection) == "postgresql":
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


def _tokens(name: str, body: str, postgres: bool) -> tuple[str, str]:
    """The words of the name and the text, and the stems of the text only.

    Names are matched by what people type, never by a synonym: « Paul Schreiner », a
    roofer, must not come up in a search for a « menuisier » (Schreiner, in German)."""
    body_words = words(body)
    roots = stems_of(body_words)
    if postgres and roots:
        roots = PG_STEM_MARK + roots.replace(" ", " " + PG_STEM_MARK)
    return " ".join(words(name) + body_words), roots


def add(rows: Sequence[tuple[int, str, str]]) -> None:
    """Index (record id, name, text) triples, in the current session's transaction."""
    if rows:
        write(db.session.connection(), rows)


def write(connection: Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Index (record id, name, text) triples on this connection (apply path and rebuild)."""
    postgres = connection.dialect.name == "postgresql"
    params = [(rid, *_tokens(name, body, postgres)) for rid, name, body in rows]
    if params:
        connection.exec_driver_sql(_PG_INSERT if postgres else _SQLITE_INSERT, params)


def rebuild(connection: Connection, texts: Iterable[tuple[int, str, str]]) -> int:
    """Empty the index and fill it again from (record id, name, text) triples; how many.

    Run by the migration that changed the tokens (a new stemmer): the records are the
    truth, the index is derived from them."""
    connection.exec_driver_sql("DELETE FROM record_text")
    chunk: list[tuple[int, str, str]] = []
    written = 0
    for row in texts:
        chunk.append(row)
        if len(chunk) >= REBUILD_CHUNK:
            write(connection, chunk)
            written, chunk = written + len(chunk), []
    write(connection, chunk)
    return written + len(chunk)


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


def query_terms(query: str) -> tuple[QueryTerm, ...]:
    """The terms of a search box (at most :data:`MAX_TERMS` words), synonyms included."""
    return parse_query(query, MAX_TERMS)


def matching_ids(query: str) -> TextualSelect | None:
    """``SELECT record_id`` of the records matching every term, or None without words."""
    terms = query_terms(query)
    if not terms:
        return None
    return _match(terms).columns(record_id=Integer)


def matching_record_ids(query: str) -> list[int] | None:
    """The record ids matching every term (members and listings), or None without words.

    Joined into one string in the database: a broad word matches tens of thousands of
    records, and one row is much cheaper to fetch than that many."""
    terms = query_terms(query)
    return None if not terms else _joined_ids(_match(terms))


def _joined_ids(match: TextClause) -> list[int]:
    postgres = db.session.get_bind().dialect.name == "postgresql"
    joined = "string_agg(record_id::text, ',')" if postgres else "group_concat(record_id)"
    found = db.session.execute(text(f"SELECT {joined} FROM ({match.text}) AS matched")
                               .bindparams(**match.compile().params)).scalar()
    return list(map(int, found.split(","))) if found else []


def any_of(synonyms: Sequence[Sequence[str]]) -> TextClause:
    """``SELECT record_id`` of the records holding, among their stems, every stem of at
    least one of these synonyms (exact stems): how matching asks for « any name of this
    skill » where a search asks for every term."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    syntax = _TSQUERY if postgres else _FTS5
    expression = syntax.any_of.join(
        "(" + syntax.all_of.join(syntax.exact.format(root) for root in roots) + ")"
        for roots in synonyms)
    if postgres:
        return text("SELECT record_id FROM record_text "
                    "WHERE document @@ to_tsquery('simple', :match)").bindparams(match=expression)
    return text("SELECT rowid AS record_id FROM record_text WHERE record_text MATCH :match"
                ).bindparams(match=expression)


def ids_with_any(synonyms: Sequence[Sequence[str]]) -> list[int]:
    """The record ids :func:`any_of` selects, fetched as one joined string."""
    return _joined_ids(any_of(synonyms)) if synonyms else []


def _match(terms: tuple[QueryTerm, ...]) -> TextClause:
    if db.session.get_bind().dialect.name == "postgresql":
        return _postgres_match(terms)
    return _sqlite_match(terms)


@dataclass(frozen=True)
class _Syntax:
    """How one database's full-text query language writes a typed word (a prefix of a
    word), its stem (a prefix of a stem), a synonym's stem (exact), or, and."""

    word: str
    root: str
    exact: str
    any_of: str
    all_of: str


_FTS5 = _Syntax(word='words : "{}"*', root='stems : "{}"*', exact='stems : "{}"',
                any_of=" OR ", all_of=" AND ")
_TSQUERY = _Syntax(word="{}:*", root=PG_STEM_MARK + "{}:*", exact=PG_STEM_MARK + "{}",
                   any_of=" | ", all_of=" & ")


def _expression(terms: tuple[QueryTerm, ...], syntax: _Syntax) -> str:
    """Every term, each being its typed words (each a prefix of a word or of a stem) or
    any of its synonyms (all their stems, exactly, among the stems).

    Tokens are [a-z0-9]+ or Snowball stems of them (see vocabulary.text), so quoting them
    cannot break either query syntax."""
    def typed(term: QueryTerm) -> str:
        return syntax.all_of.join(
            f"({syntax.word.format(word)}{syntax.any_of}{syntax.root.format(root)})"
            for word, root in term.typed)

    def synonym(roots: Sequence[str]) -> str:
        return "(" + syntax.all_of.join(syntax.exact.format(root) for root in roots) + ")"

    return syntax.all_of.join(
        "(" + syntax.any_of.join([typed(term), *map(synonym, term.synonyms)]) + ")"
        for term in terms)


def _sqlite_match(terms: tuple[QueryTerm, ...]) -> TextClause:
    return text("SELECT rowid AS record_id FROM record_text WHERE record_text MATCH :match"
                ).bindparams(match=_expression(terms, _FTS5))


def _postgres_match(terms: tuple[QueryTerm, ...]) -> TextClause:
    return text("SELECT record_id FROM record_text "
                "WHERE document @@ to_tsquery('simple', :match)"
                ).bindparams(match=_expression(terms, _TSQUERY))
