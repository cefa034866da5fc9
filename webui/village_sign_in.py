"""« Se connecter avec mon village »: this site as a relying party of the network's villages.

Written once for both apps (the Pays directory and every node), parameterised by a
:class:`RelyingParty` each app builds from its own federation data: the admitted villages
with their keys as the signed federation gave them, this site's node id and signing key,
and its replay store. The protocol is docs/federation.md section 12; the ID token checks
are :func:`federation.identity.verify_id_token`.

The visitor chooses their village, signs in there, and comes back; the answer is accepted
only with the ``state`` this browser's session holds (login CSRF), the ``iss`` of the
chosen village (mix-up), a code exchanged with this site's ``private_key_jwt`` assertion and
the PKCE verifier, and an ID token whose ``jti`` was never seen. The session is emptied
before the member is written into it (no fixation). A sign-in lasts
:data:`federation.identity.ID_TOKEN_LIFETIME` seconds; after that the next page asks the
village again without a screen (``prompt=none``), so a member deactivated at home loses
access here within five minutes.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from federation.endpoints import DEFAULT_ENDPOINTS
from federation.identity import (
    ASSERTION_TYPE,
    AUTHORIZE_PATH,
    ID_TOKEN_LIFETIME,
    SCOPE,
    TOKEN_PATH,
    IdentityRefused,
    Signed,
)
from webui.i18n import current_language
from webui.security import allow_form_target

log = logging.getLogger("chaleur.village_sign_in")
EXTENSION = "village_sign_in"
PENDING = "village_sign_in"
MEMBER = "network_member"
KEPT = ("lang",)
#: How long a started sign-in may take at the village before its answer is refused.
PENDING_SECONDS = 600
RETURN_PATH = DEFAULT_ENDPOINTS["sign_in"]


@dataclass(frozen=True)
class Village:
    """An admitted village that signs its members in, as the signed federation says."""

    node_id: str
    name: str
    base_url: str
    keys: tuple[tuple[str, str], ...]  # (key id, base64url Ed25519 public key)


@dataclass(frozen=True)
class RelyingParty:
    """What an app hands to this module (each callable reads that app's own database)."""

    villages: Callable[[], list[Village]]
    client_id: Callable[[], str]
    signing_key: Callable[[], Any]  # federation.keys.SigningKey
    remember_jti: Callable[[str, str, int], bool]  # (village, jti, expires) → first time?
    layout: str  # the app's page layout template
    home: str  # the endpoint of the app's home page


@dataclass(frozen=True)
class NetworkMember:
    """Who is signed in here with their village: « Prénom N. — Tiers-lieu de Sparsbach »."""

    village: str
    village_name: str
    subject: str
    name: str
    signed_at: int

    @property
    def label(self) -> str:
        return f"{self.name} — {self.village_name}"

    @property
    def fresh(self) -> bool:
        return time.time() - self.signed_at < ID_TOKEN_LIFETIME


def current_member() -> NetworkMember | None:
    """The member signed in with their village on this site, or None (expired included;
    outside a request too)."""
    if not has_request_context():
        return None
    data = session.get(MEMBER)
    if not isinstance(data, dict):
        return None
    try:
        member = NetworkMember(str(data["village"]), str(data["village_name"]),
                               str(data["subject"]), str(data["name"]),
                               int(data["signed_at"]))
    except (KeyError, TypeError, ValueError):
        return None
    return member if member.fresh else None


def _rp() -> RelyingParty:
    rp: RelyingParty = current_app.extensions[EXTENSION]
    return rp


def _village(node_id: str) -> Village | None:
    return next((v for v in _rp().villages() if v.node_id == node_id), None)


def _return_url() -> str:
    return str(current_app.config["PUBLIC_URL"]) + RETURN_PATH


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


bp = Blueprint("village_sign_in", __name__)


@bp.get("/connexion/village")
def choose() -> ResponseReturnValue:
    return render_template("webui/village_sign_in.html", layout=_rp().layout,
                           villages=sorted(_rp().villages(), key=lambda v: v.name),
                           member=current_member(), next=_safe_next(request.args.get("next")))


@bp.get("/connexion/village/<node_id>")
def start(node_id: str) -> ResponseReturnValue:
    """Send the browser to its village with a fresh state, nonce and PKCE verifier."""
    village = _village(node_id)
    if village is None:
        abort(404)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    pending = {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
               "verifier": verifier, "village": village.node_id, "started": int(time.time()),
               "next": _safe_next(request.args.get("next")),
               "silent": request.args.get("silent") == "1",
               "again": request.args.get("again") == "1"}
    session[PENDING] = pending
    params = {"response_type": "code", "client_id": _rp().client_id(),
              "redirect_uri": _return_url(), "scope": SCOPE, "state": pending["state"],
              "nonce": pending["nonce"], "code_challenge": challenge,
              "code_challenge_method": "S256",
              # The village's sign-in and consent pages speak the visitor's language here.
              "ui_locales": current_language()}
    if pending["silent"]:
        params["prompt"] = "none"
    return redirect(village.base_url + AUTHORIZE_PATH + "?" + urlencode(params))


@bp.get(RETURN_PATH)
def answer() -> ResponseReturnValue:
    """The village's answer: checked, exchanged, verified; then a fresh session."""
    pending = session.pop(PENDING, None)
    if not isinstance(pending, dict) or not secrets.compare_digest(
            str(request.args.get("state", "")), str(pending.get("state", ""))):
        return _refused(_("Cette réponse ne correspond à aucune connexion commencée ici."))
    village = _village(str(pending.get("village", "")))
    if village is None or time.time() - int(pending.get("started", 0)) > PENDING_SECONDS:
        return _refused(_("Connexion trop ancienne ou village inconnu : recommencez."))
    if request.args.get("iss") != village.base_url:
        return _refused(_("La réponse ne vient pas du village choisi."))
    if request.args.get("error"):
        session.pop(MEMBER, None)
        if pending.get("again"):
            flash(_("Votre connexion avec votre village a expiré : reconnectez-vous, puis "
                    "envoyez à nouveau votre réponse."), "warning")
        elif not pending.get("silent"):
            flash(_("Connexion annulée par votre village."), "warning")
        return redirect(_safe_next(pending.get("next")))
    try:
        signed = _exchange(village, str(request.args.get("code", "")), pending)
    except IdentityRefused as error:
        log.warning("village sign-in refused: village=%s code=%s", village.node_id, error.code)
        return _refused(_("Votre village n'a pas confirmé la connexion (%(why)s).",
                          why=error.code))
    kept = {key: session[key] for key in KEPT if key in session}
    session.clear()  # nothing of the session before the sign-in survives it
    session.update(kept)
    session[MEMBER] = {"village": signed.village, "village_name": signed.village_name,
                       "subject": signed.subject, "name": signed.name,
                       "signed_at": int(time.time())}
    if pending.get("again"):
        flash(_("Votre village vous a reconnu·e à nouveau. Votre réponse n'a pas encore été "
                "enregistrée : envoyez-la encore une fois."), "warning")
    return redirect(_safe_next(pending.get("next")))


def _exchange(village: Village, code: str, pending: dict[str, Any]) -> Signed:
    """The token request (private_key_jwt, PKCE verifier), then the ID token's checks."""
    from federation.identity import client_assertion, verify_id_token

    token_url = village.base_url + TOKEN_PATH
    assertion = client_assertion(client_id=_rp().client_id(), token_endpoint=token_url,
                                 signing_key=_rp().signing_key())
    body = _post(token_url, {"grant_type": "authorization_code", "code": code,
                             "redirect_uri": _return_url(),
                             "code_verifier": str(pending["verifier"]),
                             "client_assertion_type": ASSERTION_TYPE,
                             "client_assertion": assertion})
    token = body.get("id_token")
    if not isinstance(token, str):
        raise IdentityRefused("token_missing", "pas de jeton d'identité")
    signed = verify_id_token(token, issuer=village.base_url, village=village.node_id,
                             audience=_rp().client_id(), keys=village.keys,
                             nonce=str(pending["nonce"]))
    if not _rp().remember_jti(village.node_id, signed.jti, signed.expires_at + 60):
        raise IdentityRefused("token_replayed", "jeton déjà présenté")
    return signed


def _post(url: str, form: dict[str, str]) -> dict[str, Any]:
    """POST to a village's token endpoint: public addresses only (unless the operator
    allows private ones), no redirects, short timeouts, a small JSON answer."""
    import requests

    from federation.transport import PublicAddressAdapter
    from federation.urlpolicy import AddressRefused, check_url

    allow = bool(current_app.config.get("FEDERATION_ALLOW_PRIVATE"))
    try:
        check_url(url, allow_private_addresses=allow)
    except AddressRefused as error:
        raise IdentityRefused("address_refused", str(error)) from error
    with requests.Session() as http:
        http.trust_env = False
        if not allow:
            http.mount("https://", PublicAddressAdapter())
            http.mount("http://", PublicAddressAdapter())
        try:
            reply = http.post(url, data=form, timeout=(3, 10), allow_redirects=False,
                              headers={"Accept": "application/json"})
        except requests.RequestException as error:
            raise IdentityRefused("village_unreachable", "village injoignable") from error
    if reply.status_code != 200 or len(reply.content) > 65536:
        raise IdentityRefused("token_refused", f"HTTP {reply.status_code}")
    try:
        data = reply.json()
    except ValueError as error:
        raise IdentityRefused("token_malformed", "réponse illisible") from error
    if not isinstance(data, dict):
        raise IdentityRefused("token_malformed", "réponse illisible")
    return data


@bp.post("/deconnexion/village")
def sign_out() -> ResponseReturnValue:
    """Sign out of this site (the village keeps its own session)."""
    session.pop(MEMBER, None)
    session.pop(PENDING, None)
    flash(_("Vous êtes déconnecté·e de ce site."), "success")
    return redirect(url_for(_rp().home))


def _refused(message: str) -> ResponseReturnValue:
    return render_template("webui/village_sign_in_refused.html", layout=_rp().layout,
                           message=message), 400


def check_again() -> ResponseReturnValue | None:
    """``before_request``: a sign-in older than the ID token's life is asked again of the
    village without a screen on the next page (GET only); a village that answers « not
    signed in » (deactivated, deleted, signed out at home) ends it here. A form sent
    after the sign-in lapsed (POST) is refused by its view as from anyone not signed in;
    the view may call :func:`renew` to send the member through their village instead."""
    data = session.get(MEMBER)
    if not isinstance(data, dict) or current_member() is not None:
        return None
    if request.method != "GET" or request.blueprint == "village_sign_in" or \
            (request.endpoint or "").endswith("static") or request.path.startswith("/api/"):
        session.pop(MEMBER, None)  # a program gets no redirect: just no « Réseau » now
        if request.method == "POST" and not request.path.startswith("/api/"):
            g.lapsed_village = str(data.get("village", ""))  # for renew(), this request only
        return None
    village = str(data.get("village", ""))
    session.pop(MEMBER, None)
    if _village(village) is None:
        return None
    return redirect(url_for("village_sign_in.start", node_id=village, silent="1",
                            next=request.full_path.rstrip("?")))


def renew(back_to: str) -> ResponseReturnValue | None:
    """For a view refusing a form from someone not signed in: if the form came from a
    member whose sign-in with their village lapsed since the page was shown, ask the
    village again (without a screen when it still knows them) and come back to
    ``back_to`` (a path here), with a word saying the form was not sent. The form itself
    is never replayed after the detour: the member sends it again, knowingly. None: no
    lapsed sign-in, the caller refuses as usual."""
    village = g.pop("lapsed_village", None)
    if not village or _village(village) is None:
        return None
    return redirect(url_for("village_sign_in.start", node_id=village, silent="1", again="1",
                            next=_safe_next(back_to)))


def let_forms_renew() -> None:
    """``before_request``: the forms of a page shown to a member signed in with their
    village may end at that village (CSP ``form-action`` governs the redirects that follow
    a form): if the sign-in lapses before the form is sent, :func:`renew` goes there."""
    member = current_member()
    village = _village(member.village) if member is not None else None
    if village is not None and request.method == "GET":
        allow_form_target(village.base_url)


def init_app(app: Flask, rp: RelyingParty) -> None:
    """Register the pages, the check and the template helper on ``app``."""
    app.extensions[EXTENSION] = rp
    app.register_blueprint(bp)
    app.before_request(check_again)
    app.before_request(let_forms_renew)
    app.context_processor(lambda: {"network_member": current_member()})
