"""Decisions through the API: their options and results, read-only.

Without a token the caller sees what the network may see: the decisions a community chose
to share with the Pays (title, options, results once visible), never who answered. With a
token, the token owner's view: every decision of the node.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node.api import bp
from node.api.auth import token_account
from node.api.errors import bad_request, not_found
from node.api.reads import _paging
from node.api.resources import page_resource, stamp
from node.extensions import db
from node.models import Decision, DecisionState, Subject
from node.services.decision_closing import results_of, results_visible
from node.services.decisions import find_decision
from node.services.events import public_link
from node.services.notice_texts import outcome_line

STATES = {"open": [DecisionState.OPEN.value],
          "closed": [DecisionState.CLOSED.value, DecisionState.WITHDRAWN.value]}


def _visible(decision: Decision) -> bool:
    return decision.shared or token_account() is not None


def decision_resource(decision: Decision) -> dict[str, Any]:
    visible = results_visible(decision)
    results = results_of(decision).summary() if visible else None
    return {
        "id": decision.uuid, "kind": decision.kind, "title": decision.title,
        "description": decision.description, "state": decision.state,
        "opens_at": stamp(decision.opens_at), "closes_at": stamp(decision.closes_at),
        "audience": decision.audience, "anonymous": decision.anonymous,
        "results_shown": decision.results_shown, "points_budget": decision.points_budget,
        "shared": decision.shared, "adopted": decision.adopted,
        "outcome": outcome_line(decision) if decision.state != DecisionState.OPEN else None,
        "url": public_link("decisions.show", decision_uuid=decision.uuid),
        "options": [{"id": option.id, "position": option.position, "label": option.label,
                     "details": option.details,
                     "starts_at": stamp(option.starts_at) if option.starts_at else None,
                     "ends_at": stamp(option.ends_at) if option.ends_at else None}
                    for option in decision.options],
        "results": results,
    }


@bp.get("/decisions")
def decision_list() -> ResponseReturnValue:
    """Decisions, latest closing first; ``state`` = open or closed to filter."""
    page, per_page = _paging()
    state = request.args.get("state", "")
    if state and state not in STATES:
        raise bad_request("invalid_parameter", _("« state » vaut open ou closed."))
    query = db.select(Decision).where(Decision.subject != Subject.AGENDA)
    if token_account() is None:
        query = query.where(Decision.shared.is_(True))
    if state:
        query = query.where(Decision.state.in_(STATES[state]))
    rows = list(db.session.scalars(query.order_by(Decision.closes_at.desc(), Decision.id)))
    return jsonify(page_resource(rows, page, per_page, decision_resource))


@bp.get("/decisions/<decision_uuid>")
def decision_detail(decision_uuid: str) -> ResponseReturnValue:
    decision = find_decision(decision_uuid)
    if decision is None or not _visible(decision):
        raise not_found()
    return jsonify(decision_resource(decision))
