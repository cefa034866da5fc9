"""Sign-in, sign-up (invitation or request), sign-out and password reset."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from node.auth import views  # noqa: E402,F401
