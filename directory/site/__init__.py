"""The public Pays site: home, annuaire, agenda, territories, offers and needs, statistics."""

from flask import Blueprint

bp = Blueprint("site", __name__, template_folder="../templates")

from directory.site import agenda_out, views  # noqa: E402,F401
