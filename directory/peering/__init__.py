"""The directory's side of the federation protocol (docs/federation.md).

``identity`` (its node id, keys and node document), ``trust`` (peers' keys, nonces),
``gate`` (the one decorator verifying signed requests), ``views`` (well-known document,
join, inbox, network copy) and ``worker`` (the background pull thread of ``serve``).
The blueprint is CSRF-exempt: peers sign their requests, they have no session.
"""

from flask import Blueprint

bp = Blueprint("peering", __name__)

from directory.peering import views  # noqa: E402,F401
