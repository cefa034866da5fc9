"""This node as the OpenID Connect provider of its members (federation/identity.py).

The Pays directory and the other villages of the network send a member here to sign in; the
member signs in at home, agrees once per site to what it will learn, and goes back with a
short-lived ID token signed by this node's federation key. The views' module, and Authlib
with it, is imported by the first sign-in request (:class:`webui.lazy_view.LazyView`), so a
node nobody signs in through never loads them.
"""

from flask import Blueprint

from federation.identity import AUTHORIZE_PATH, DISCOVERY_PATH, JWKS_PATH, TOKEN_PATH
from webui.lazy_view import LazyView

bp = Blueprint("oidc", __name__)

bp.add_url_rule(DISCOVERY_PATH, methods=["GET"],
                view_func=LazyView("node.oidc.views.discovery"))
bp.add_url_rule(JWKS_PATH, methods=["GET"], view_func=LazyView("node.oidc.views.jwks"))
bp.add_url_rule(AUTHORIZE_PATH, methods=["GET", "POST"],
                view_func=LazyView("node.oidc.views.authorize"))
bp.add_url_rule(TOKEN_PATH, methods=["POST"], view_func=LazyView("node.oidc.views.token"))
