"""Following an invitation link: the invitee names themself and chooses a password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node.auth import bp
from node.auth.forms import InvitationForm
from node.auth.signin import signup_limit, start_session, too_many_attempts
from node.extensions import db, limiter
from node.services import invitations
from node.services.accounts import AccountError


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(signup_limit, methods=["POST"], error_message=too_many_attempts)
def accept_invitation(token: str) -> ResponseReturnValue:
    try:
        invitation = invitations.find_invitation(token)
    except invitations.InvitationUnknown:
        return render_template("node/auth/link_invalid.html", kind="invitation",
                               status=404), 404
    except invitations.InvitationGone:
        return render_template("node/auth/link_invalid.html", kind="invitation",
                               status=410), 410
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            account = invitations.accept_invitation(invitation, form.display_name.data.strip(),
                                                   form.password.data)
        except AccountError as error:
            field = form.password if error.field == "password" else form.display_name
            if error.field == "email":
                flash(_("Un compte existe déjà avec cette adresse : connectez-vous, ou "
                        "demandez un nouveau mot de passe."), "error")
                return redirect(url_for("auth.login"))
            field.errors.append(str(error))
        else:
            start_session(account)
            db.session.commit()
            flash(_("Bienvenue, %(name)s ! Complétez votre profil pour que les autres membres "
                    "vous trouvent.", name=account.member.display_name), "success")
            return redirect(url_for("members.me"))
    return render_template("node/auth/invitation.html", form=form, invitation=invitation)
