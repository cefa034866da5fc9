"""Federation endpoints of the directory: thin views that verify, call one service, answer
signed JSON (docs/federation.md)."""

from __future__ import annotations

from flask import current_app, g, request
from flask.typing import ResponseReturnValue

from directory.models import utcnow
from directory.peering import bp
from directory.peering.gate import (
    guarded,
    peer_json,
    raw_body,
    refusal_response,
    signed_by_peer,
    signed_json,
)
from directory.peering.identity import current_identity, node_document
from directory.peering.joining import handle_join
from directory.peering.overview import network_overview
from directory.services.aggregation import BatchRefused, OwnershipRefused, apply_batch
from directory.services.pull import node_answered
from federation.admission import JOIN_LIMITS
from federation.errors import RecordRefused, SignatureRefused
from federation.nodedoc import NODE_MEDIA_TYPE, WELL_KNOWN_PATH
from federation.records import check_origin, validate_batch
from federation.verification import utc_now
from federation.wsgi import request_headers, request_target


@bp.get(WELL_KNOWN_PATH)
def node_document_view() -> ResponseReturnValue:
    """Public: who this directory is and which key it signs with (signed like every answer)."""
    if current_identity() is None:
        return refusal_response("not_initialised", "this directory has no identity yet", 404)
    return signed_json(node_document(), media_type=NODE_MEDIA_TYPE)


@bp.post("/federation/join")
@guarded
def join() -> ResponseReturnValue:
    """A node asks to join (stored pending), or an admitted node announces a rotation."""
    body = raw_body(JOIN_LIMITS.max_bytes)
    answer = handle_join(request.method, request_target(request.environ),
                         request_headers(request.environ), body,
                         public_origin=str(current_app.config["PUBLIC_URL"]), now=utc_now())
    return signed_json(answer.body, answer.status)


@bp.post("/federation/inbox")
@signed_by_peer
def inbox() -> ResponseReturnValue:
    """A node pushes its own records: all of the batch is stored, or none of it."""
    records = validate_batch(peer_json())
    for index, record in enumerate(records):
        check_origin(record, g.peer.node_id, index)
    try:
        result = apply_batch(g.peer.node_id, [record.as_json() for record in records],
                             strict=True)
    except OwnershipRefused as exc:
        raise RecordRefused("origin_mismatch", f"{g.peer.node_id!r} may not change {exc}") \
            from exc
    except BatchRefused as exc:
        raise SignatureRefused("key_not_usable", str(exc)) from exc
    node_answered(g.peer.node_id, utcnow())
    return signed_json({"applied": result.applied,
                        "ignored": result.unchanged + result.ignored}, 202)


@bp.get("/federation/network")
@signed_by_peer
def network() -> ResponseReturnValue:
    """The signed network overview for an admitted node's Réseau page."""
    return signed_json(network_overview())
