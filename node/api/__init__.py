"""The versioned JSON API (/api/v1): public reads, token-authenticated writes by staff.

Programs (a town hall's website, a regional agenda) read what an anonymous visitor may see;
with a token, they read what the token's owner sees and may change rencontres, venues and the
community record through the same services as the admin pages. The contract is the OpenAPI
document served at ``/api/v1/openapi.json`` (:mod:`node.api.openapi`).
"""

from flask import Blueprint

bp = Blueprint("api", __name__)

from node.api import decisions, errors, openapi, reads, writes  # noqa: E402,F401
