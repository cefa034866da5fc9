"""Federation endpoints: thin views that parse, call one service, answer signed JSON."""

from __future__ import annotations

from flask import g, request
from flask.typing import ResponseReturnValue

from federation.nodedoc import NODE_MEDIA_TYPE, WELL_KNOWN_PATH
from node.peering import bp
from node.peering.gate import peer_json, refusal_response, signed_by_peer, signed_json
from node.peering.identity import current_identity, node_document
from node.peering.notices import handle_notice
from node.sharing.feed import page_limit, read_feed


@bp.get(WELL_KNOWN_PATH)
def node_document_view() -> ResponseReturnValue:
    """Public: who this node is and which keys it signs with (signed like every answer)."""
    if current_identity() is None:
        return refusal_response("not_initialised", "this node has no identity yet", 404)
    return signed_json(node_document(), media_type=NODE_MEDIA_TYPE)


@bp.get("/federation/feed")
@signed_by_peer
def feed() -> ResponseReturnValue:
    page = read_feed(request.args.get("cursor"), page_limit(request.args.get("limit")))
    return signed_json(page)


@bp.post("/federation/inbox")
@signed_by_peer
def inbox() -> ResponseReturnValue:
    return signed_json(handle_notice(g.peer, peer_json()))
