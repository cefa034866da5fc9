"""Coordinator pages: views parse, call :mod:`directory.services.peers`, render."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from directory.admin import bp
from directory.admin.forms import DecisionForm, LoginForm
from directory.extensions import db, limiter
from directory.models import Peer
from directory.peering import identity
from directory.services import identity_changes, peers
from directory.services.coordinators import authenticate
from directory.services.network import is_stale

DECISION_MESSAGES = {
    "admit": _l("Nœud admis."),
    "refuse": _l("Demande refusée."),
    "suspend": _l("Nœud suspendu : ses fiches ne sont plus affichées."),
    "reinstate": _l("Nœud rétabli."),
}


STATUS_LABELS = {
    "pending": _l("en attente"), "admitted": _l("admis"), "refused": _l("refusé"),
    "suspended": _l("suspendu"),
}
DECISION_LABELS = {
    "admit": _l("admission"), "refuse": _l("refus"), "suspend": _l("suspension"),
    "reinstate": _l("rétablissement"), "approve_change": _l("changement d’identité approuvé"),
    "refuse_change": _l("changement d’identité refusé"),
}
IDENTITY_LABELS = {
    "base_url": _l("Adresse"), "endpoints": _l("Points d’accès"), "name": _l("Nom"),
    "contact": _l("Contact"),
}


@bp.app_context_processor
def inject_labels() -> dict[str, Any]:
    return {"status_label": lambda status: str(STATUS_LABELS.get(status, status)),
            "decision_label": lambda decision: str(DECISION_LABELS.get(decision, decision))}


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _email_key() -> str:
    """Per-account key: the address typed, whichever IP guesses its password."""
    return "email:" + (request.form.get("email") or "").strip().lower()


def _failed_login(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, key_func=_email_key, methods=["POST"],
               deduct_when=_failed_login)
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        account = authenticate(form.email.data or "", form.password.data or "")
        if account is not None:
            login_user(account)
            return redirect(url_for("admin.dashboard"))
        form.password.errors.append(_("Adresse ou mot de passe incorrect."))
    return render_template("directory/admin/login.html", form=form)


@bp.post("/deconnexion")
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    flash(_("Vous êtes déconnecté."))
    return redirect(url_for("site.home"))


@bp.get("/")
@login_required
def dashboard() -> str:
    # The directory's own fingerprint: what the coordinator reads to a joining village.
    own = identity.current_fingerprint() if identity.current_identity() is not None else ""
    return render_template("directory/admin/dashboard.html", pending=peers.pending_peers(),
                           changes=identity_changes.held_changes(),
                           nodes=peers.all_peers(), is_stale=is_stale, form=DecisionForm(),
                           own_fingerprint=own, transitions=peers.TRANSITIONS)


@bp.get("/noeuds/<int:peer_id>")
@login_required
def node(peer_id: int) -> str:
    peer = db.session.get(Peer, peer_id)
    if peer is None:
        abort(404)
    return render_template("directory/admin/node.html", peer=peer, form=DecisionForm(),
                           is_stale=is_stale, transitions=peers.TRANSITIONS,
                           change=identity_changes.side_by_side(peer),
                           received_at=getattr(identity_changes.held_change(peer),
                                               "received_at", None),
                           field_labels=IDENTITY_LABELS)


@bp.post("/noeuds/<decision>")
@login_required
def decide(decision: str) -> ResponseReturnValue:
    if decision not in peers.TRANSITIONS:
        abort(404)
    form = DecisionForm()
    node_id = (request.form.get("node_id") or "").strip()
    if not form.validate_on_submit() or not node_id:
        flash(_("Décision non enregistrée : formulaire invalide."), "error")
        return redirect(url_for("admin.dashboard"))
    if decision == "admit":
        known = peers.find_peer(node_id)
        heard = request.form.get("fingerprint") or ""
        if known is not None and not peers.fingerprint_matches(known, heard):
            flash(_("Nœud non admis : l'empreinte saisie (%(heard)s) diffère de celle de sa "
                    "demande. Relisez-la avec le village ; si elle diffère encore, refusez.",
                    heard=heard.strip() or "—"), "error")
            return redirect(url_for("admin.node", peer_id=known.id))
    try:
        peer = peers.decide(node_id, decision, by=current_user.email,
                            reason=form.reason.data or "")
    except peers.PeerError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.dashboard"))
    flash(str(DECISION_MESSAGES[decision]))
    return redirect(url_for("admin.node", peer_id=peer.id))


CHANGE_DECISIONS = {
    "approuver": (identity_changes.approve_change,
                  _l("Changement appliqué : le nœud est désormais joint à sa nouvelle adresse.")),
    "refuser": (identity_changes.refuse_change,
                _l("Changement refusé : le nœud garde l’identité admise.")),
}


@bp.post("/noeuds/<int:peer_id>/changement/<choice>")
@login_required
def identity_change(peer_id: int, choice: str) -> ResponseReturnValue:
    """The coordinator approves or refuses an admitted node's held identity change."""
    peer = db.session.get(Peer, peer_id)
    if peer is None or choice not in CHANGE_DECISIONS:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Décision non enregistrée : formulaire invalide."), "error")
        return redirect(url_for("admin.node", peer_id=peer_id))
    apply, message = CHANGE_DECISIONS[choice]
    try:
        apply(peer.node_id, by=current_user.email, reason=form.reason.data or "")
    except identity_changes.IdentityChangeError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.node", peer_id=peer_id))
    db.session.commit()
    flash(str(message))
    return redirect(url_for("admin.node", peer_id=peer_id))


@bp.get("/journal")
@login_required
def decisions() -> str:
    return render_template("directory/admin/decisions.html", decisions=peers.recent_decisions())
