"""Governing the node: members and admissions, rencontres, venues, community, exports."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from node.admin import admissions, events, settings, spreadsheets, tokens, views  # noqa: E402,F401
