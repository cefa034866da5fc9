"""Who is calling: anonymous, or the account behind an ``Authorization: Bearer`` token.

A request without the header reads as an anonymous visitor. A header that names no live token
is refused (401) rather than downgraded to anonymous, so a program with a revoked or mistyped
token learns it at once instead of silently seeing less. Roles mirror the web pages: staff
(admins and animators) manage rencontres and venues, only admins govern the community.
"""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from node.api.errors import ApiError
from node.extensions import db
from node.models import Account
from node.services import api_tokens
from node.services.visibility import Viewer

CHALLENGE = 'Bearer realm="chaleur"'


def _unauthorised(message: str, detail: str = "") -> ApiError:
    challenge = CHALLENGE + (f', error="{detail}"' if detail else "")
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})


def _bearer_secret() -> str | None:
    """The token in the Authorization header, None when there is no header at all."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorised(_("En-tête attendu : « Authorization: Bearer <jeton> »."),
                            "invalid_request")
    return secret.strip()


def token_account() -> Account | None:
    """The active account whose token came with the request (None without a token)."""
    if "api_account" in g:
        return g.api_account  # type: ignore[no-any-return]
    secret = _bearer_secret()
    account = None
    if secret is not None:
        token = api_tokens.authenticate(secret)
        if token is None:
            raise _unauthorised(_("Jeton inconnu ou révoqué."), "invalid_token")
        # Its use is recorded at once, whatever the route then decides (one commit, here).
        db.session.commit()
        account = token.account
        if not account.is_active:
            raise ApiError(403, "forbidden", _("Le compte de ce jeton est désactivé."))
    g.api_account = account
    return account


def api_viewer() -> Viewer:
    """The viewer reads answer for: the token's owner, or an anonymous visitor."""
    return Viewer.for_account(token_account())


def require_staff() -> Account:
    """The caller's account if it may manage rencontres and venues (admins, animators)."""
    account = token_account()
    if account is None:
        raise _unauthorised(_("Cette action demande un jeton d'API (Authorization: Bearer)."))
    if not account.is_staff:
        raise ApiError(403, "forbidden", _("Ce jeton n'a pas le droit de faire cette action."))
    return account


def require_admin() -> Account:
    """The caller's account if it may govern the community (admins only)."""
    account = require_staff()
    if not account.is_admin:
        raise ApiError(403, "forbidden",
                       _("Seuls les administrateurs peuvent modifier la communauté."))
    return account
