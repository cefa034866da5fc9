"""The directory's read-only JSON API (``/api/v1``), described by an OpenAPI 3.1 document."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from directory.api import views  # noqa: E402,F401
