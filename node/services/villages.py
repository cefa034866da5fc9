"""Decisions between villages, the node's side that needs no signing stack: which villages
can be invited, and the signed notices planned for them (offers, tallies, results).

Villages address each other through the network list the Pays directory signs
(:mod:`node.sharing.network_copy`, section ``nodes``). Notices are rows of
``village_message`` written in the same transaction as the change that calls for them; the
background worker delivers them (:mod:`node.sharing.village_delivery`), retrying with
backoff, so a village that is down receives them when it is back.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.models import (
    Audience,
    Ballot,
    BallotChoice,
    Decision,
    DecisionKind,
    Member,
    NetworkCopy,
    NodeIdentity,
    VillageMessage,
    utcnow,
)
from node.services import ballots
from node.services.decision_results import OBJECTION
from node.services.decisions import DecisionError

OFFER, TALLY, RESULT = "decision_offer", "decision_tally", "decision_result"


def own_node_id() -> str | None:
    return db.session.scalars(select(NodeIdentity.node_id).limit(1)).first()


def known_villages() -> list[dict[str, Any]]:
    """The other admitted villages in the last network list, by name."""
    row = db.session.get(NetworkCopy, 1)
    nodes = (row.data or {}).get("nodes", []) if row is not None else []
    own = own_node_id()
    return sorted((node for node in nodes if node.get("node_id") != own),
                  key=lambda node: str(node.get("name", "")))


def village(node_id: str) -> dict[str, Any] | None:
    return next((node for node in known_villages() if node.get("node_id") == node_id), None)


def invitable() -> list[tuple[str, str]]:
    return [(str(node["node_id"]), str(node.get("name") or node["node_id"]))
            for node in known_villages()]


def plan(node_id: str, kind: str, topic: str, body: dict[str, Any]) -> VillageMessage:
    """Plan one notice; a pending one on the same topic gets the newer body (flushes)."""
    row = db.session.scalars(select(VillageMessage).where(
        VillageMessage.node_id == node_id, VillageMessage.kind == kind,
        VillageMessage.topic == topic)).first()
    if row is None:
        row = VillageMessage(node_id=node_id, kind=kind, topic=topic)
        db.session.add(row)
    row.body, row.state, row.tries = {kind: body}, "pending", 0
    row.next_attempt_at, row.last_error = utcnow(), ""
    db.session.flush()
    db.session.info["outbox_added"] = True  # the worker wakes after the commit
    return row


def _stamp(moment: Any) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def offer_body(decision: Decision, host_url: str) -> dict[str, Any]:
    return {
        "id": decision.uuid, "kind": decision.kind, "title": decision.title,
        "description": decision.description, "opens_at": _stamp(decision.opens_at),
        "closes_at": _stamp(decision.closes_at), "anonymous": decision.anonymous,
        "results_shown": decision.results_shown, "points_budget": decision.points_budget,
        "villages": list(decision.villages), "url": f"{host_url}/decisions/{decision.uuid}",
        "options": [{"id": option.id, "position": option.position, "label": option.label,
                     "details": option.details, "starts_at": _stamp(option.starts_at),
                     "ends_at": _stamp(option.ends_at)} for option in decision.options],
    }


def offer(decision: Decision, host_url: str = "") -> None:
    """Offer a network decision to the villages it names (flushes the notices)."""
    if decision.audience != Audience.NETWORK:
        return
    known = {node_id for node_id, _name in invitable()}
    unknown = sorted(set(decision.villages) - known)
    if unknown or not decision.villages:
        raise DecisionError(_("Village inconnu du réseau : %(ids)s.", ids=", ".join(unknown)),
                            "villages")
    from flask import current_app

    body = offer_body(decision, host_url or str(current_app.config["PUBLIC_URL"]))
    for node_id in decision.villages:
        plan(node_id, OFFER, decision.uuid, body)


def tally_body(decision: Decision) -> dict[str, Any]:
    """What a village tells the host of its own members' answers: counts per host option,
    how many took part, the objections' reasons; names only for a named decision."""
    by_local = {option.id: option.remote_id for option in decision.options}
    counts = {str(by_local[option_id]): {str(value): number for value, number in values.items()}
              for option_id, values in ballots.local_counts(decision).items()
              if by_local.get(option_id) is not None}
    objections: list[str] = []
    voters: list[dict[str, Any]] = []
    if decision.kind == DecisionKind.CONSENT and decision.options:
        objections = list(db.session.scalars(select(BallotChoice.note).where(
            BallotChoice.option_id == decision.options[-1].id,
            BallotChoice.value == OBJECTION)))
    if not decision.anonymous:
        rows = db.session.execute(
            select(Member.display_name, BallotChoice.option_id, BallotChoice.value)
            .join(Ballot, Ballot.member_id == Member.id)
            .join(BallotChoice, BallotChoice.ballot_key == Ballot.key)
            .where(Ballot.decision_id == decision.id).order_by(Member.display_name))
        named: dict[str, dict[str, int]] = {}
        for name, option_id, value in rows:
            remote = by_local.get(option_id)
            if remote is not None:
                named.setdefault(name, {})[str(remote)] = int(value)
        voters = [{"name": name, "choices": choices} for name, choices in named.items()]
    return {"decision": decision.uuid, "sequence": decision.tally_sequence,
            "participants": ballots.participant_count(decision), "counts": counts,
            "objections": objections, "voters": voters}


def plan_tally(decision: Decision) -> None:
    """After an answer to another village's decision: the host gets our latest tally."""
    if decision.host_node is None:
        return
    decision.tally_sequence = (decision.tally_sequence or 0) + 1
    db.session.flush()
    plan(decision.host_node, TALLY, decision.uuid, tally_body(decision))


def plan_results(decision: Decision) -> None:
    """At the close of a network decision we host: every village gets the result."""
    if decision.audience != Audience.NETWORK or decision.host_node is not None:
        return
    from node.services.notice_texts import outcome_line

    body = {"decision": decision.uuid, "state": decision.state, "adopted": decision.adopted,
            "outcome": decision.outcome or {}, "summary": outcome_line(decision)}
    for node_id in decision.villages:
        plan(node_id, RESULT, decision.uuid, body)
