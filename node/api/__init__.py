"""The versioned JSON API (/api/v1): public reads, token-authenticated admin writes."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from node.api import views  # noqa: E402,F401
