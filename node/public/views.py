"""The community's home page: who we are, where we meet, the next rencontres."""

from __future__ import annotations

from flask import render_template

from node.extensions import db
from node.models import Venue
from node.public import bp
from node.public.events import venue_commune, viewer
from node.services import events
from node.services.community import commune_name, current_community

HOME_EVENTS = 6


@bp.get("/")
def home() -> str:
    community = current_community()
    venues = list(db.session.scalars(
        db.select(Venue).where(Venue.archived.is_(False)).order_by(Venue.name)))
    names = [commune_name(code) for code in (community.communes if community else [])]
    return render_template("node/home.html", upcoming=events.upcoming_events(viewer(), HOME_EVENTS),
                           venues=venues, commune_names=names, venue_commune=venue_commune)
