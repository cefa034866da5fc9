"""Public pages."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from node.public import bp


@bp.get("/")
def home() -> str:
    return render_template("node/home.html", upcoming=[], venues=[], commune_names=[])


@bp.get("/rencontres")
def events() -> ResponseReturnValue:
    abort(501)


@bp.get("/rencontres.ics")
def events_ics() -> ResponseReturnValue:
    abort(501)


@bp.get("/rencontres/<event_uuid>")
def event(event_uuid: str) -> ResponseReturnValue:
    abort(501)
