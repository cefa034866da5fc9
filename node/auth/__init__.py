"""Sign-in, sign-up (invitation or request), sign-out and password reset."""

from flask import Blueprint

from node.auth.log_redaction import install_token_redaction

bp = Blueprint("auth", __name__)
bp.record_once(lambda state: install_token_redaction())

from node.auth import invitation_views, password_views, views  # noqa: E402,F401
