"""Starting and ending a signed-in session, and where to go afterwards."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from node.models import Account
from node.services.accounts import normalise_email, record_login

KEPT_ACROSS_SESSIONS = ("lang",)


def safe_next_path(target: str | None) -> str:
    """``target`` if it is a path on this site, else the home page (no open redirect).

    Only plain absolute paths pass: ``//host``, ``/\\host``, schemes and control characters
    are all refused, since browsers read them as links to another site.
    """
    fallback: str = url_for("public.home")
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if any(char in target for char in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def _fresh_session() -> None:
    """Drop everything in the session but the language, so no earlier state is carried over."""
    kept = {key: session[key] for key in KEPT_ACROSS_SESSIONS if key in session}
    session.clear()
    session.update(kept)


def start_session(account: Account) -> None:
    """Sign ``account`` in on a fresh session (no session fixation) and note the time."""
    _fresh_session()
    login_user(account)
    record_login(account)


def end_session() -> None:
    logout_user()
    _fresh_session()


def login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def signup_limit() -> str:
    return str(current_app.config["SIGNUP_RATE_LIMIT"])


def email_key() -> str:
    """Rate-limit key for the address typed in the form, whichever IP it comes from."""
    return "email:" + normalise_email(request.form.get("email", ""))


def too_many_attempts() -> str:
    return str(_("Trop de tentatives en peu de temps. Patientez quelques minutes, "
                 "puis réessayez."))
