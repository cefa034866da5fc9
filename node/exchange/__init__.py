"""Exchange between members: the alerts people choose, and leaving them in one click."""

from flask import Blueprint

bp = Blueprint("exchange", __name__)

from node.exchange import views  # noqa: E402,F401
