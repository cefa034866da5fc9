"""Sign-in, sign-out and the join page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

import communes
from node.auth import bp
from node.auth.forms import JoinForm, LoginForm
from node.auth.signin import (
    email_key,
    end_session,
    login_limit,
    safe_next_path,
    signup_limit,
    start_session,
    too_many_attempts,
)
from node.extensions import db, limiter
from node.models import AccountStatus, SignupMode
from node.oidc.clients import returning_site_origin
from node.services import account_mail, accounts, admissions
from node.services.community import current_community, extra_communes
from node.services.member_fields import FieldInvalid, clean_commune, clean_member_fields
from webui.security import allow_form_target


def _failed_login(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], error_message=too_many_attempts)
@limiter.limit(login_limit, key_func=email_key, methods=["POST"],
               error_message=too_many_attempts, deduct_when=_failed_login)
def login() -> ResponseReturnValue:
    """Email and password. Every refusal reads the same, whether the address exists or not."""
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next_path(request.args.get("next")))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    failed = False
    if form.validate_on_submit():
        account = accounts.authenticate(form.email.data, form.password.data)
        if account is not None and account.status == AccountStatus.ACTIVE:
            start_session(account)
            notice = accounts.network_notice(account)
            db.session.commit()
            flash(_("Bonjour %(name)s, vous êtes connecté·e.",
                    name=account.member.display_name), "success")
            if notice:
                flash(notice, "info")
            return redirect(safe_next_path(form.next.data or request.args.get("next")))
        if account is not None and account.status == AccountStatus.PENDING:
            flash(_("Votre demande d'adhésion est en attente : l'équipe vous écrira dès "
                    "qu'elle l'aura examinée."), "warning")
        else:
            failed = True
    returning_to = returning_site_origin(form.next.data or request.args.get("next"))
    if returning_to:  # signing in for another site of the network: the answer goes there
        allow_form_target(returning_to)
    return render_template("node/auth/login.html", form=form, failed=failed)


@bp.post("/deconnexion")
def logout() -> ResponseReturnValue:
    end_session()
    flash(_("Vous êtes déconnecté·e. À bientôt !"), "success")
    return redirect(url_for("public.home"))


def _commune_code(text: str) -> str:
    """An INSEE code from what a person typed: a code, or a commune name."""
    text = text.strip()
    if not text or communes.is_insee_code(text.upper()):
        return clean_commune(text)
    matches = communes.search(text, extra=extra_communes())
    exact = [c for c in matches if communes.fold(c.name) == communes.fold(text)]
    if len(exact) == 1:
        return exact[0].code
    if len(matches) == 1:
        return matches[0].code
    if matches:
        raise FieldInvalid(_("Plusieurs communes correspondent : %(names)s.",
                             names=", ".join(f"{c.name} ({c.code})" for c in matches[:5])))
    raise FieldInvalid(_("Commune introuvable : vérifiez l'orthographe ou donnez son code "
                         "INSEE."))


def _cleaned_join(form: JoinForm) -> dict[str, str] | None:
    """The profile fields of the join form, or None after putting errors beside the fields."""
    cleaned, errors = clean_member_fields({"display_name": form.display_name.data,
                                           "trade": form.trade.data or ""})
    try:
        cleaned["commune_code"] = _commune_code(form.commune.data or "")
    except FieldInvalid as error:
        errors["commune"] = str(error)
    for name, message in errors.items():
        getattr(form, name).errors.append(message)
    return None if errors else cleaned


def _join_accepted(response: Response) -> bool:
    """Only a request that was sent on counts against the limit: a typo fixed and sent again
    must not lock a newcomer out. Refused forms write nothing and send no mail."""
    return response.status_code == 302


@bp.route("/adhesion", methods=["GET", "POST"])
@limiter.limit(signup_limit, methods=["POST"], error_message=too_many_attempts,
               deduct_when=_join_accepted)
def join() -> ResponseReturnValue:
    """Ask to join (request mode) or learn how to be invited (invitation mode)."""
    community = current_community()
    if community is None or community.signup_mode != SignupMode.REQUEST:
        return render_template("node/auth/join_by_invitation.html")
    if current_user.is_authenticated:
        flash(_("Vous êtes déjà membre de la communauté."), "success")
        return redirect(url_for("public.home"))
    form = JoinForm()
    if form.validate_on_submit() and (cleaned := _cleaned_join(form)) is not None:
        try:
            account = admissions.request_membership(
                form.email.data, cleaned["display_name"], form.password.data,
                trade=cleaned["trade"], commune_code=cleaned["commune_code"],
                message=form.message.data or "")
        except accounts.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            # Both mails leave after the answer, so its timing never tells who is a member.
            if account is None:
                account_mail.send_existing_account_notice(form.email.data)
            else:
                db.session.commit()
                account_mail.send_join_request_notice(account)
            return redirect(url_for("auth.join_sent"))
    return render_template("node/auth/join.html", form=form)


@bp.get("/adhesion/envoyee")
def join_sent() -> ResponseReturnValue:
    return render_template("node/auth/join_sent.html")
