"""Anonymous means unlinkable: no query over the database joins a ballot to a member.

What the schema promises (see node/models/decision.py): an anonymous ballot has no member
id, no timestamp, no rowid; its key is an HMAC under a key that is not in the database;
who took part is in another table whose rows are stored by member id, not by arrival; and
the close erases the salt and rewrites the ballots in one transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from node.extensions import db
from node.models import Ballot, DecisionKind
from node.services import decision_answers
from node.services.decision_closing import close
from tests.node.decisions.conftest import opened, voters

BALLOT_TABLES = ("ballot", "ballot_choice")
PEOPLE_TABLES = ("member", "account", "decision_participant")
TIME_WORDS = ("_at", "date", "time", "created", "updated")


def _vote_in_reverse_member_order(decision: Any) -> list[Any]:
    people = sorted(voters(), key=lambda m: m.id, reverse=True)
    for rank, member in enumerate(people):
        options = decision.current_options
        decision_answers.answer(decision, member, {options[0].id: str(rank % 7),
                                                   options[1].id: str(6 - rank % 7)})
        db.session.commit()
    return people


def _rows(connection: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    cursor = connection.execute(f'SELECT * FROM "{table}"')  # natural (storage) order
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def test_no_query_joins_an_anonymous_ballot_to_a_member(ctx: Flask) -> None:
    decision = opened(DecisionKind.JUDGMENT, options=["Fournil", "Jardin"], anonymous=True)
    people = _vote_in_reverse_member_order(decision)
    database = Path(ctx.instance_path) / "node.db"
    connection = sqlite3.connect(database)
    try:
        # 1. No hidden row order: these tables have no rowid at all.
        for table in (*BALLOT_TABLES, "decision_participant"):
            with pytest.raises(sqlite3.OperationalError, match="rowid"):
                connection.execute(f'SELECT rowid FROM "{table}"')
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            assert not [c for c in columns if any(word in c for word in TIME_WORDS)], table
        # 2. Storage order is key order (ballots) and member order (participants), never
        #    the order people answered in (here: the reverse of member order).
        ballots = _rows(connection, "ballot")
        assert [row["key"] for row in ballots] == sorted(row["key"] for row in ballots)
        participants = _rows(connection, "decision_participant")
        assert [row["member_id"] for row in participants] == sorted(p.id for p in people)
        # 3. No column of a ballot holds a value any person row holds.
        assert all(row["member_id"] is None and row["voter_name"] is None for row in ballots)
        ballot_values = {value for table in BALLOT_TABLES for row in _rows(connection, table)
                         for name, value in row.items()
                         if name not in ("decision_id", "option_id", "value") and value}
        people_values = {value for table in PEOPLE_TABLES for row in _rows(connection, table)
                         for value in row.values() if value not in (None, "", 0, 1)}
        assert ballot_values and not ballot_values & people_values
        # 4. The key is not computable from what the database holds: hashing the salt with
        #    a member's uuid, keyed or not, finds no ballot.
        import hashlib
        import hmac

        salt = connection.execute("SELECT ballot_salt FROM decision").fetchone()[0]
        keys = {row["key"] for row in ballots}
        for member in people:
            message = f"{salt}:{member.uuid}".encode()
            assert hashlib.sha256(message).hexdigest() not in keys
            assert hmac.new(salt.encode(), member.uuid.encode(), "sha256").hexdigest() not in keys
            assert hmac.new(b"", message, "sha256").hexdigest() not in keys
    finally:
        connection.close()
    # 5. Each member still finds their own ballot (to change it) until the close...
    from node.services import ballots as ballot_service

    assert all(ballot_service.find_ballot(decision, m) is not None for m in people)
    close(decision)
    db.session.commit()
    # ... and after it, not even the node can: the salt is gone.
    assert decision.ballot_salt is None
    assert all(ballot_service.find_ballot(decision, m) is None for m in people)
    assert len(db.session.scalars(db.select(Ballot)).all()) == len(people)


def test_a_named_decision_does_link_ballots(ctx: Flask) -> None:
    """The control: the same steps on a named decision keep who answered what."""
    decision = opened(DecisionKind.JUDGMENT, options=["Fournil", "Jardin"], anonymous=False)
    people = _vote_in_reverse_member_order(decision)
    linked = {b.member_id for b in db.session.scalars(db.select(Ballot))}
    assert linked == {m.id for m in people}


@pytest.mark.postgres
def test_postgresql_storage_order_and_transaction_ids_after_the_close(
        any_db_app: Flask) -> None:
    """PostgreSQL keeps system columns (xmin, ctid) that reveal when and in what order rows
    were written; the close rewrites every anonymous ballot in one transaction in key order."""
    if any_db_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    from node.services import accounts
    from tests.conftest import PASSWORD

    with any_db_app.test_request_context():
        for name in ("Basile Votant", "Chloé Votante", "Dorian Votant", "Émilie Votante"):
            accounts.create_account(f"{name.split()[0].lower()}@example.org", name, PASSWORD,
                                    commune_code="67475")
        db.session.commit()
        decision = opened(DecisionKind.JUDGMENT, options=["A", "B"], anonymous=True)
        _vote_in_reverse_member_order(decision)
        rows = db.session.execute(text(
            "SELECT xmin::text FROM ballot WHERE decision_id = :d"), {"d": decision.id}).all()
        assert len({row[0] for row in rows}) > 1  # before: one transaction per voter
        close(decision)
        db.session.commit()
        rows = db.session.execute(text(
            "SELECT xmin::text, key FROM ballot WHERE decision_id = :d ORDER BY ctid"),
            {"d": decision.id}).all()
        assert len({row[0] for row in rows}) == 1
        assert [row[1] for row in rows] == sorted(row[1] for row in rows)
