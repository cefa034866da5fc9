"""Casting and finding ballots, so that an anonymous ballot cannot be tied to its voter.

A ballot's key is ``HMAC-SHA256(k, salt ‖ member uuid)`` where ``salt`` is the decision's
random secret (in the database) and ``k`` is derived from the node's secret key (outside the
database). The same member always finds their own ballot again, so they may change their
answer until the close and only the latest counts; but the database alone cannot say whose
ballot a row is, and once the close erases the salt nobody can. Anonymous ballots carry no
member id; named ones do. Participation (who answered) is written to its own table.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import delete, func, select

from node.extensions import db
from node.models import Ballot, BallotChoice, Decision, DecisionParticipant, Member


def new_salt() -> str:
    return secrets.token_hex(32)


def _node_key() -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"chaleur-ballot-key", hashlib.sha256).digest()


def ballot_key(decision: Decision, voter: str) -> str | None:
    """The key of ``voter``'s ballot (a member's UUID, or a remote voter's id), or None once
    the decision is closed and its salt erased."""
    if not decision.ballot_salt:
        return None
    message = f"{decision.ballot_salt}:{voter}".encode()
    return hmac.new(_node_key(), message, hashlib.sha256).hexdigest()


def find_ballot(decision: Decision, member: Member) -> Ballot | None:
    key = ballot_key(decision, member.uuid)
    return db.session.get(Ballot, key) if key else None


def write_ballot(decision: Decision, member: Member, values: dict[int, tuple[int, str]],
                 answered_round: int) -> Ballot:
    """Replace ``member``'s ballot with ``values`` (option id -> (value, note)); record that
    they took part. Flushes; the caller commits."""
    key = ballot_key(decision, member.uuid)
    if key is None:
        raise ValueError("closed decision")
    ballot = db.session.get(Ballot, key)
    if ballot is None:
        ballot = Ballot(key=key, decision_id=decision.id)
        db.session.add(ballot)
    ballot.member_id = None if decision.anonymous else member.id
    current = {option.id for option in decision.current_options}
    kept = {choice.option_id: choice for choice in ballot.choices
            if choice.option_id not in current}
    ballot.choices = list(kept.values()) + [
        BallotChoice(option_id=option_id, value=value, note=note)
        for option_id, (value, note) in sorted(values.items())]
    participant = db.session.get(DecisionParticipant, (decision.id, member.id))
    if participant is None:
        db.session.add(DecisionParticipant(decision_id=decision.id, member_id=member.id,
                                           answered_round=answered_round))
    else:
        participant.answered_round = answered_round
    db.session.flush()
    return ballot


def has_answered(decision: Decision, member: Member, answered_round: int = 1) -> bool:
    row = db.session.get(DecisionParticipant, (decision.id, member.id))
    return row is not None and row.answered_round >= answered_round


def participant_count(decision: Decision) -> int:
    return int(db.session.scalar(select(func.count()).select_from(DecisionParticipant)
                                 .where(DecisionParticipant.decision_id == decision.id)) or 0)


def local_counts(decision: Decision) -> dict[int, dict[int, int]]:
    """option id -> {value: number of ballots}, by one grouped query."""
    option_ids = [option.id for option in decision.options]
    rows = db.session.execute(  # an option belongs to one decision: the (option, value)
        select(BallotChoice.option_id, BallotChoice.value, func.count())  # index covers it
        .where(BallotChoice.option_id.in_(option_ids))
        .group_by(BallotChoice.option_id, BallotChoice.value))
    counts: dict[int, dict[int, int]] = {}
    for option_id, value, number in rows:
        counts.setdefault(int(option_id), {})[int(value)] = int(number)
    return counts


def seal(decision: Decision) -> None:
    """At the close: erase the salt, and rewrite the ballots in key order in this one
    transaction, so neither the node's secrets nor the storage order (PostgreSQL's physical
    row order and transaction ids included) can tie a ballot to a voter any more."""
    decision.ballot_salt = None
    if not decision.anonymous:
        return
    ballots = list(db.session.scalars(select(Ballot).where(Ballot.decision_id == decision.id)
                                      .order_by(Ballot.key)))
    saved = [(ballot.key, [(c.option_id, c.value, c.note, c.integration)
                           for c in ballot.choices]) for ballot in ballots]
    for ballot in ballots:
        for choice in ballot.choices:
            db.session.expunge(choice)
        db.session.expunge(ballot)
    db.session.execute(delete(BallotChoice).where(BallotChoice.ballot_key.in_(
        [key for key, _ in saved])))
    db.session.execute(delete(Ballot).where(Ballot.decision_id == decision.id))
    for key, choices in saved:
        db.session.add(Ballot(key=key, decision_id=decision.id, choices=[
            BallotChoice(option_id=option_id, value=value, note=note, integration=integration)
            for option_id, value, note, integration in choices]))
    db.session.flush()
