"""Exchange between members: questions to peers, the alerts people choose, and the
one-click links of the mails."""

from flask import Blueprint

bp = Blueprint("exchange", __name__)

from node.exchange import contact, questions, together, views  # noqa: E402,F401
