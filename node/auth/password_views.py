"""Forgotten password: ask for a link, then choose a new password with it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node.auth import bp
from node.auth.forms import ForgotPasswordForm, NewPasswordForm
from node.auth.signin import email_key, signup_limit, too_many_attempts
from node.extensions import db, limiter
from node.models import AccountStatus
from node.services import account_mail, password_reset
from node.services.accounts import AccountError


@bp.route("/mot-de-passe/oubli", methods=["GET", "POST"])
@limiter.limit(signup_limit, methods=["POST"], error_message=too_many_attempts)
@limiter.limit(signup_limit, key_func=email_key, methods=["POST"],
               error_message=too_many_attempts)
def forgot_password() -> ResponseReturnValue:
    """Always the same answer at the same speed, so the page never tells whether an address
    has an account: the link is mailed after the answer (a failure is only logged)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        account = password_reset.account_to_reset(form.email.data)
        if account is not None:
            account_mail.send_reset_link(account, password_reset.make_reset_token(account))
        return render_template("node/auth/reset_sent.html")
    return render_template("node/auth/forgot_password.html", form=form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@limiter.limit(signup_limit, methods=["POST"], error_message=too_many_attempts)
def reset_password(token: str) -> ResponseReturnValue:
    account = password_reset.account_for_reset_token(token)
    if account is None:
        return render_template("node/auth/link_invalid.html", kind="reset", status=410), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(account, form.password.data)
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            if account.status == AccountStatus.PENDING:
                flash(_("Mot de passe changé. Votre demande d'adhésion est encore en "
                        "attente."), "success")
            else:
                flash(_("Mot de passe changé : connectez-vous avec le nouveau."), "success")
            return redirect(url_for("auth.login"))
    return render_template("node/auth/reset_password.html", form=form)
