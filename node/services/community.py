"""The community this node serves, and the communes it knows."""

from __future__ import annotations

from flask import g

import communes
from node.extensions import db
from node.models import Community, ExtraCommune


def current_community() -> Community | None:
    """The node's community row (cached for the request), or None before ``chaleur init``."""
    if "community" not in g:
        g.community = db.session.scalars(db.select(Community).limit(1)).first()
    return g.community  # type: ignore[no-any-return]


def extra_communes() -> dict[str, communes.Commune]:
    """Communes an admin added by hand, in the shape of the shipped registry."""
    rows = db.session.scalars(db.select(ExtraCommune)).all()
    return {
        row.code: communes.Commune(code=row.code, name=row.name, lat=row.latitude,
                                   lon=row.longitude)
        for row in rows
    }


def find_commune(code: str) -> communes.Commune | None:
    """The commune with this INSEE code, shipped or added by an admin."""
    return communes.find(code, extra_communes())


def commune_name(code: str) -> str:
    """Display name of a commune code ("" for an empty code, the code itself if unknown)."""
    if not code:
        return ""
    commune = find_commune(code)
    return commune.name if commune else code
