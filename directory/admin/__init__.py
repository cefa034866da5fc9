"""The coordinator's pages: sign-in, admission queue, decisions, node health."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="../templates")

from directory.admin import views  # noqa: E402,F401
