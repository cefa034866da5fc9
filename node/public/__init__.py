"""Pages anyone may see: the community's home page and its public rencontres."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from node.public import views  # noqa: E402,F401
