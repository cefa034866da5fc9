"""Admin pages."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue

from node.admin import bp


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    abort(501)
