"""What another village may tell this node about decisions between villages.

Three notices arrive in the node inbox, signed by a village listed in the network list the
Pays directory signed (never by the directory itself):

* ``decision_offer`` — the host offers a decision to our members; we keep a copy (same id,
  ``host_node`` set) that our members answer here, at home;
* ``decision_tally`` — a village we invited sends the count of its own members' answers;
  only the latest counts (``sequence`` must grow), none after the close;
* ``decision_result`` — the host tells us how its decision ended.

A village may only speak for itself (the signer is the village), only about a decision it
hosts or was invited to. Refusals are the protocol's JSON errors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from federation.notice_fields import NoticeRefusal, invalid, text_field
from federation.records import parse_utc
from federation.verification import VerifiedPeer
from node.extensions import db
from node.models import (
    Audience,
    Decision,
    DecisionKind,
    DecisionOption,
    DecisionState,
    RemoteTally,
    utcnow,
)
from node.services import ballots, notices
from node.services.decisions import eligible_accounts, find_decision

MAX_OPTIONS = 200
MAX_COUNT = 1_000_000
VALUES = {"dates": range(3), "judgment": range(7), "consent": range(3),
          "points": range(101), "question": range(2)}


class DecisionNoticeRefused(NoticeRefusal):
    """A decision notice this node will not apply."""




def _time(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_utc(value) if isinstance(value, str) and len(value) <= 32 else None
    except ValueError:
        raise invalid(f"{name}: RFC 3339 UTC time") from None


def _int(value: Any, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid(f"{name}: an integer from {low} to {high}")
    return value


def receive_offer(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise invalid("decision_offer must be an object")
    uuid = text_field(data, "id", 36)
    kind = text_field(data, "kind", 16)
    if kind not in VALUES:
        raise invalid("kind: unknown")
    closes_at = _time(data.get("closes_at"), "closes_at")
    options = data.get("options")
    if closes_at is None or not isinstance(options, list) or len(options) > MAX_OPTIONS:
        raise invalid("closes_at and options are required")
    decision = find_decision(uuid)
    if decision is not None and decision.host_node != peer.node_id:
        raise DecisionNoticeRefused("origin_mismatch", "this decision is not yours", 403)
    if decision is None:
        decision = Decision(uuid=uuid, host_node=peer.node_id, kind=kind,
                            audience=Audience.NETWORK, state=DecisionState.OPEN,
                            ballot_salt=ballots.new_salt(), created_at=utcnow())
        db.session.add(decision)
    decision.title = text_field(data, "title", 160)
    decision.description = text_field(data, "description", 10000, required=False)
    decision.opens_at = _time(data.get("opens_at"), "opens_at") or utcnow()
    decision.closes_at = closes_at
    decision.anonymous = data.get("anonymous") is True
    decision.results_shown = "after" if data.get("results_shown") == "after" else "during"
    budget = data.get("points_budget")
    decision.points_budget = _int(budget, "points_budget", 1, 100) if kind == "points" else None
    decision.host_url = text_field(data, "url", 2048, required=False)
    villages = data.get("villages", [])
    decision.villages = [str(v)[:63] for v in villages][:100] if isinstance(villages, list) else []
    _mirror_options(decision, options)
    db.session.commit()
    return {"applied": "decision_offer", "decision": uuid}


def _mirror_options(decision: Decision, options: list[Any]) -> None:
    known = {option.remote_id: option for option in decision.options}
    for item in options:
        if not isinstance(item, dict):
            raise invalid("options: objects")
        remote_id = _int(item.get("id"), "options.id", 1, 2**31 - 1)
        option = known.get(remote_id) or DecisionOption(remote_id=remote_id)
        option.position = _int(item.get("position"), "options.position", 1, 10000)
        option.label = text_field(item, "label", 300)
        option.details = text_field(item, "details", 10000, required=False)
        option.starts_at = _time(item.get("starts_at"), "starts_at")
        option.ends_at = _time(item.get("ends_at"), "ends_at")
        if option not in decision.options:
            decision.options.append(option)
    decision.options.sort(key=lambda option: option.position)


def receive_tally(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise invalid("decision_tally must be an object")
    decision = find_decision(text_field(data, "decision", 36))
    if decision is None or decision.host_node is not None:
        raise DecisionNoticeRefused("decision_unknown", "no such decision hosted here", 404)
    if decision.audience != Audience.NETWORK or peer.node_id not in decision.villages:
        raise DecisionNoticeRefused("not_invited", "this village was not invited", 403)
    if decision.state != DecisionState.OPEN or utcnow() >= decision.closes_at:
        raise DecisionNoticeRefused("decision_closed", "the decision is closed", 409)
    sequence = _int(data.get("sequence"), "sequence", 1, 2**31 - 1)
    stored = db.session.get(RemoteTally, (decision.id, peer.node_id))
    if stored is not None and sequence <= stored.sequence:
        raise DecisionNoticeRefused("tally_outdated",
                                    f"a tally with sequence {stored.sequence} is stored", 409)
    counts = _counts(decision, data.get("counts"))
    participants = _int(data.get("participants"), "participants", 0, MAX_COUNT)
    objections = data.get("objections", [])
    voters = data.get("voters", [])
    if not isinstance(objections, list) or not all(
            isinstance(item, str) and len(item) <= 2000 for item in objections):
        raise invalid("objections: strings")
    if not isinstance(voters, list) or len(voters) > 10000 or (decision.anonymous and voters):
        raise invalid("voters: only for a named decision")
    row = stored or RemoteTally(decision_id=decision.id, node_id=peer.node_id)
    row.sequence, row.participants, row.counts = sequence, participants, counts
    row.objections = objections[:1000]
    row.voters = [{"name": str(v.get("name", ""))[:160], "choices": v.get("choices", {})}
                  for v in voters if isinstance(v, dict)]
    row.received_at = utcnow()
    db.session.add(row)
    db.session.commit()
    return {"applied": "decision_tally", "decision": decision.uuid, "sequence": sequence}


def _counts(decision: Decision, raw: Any) -> dict[str, dict[str, int]]:
    if not isinstance(raw, dict) or len(raw) > MAX_OPTIONS:
        raise invalid("counts: an object")
    ours = {str(option.id) for option in decision.options}
    allowed = VALUES[decision.kind]
    counts: dict[str, dict[str, int]] = {}
    for option_id, values in raw.items():
        if option_id not in ours or not isinstance(values, dict):
            raise invalid(f"counts: unknown option {option_id[:20]}")
        counts[option_id] = {}
        for value, number in values.items():
            if not value.isdigit() or int(value) not in allowed:
                raise invalid(f"counts: value {value[:10]} not allowed for {decision.kind}")
            counts[option_id][value] = _int(number, "counts", 0, MAX_COUNT)
    return counts


def receive_result(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise invalid("decision_result must be an object")
    decision = find_decision(text_field(data, "decision", 36))
    if decision is None or decision.host_node != peer.node_id:
        raise DecisionNoticeRefused("decision_unknown", "no copy of this decision here", 404)
    if decision.state == DecisionState.OPEN:
        outcome = data.get("outcome")
        decision.outcome = outcome if isinstance(outcome, dict) else {}
        decision.adopted = data.get("adopted") if isinstance(data.get("adopted"), bool) \
            else None
        decision.state = DecisionState.WITHDRAWN if data.get("state") == "withdrawn" \
            else DecisionState.CLOSED
        decision.closed_at = utcnow()
        ballots.seal(decision)
        decision.result_planned_at = decision.closed_at
        notices.plan("decision_result", decision.uuid, eligible_accounts(decision))
    db.session.commit()
    return {"applied": "decision_result", "decision": decision.uuid}


__all__ = ["DecisionKind", "receive_offer", "receive_result", "receive_tally"]
