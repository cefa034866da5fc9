"""Account pages."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue

from node.auth import bp


@bp.route("/connexion", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    abort(501)


@bp.post("/deconnexion")
def logout() -> ResponseReturnValue:
    abort(501)


@bp.route("/adhesion", methods=["GET", "POST"])
def join() -> ResponseReturnValue:
    abort(501)
