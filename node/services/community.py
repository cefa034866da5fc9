"""The community this node serves, and the communes it knows."""

from __future__ import annotations

from flask import g, has_request_context

import communes
from node.extensions import db
from node.models import Community, ExtraCommune


def current_community() -> Community | None:
    """The node's community row (cached for the request), or None before ``chaleur init``."""
    if "community" not in g:
        g.community = db.session.scalars(db.select(Community).limit(1)).first()
    return g.community  # type: ignore[no-any-return]


def extra_communes() -> dict[str, communes.Commune]:
    """Communes an admin added by hand, in the shape of the shipped registry.

    Read once per request (a directory page names dozens of communes)."""
    if has_request_context() and "extra_communes" in g:
        return g.extra_communes  # type: ignore[no-any-return]
    rows = db.session.scalars(db.select(ExtraCommune)).all()
    found = {
        row.code: communes.Commune(code=row.code, name=row.name, lat=row.latitude,
                                   lon=row.longitude)
        for row in rows
    }
    if has_request_context():
        g.extra_communes = found
    return found


def forget_extra_communes() -> None:
    """Drop the request's copy after an admin added a commune."""
    if has_request_context():
        g.pop("extra_communes", None)


def find_commune(code: str) -> communes.Commune | None:
    """The commune with this INSEE code, shipped or added by an admin."""
    return communes.find(code, extra_communes())


def commune_name(code: str) -> str:
    """Display name of a commune code ("" for an empty code, the code itself if unknown)."""
    if not code:
        return ""
    commune = find_commune(code)
    return commune.name if commune else code
