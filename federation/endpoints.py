"""Where the protocol lives on a node: its well-known path, media type and endpoint paths.

Plain constants, apart from :mod:`federation.nodedoc` (which needs the key code, and so the
cryptography library): a web app routes requests to these paths at start-up and imports the
signing stack only when a peer first calls one of them.
"""

from __future__ import annotations

NODE_MEDIA_TYPE = "application/vnd.chaleur.node+json"
WELL_KNOWN_PATH = "/.well-known/chaleur-node"
DEFAULT_ENDPOINTS = {
    "inbox": "/federation/inbox",
    "feed": "/federation/feed",
    "join": "/federation/join",
    "network": "/federation/network",
    # Where the site receives a sign-in answer from a village (its OpenID Connect
    # redirect URI; federation/identity.py). Optional in a document: a site without it
    # cannot be signed in to with a village account.
    "sign_in": "/connexion/village/retour",
}
