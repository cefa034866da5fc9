"""Pages anyone may see: the community's home page and its rencontres."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from node.public import agenda, events, views  # noqa: E402,F401
