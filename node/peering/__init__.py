"""The node's federation endpoints (node document, change feed, inbox) and the Réseau page.

``peering`` holds the machine endpoints, all behind :func:`node.peering.gate.signed_by_peer`
except the public node document; it is CSRF-exempt (peers sign, they have no session).
``network`` is the page people read.
"""

from flask import Blueprint

bp = Blueprint("peering", __name__)
network_bp = Blueprint("network", __name__)

from node.peering import network_views, views  # noqa: E402,F401
