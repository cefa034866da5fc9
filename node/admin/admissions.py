"""Admissions, invitations and roles: the staff's members page.

Staff (admins and animators) admit or refuse join requests, invite people, and disable or
re-enable member accounts. Only admins change roles, invite staff or touch staff accounts.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Email, Length

from node.admin import bp
from node.auth.session import admin_required, staff_required
from node.extensions import db
from node.models import Account, AccountStatus, Invitation, Role
from node.services import account_mail, accounts, admissions, invitations, member_roster
from node.services.accounts import ROLE_LABELS, STATUS_LABELS, AccountError
from node.services.community import commune_name
from node.services.member_roster import RosterQuery
from webui.forms import Form

SORT_LABELS = {"attente": _l("Demandes d'abord"), "nom": _l("Nom"),
               "recent": _l("Arrivés récemment"), "ancien": _l("Plus anciens")}
MAIL_FAILED = _l("L'opération est enregistrée, mais l'e-mail n'a pas pu être envoyé : "
                 "prévenez la personne autrement.")


class InviteForm(Form):
    email = EmailField(_l("Adresse e-mail"), validators=[
        DataRequired(_l("Indiquez l'adresse à inviter.")),
        Email(_l("Adresse e-mail invalide.")), Length(max=254)])
    role = SelectField(_l("Rôle"), default=Role.MEMBER.value)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        roles = list(Role) if current_user.is_admin else [Role.MEMBER]
        self.role.choices = [(role.value, str(ROLE_LABELS[role])) for role in roles]


class RoleForm(Form):
    role = SelectField(_l("Rôle"), choices=[role.value for role in Role])


class StatusForm(Form):
    status = SelectField(_l("Statut"), choices=[AccountStatus.ACTIVE.value,
                                                  AccountStatus.DISABLED.value])


def _members_page(invite_form: InviteForm, status: int = 200) -> ResponseReturnValue:
    query = RosterQuery.from_args(request.args)
    found = member_roster.roster(query)
    return render_template(
        "node/admin/admissions/members.html", roster=found, query=query,
        pending_count=found.status_counts.get(AccountStatus.PENDING, 0),
        invitations=invitations.pending_invitations(), invite_form=invite_form,
        role_labels=ROLE_LABELS, status_labels=STATUS_LABELS, sort_labels=SORT_LABELS,
        commune_name=commune_name,
    ), status


def _account_or_404(account_id: int) -> Account:
    account = db.session.get(Account, account_id)
    if account is None:
        abort(404)
    return account


def _back() -> ResponseReturnValue:
    """Back to the list as the staff left it: the forms post to URLs carrying its filters."""
    kept: dict[str, Any] = RosterQuery.from_args(request.args).args()
    return redirect(url_for("admin.members", **kept))


@bp.get("/membres")
@staff_required
def members() -> ResponseReturnValue:
    return _members_page(InviteForm())


def _answer_request(account_id: int, admitted: bool) -> ResponseReturnValue:
    account = _account_or_404(account_id)
    try:
        (admissions.admit if admitted else admissions.refuse)(account)
    except AccountError as error:
        flash(str(error), "error")
        return _back()
    db.session.commit()
    name = account.member.display_name
    flash(_("%(name)s est maintenant membre.", name=name) if admitted
          else _("Demande de %(name)s refusée.", name=name), "success")
    if not account_mail.send_admission_notice(account, admitted):
        flash(str(MAIL_FAILED), "warning")
    return _back()


@bp.post("/membres/<int:account_id>/admettre")
@staff_required
def approve_member(account_id: int) -> ResponseReturnValue:
    return _answer_request(account_id, admitted=True)


@bp.post("/membres/<int:account_id>/refuser")
@staff_required
def refuse_member(account_id: int) -> ResponseReturnValue:
    return _answer_request(account_id, admitted=False)


@bp.post("/invitations")
@staff_required
def invite() -> ResponseReturnValue:
    form = InviteForm()
    if not form.validate_on_submit():
        return _members_page(form, 400)
    try:
        invitation, token = invitations.create_invitation(form.email.data, Role(form.role.data),
                                                          current_user)
    except AccountError as error:
        getattr(form, error.field or "email").errors.append(str(error))
        return _members_page(form, 400)
    db.session.commit()
    flash(_("Invitation envoyée à %(email)s.", email=invitation.email), "success")
    if not account_mail.send_invitation(invitation, token, current_user):
        flash(str(MAIL_FAILED), "warning")
    return _back()


@bp.post("/invitations/<int:invitation_id>/retirer")
@staff_required
def revoke_invitation(invitation_id: int) -> ResponseReturnValue:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    if invitation.role != Role.MEMBER and not current_user.is_admin:
        abort(403)
    email = invitation.email
    invitations.revoke_invitation(invitation)
    db.session.commit()
    flash(_("Invitation à %(email)s retirée : le lien ne fonctionne plus.", email=email),
          "success")
    return _back()


@bp.post("/membres/<int:account_id>/role")
@admin_required
def change_role(account_id: int) -> ResponseReturnValue:
    account = _account_or_404(account_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Rôle inconnu."), "error")
        return _back()
    try:
        accounts.change_role(account, Role(form.role.data))
    except AccountError as error:
        flash(str(error), "error")
        return _back()
    db.session.commit()
    flash(_("%(name)s est maintenant %(role)s.", name=account.member.display_name,
            role=str(ROLE_LABELS[Role(account.role)]).lower()), "success")
    return _back()


@bp.post("/membres/<int:account_id>/statut")
@staff_required
def set_account_status(account_id: int) -> ResponseReturnValue:
    """Disable or re-enable a member; staff accounts are the admins' business."""
    account = _account_or_404(account_id)
    if account.is_staff and not current_user.is_admin:
        abort(403)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Statut inconnu."), "error")
        return _back()
    if account.id == current_user.id:
        flash(_("Vous ne pouvez pas désactiver votre propre compte."), "error")
        return _back()
    if account.status not in (AccountStatus.ACTIVE, AccountStatus.DISABLED):
        flash(_("Répondez d'abord à cette demande d'adhésion."), "error")
        return _back()
    try:
        withdrawn = accounts.set_status(account, AccountStatus(form.status.data))
    except AccountError as error:
        flash(str(error), "error")
        return _back()
    db.session.commit()
    name = account.member.display_name
    flash(_("Compte de %(name)s réactivé.", name=name) if account.is_active
          else _("Compte de %(name)s désactivé.", name=name), "success")
    if withdrawn:
        flash(_("Ses réponses aux rencontres à venir d'autres villages sont retirées "
                "(%(count)s) : leurs places vont à leur liste d'attente.", count=withdrawn),
              "success")
    return _back()
