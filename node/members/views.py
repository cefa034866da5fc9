"""Member-area pages."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue

from node.members import bp


@bp.get("/membres")
def directory() -> ResponseReturnValue:
    abort(501)


@bp.get("/carnet")
def address_book() -> ResponseReturnValue:
    abort(501)


@bp.route("/mon-profil", methods=["GET", "POST"])
def me() -> ResponseReturnValue:
    abort(501)
