"""Federation endpoints: thin views that parse, call one service, answer signed JSON.

Routed in :mod:`node.peering` (imported by the first federation request, not at start-up).
"""

from __future__ import annotations

from flask import g, request
from flask.typing import ResponseReturnValue

from federation.endpoints import NODE_MEDIA_TYPE
from node.peering.gate import peer_json, refusal_response, signed_by_peer, signed_json
from node.peering.identity import current_identity, node_document
from node.peering.membership import registered_directory
from node.peering.notices import handle_notice
from node.sharing.feed import page_limit, read_feed


def node_document_view() -> ResponseReturnValue:
    """Public: who this node is and which keys it signs with (signed like every answer)."""
    if current_identity() is None:
        return refusal_response("not_initialised", "this node has no identity yet", 404)
    return signed_json(node_document(), media_type=NODE_MEDIA_TYPE)


@signed_by_peer
def feed() -> ResponseReturnValue:
    directory = registered_directory()
    if directory is None or g.peer.node_id != directory.node_id:
        return refusal_response("key_not_usable", "only the Pays directory reads this feed",
                                403)
    page = read_feed(request.args.get("cursor"), page_limit(request.args.get("limit")))
    return signed_json(page)


@signed_by_peer
def inbox() -> ResponseReturnValue:
    return signed_json(handle_notice(g.peer, peer_json()))
