"""The member area: directory, profiles, my profile, address book, my data."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from node.members import address_book, my_profile, my_rencontres, views  # noqa: E402,F401
