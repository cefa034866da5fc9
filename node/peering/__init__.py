"""The node's federation endpoints (node document, change feed, inbox) and the Réseau page.

``peering`` holds the machine endpoints, all behind :func:`node.peering.gate.signed_by_peer`
except the public node document; it is CSRF-exempt (peers sign, they have no session).
Their module, :mod:`node.peering.views`, is imported by the first request a peer makes
(:class:`webui.lazy_view.LazyView`): until then the serving process does not carry the
signing stack. ``network`` is the page people read.
"""

from flask import Blueprint

from federation.endpoints import DEFAULT_ENDPOINTS, WELL_KNOWN_PATH
from webui.lazy_view import LazyView

bp = Blueprint("peering", __name__)
network_bp = Blueprint("network", __name__)

bp.add_url_rule(WELL_KNOWN_PATH, methods=["GET"],
                view_func=LazyView("node.peering.views.node_document_view"))
bp.add_url_rule(DEFAULT_ENDPOINTS["feed"], methods=["GET"],
                view_func=LazyView("node.peering.views.feed"))
bp.add_url_rule(DEFAULT_ENDPOINTS["inbox"], methods=["POST"],
                view_func=LazyView("node.peering.views.inbox"))

from node.peering import network_questions, network_views  # noqa: E402,F401
