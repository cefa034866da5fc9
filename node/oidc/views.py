"""Discovery, keys, the authorization page (sign in at home, agree once) and the token
endpoint. Refusals on the page are French pages and never redirect anywhere unregistered;
the token endpoint answers OAuth's JSON errors."""

from __future__ import annotations

from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from flask import Response, current_app, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from federation.identity import discovery_document, public_jwk
from node.extensions import db
from node.oidc.clients import Site, find_site
from node.oidc.provider import issuer, server
from node.peering.identity import published_keys
from node.services.network_sign_in import agree, has_agreed, village_name, what_site_learns
from webui.i18n import ui_locale
from webui.security import allow_form_target


def discovery() -> ResponseReturnValue:
    return jsonify(discovery_document(issuer()))


def jwks() -> ResponseReturnValue:
    """The keys ID tokens are signed with: this node's federation keys (active and retiring),
    the same the signed network list carries."""
    return jsonify(keys=[public_jwk(key.keyid, key.public_key) for key in published_keys()])


def _refused(message: str, status: int = 400) -> ResponseReturnValue:
    return render_template("node/oidc/refused.html", message=message), status


def _tell(site: Site, error: str) -> ResponseReturnValue:
    """An error answer to the site's registered redirect URI (``prompt=none``), with the
    request's ``state`` and this issuer (RFC 9207)."""
    query = urlencode({"error": error, "state": str(request.values.get("state", "")),
                       "iss": issuer()})
    return redirect(site.redirect_uri + "?" + query)


def authorize() -> ResponseReturnValue:
    """GET: sign in if needed, then the consent page the first time for this site (or the
    answer at once). POST: the member's choice on the consent page."""
    site = find_site(str(request.values.get("client_id", "")))
    if site is None:
        return _refused(_("Ce site ne fait pas partie du réseau du Pays : la connexion est "
                          "refusée."))
    silent = request.values.get("prompt") == "none"
    if not current_user.is_authenticated:
        if silent and request.values.get("redirect_uri") == site.redirect_uri:
            return _tell(site, "login_required")  # signed out, deactivated or deleted here
        # The sign-in page speaks the language the site asked for, as the consent page will
        # (for that page only: the member's own choice of language on this site is kept).
        return redirect(url_for("auth.login", next=request.full_path,
                                ui_locales=ui_locale(str(request.args.get("ui_locales", "")))))
    authorization = server(current_app._get_current_object())  # type: ignore[attr-defined]
    try:
        grant = authorization.get_consent_grant(end_user=current_user)
    except OAuth2Error as error:
        if error.redirect_uri:  # the site is known and the URI registered: tell it
            told: Response = authorization.handle_error_response(request, error)
            return told
        return _refused(_("Cette demande de connexion n'est pas valable (%(why)s).",
                          why=error.error))
    if request.method == "POST":
        if request.form.get("choice") != "agree":
            refused: Response = authorization.create_authorization_response(
                grant=grant, grant_user=None)
            return refused
        agree(current_user, site.client_id)
    elif not has_agreed(current_user, site.client_id):
        if silent:
            return _tell(site, "consent_required")
        allow_form_target(site.base_url)  # the consent form's answer goes back to the site
        return render_template("node/oidc/consent.html", site=site,
                               learns=what_site_learns(current_user),
                               village=village_name())
    answer: Response = authorization.create_authorization_response(
        grant=grant, grant_user=current_user)
    db.session.commit()
    return answer


def token() -> ResponseReturnValue:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    answer: Response = server(app).create_token_response()
    db.session.commit()
    answer.headers["Cache-Control"] = "no-store"
    return answer
