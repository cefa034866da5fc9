"""The plain-text French mails about accounts: invitations, admissions, resets, join requests.

Staff actions (invitations, admission decisions) send now and return whether the mail left:
a failure is logged (subject only, by the mail service) and the staff member is told, but the
operation itself is never undone by it. Mails a stranger's request triggers only when an
address has an account (reset link, "already a member" notice, staff notice of a request) go
through the mail queue instead, after the answer, so its timing never tells who is a member.
Links are absolute, built on ``PUBLIC_URL`` so they work from any mail client.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from node.models import Account, Invitation, Role
from node.services.accounts import ROLE_LABELS, staff_accounts
from node.services.community import current_community
from node.services.mail import MailNotSent, send_mail
from node.services.mail_queue import send_mail_later


def public_link(endpoint: str, **values: Any) -> str:
    """An absolute link to a page of this node, as people reach it from outside."""
    return str(current_app.config["PUBLIC_URL"]) + url_for(endpoint, **values)


def _community_name() -> str:
    community = current_community()
    return community.name if community else "Chaleur"


def _send(to: str, subject: str, body: str) -> bool:
    try:
        send_mail(to, subject, body)
    except MailNotSent:
        return False
    return True


def send_invitation(invitation: Invitation, token: str, invited_by: Account) -> bool:
    name = _community_name()
    body = _(
        "Bonjour,\n\n%(inviter)s vous invite à rejoindre « %(community)s » sur Chaleur, "
        "en tant que %(role)s.\n\nPour créer votre compte, ouvrez ce lien et choisissez "
        "un mot de passe :\n%(link)s\n\nCe lien ne sert qu'une fois et expire le %(expires)s.\n"
        "Si vous ne vous attendiez pas à cette invitation, ignorez simplement ce message.\n",
        inviter=invited_by.member.display_name, community=name,
        role=str(ROLE_LABELS[Role(invitation.role)]).lower(),
        link=public_link("auth.accept_invitation", token=token),
        expires=format_datetime(invitation.expires_at, "d MMMM yyyy"))
    return _send(invitation.email, _("Invitation à rejoindre %(community)s", community=name),
                 body)


def send_join_request_notice(applicant: Account) -> None:
    """Tell every active staff member, after the answer, that a request waits."""
    name = _community_name()
    body = _(
        "Bonjour,\n\n%(person)s demande à rejoindre « %(community)s ».\n\n"
        "Lisez sa demande puis admettez-la ou refusez-la ici :\n%(link)s\n",
        person=applicant.member.display_name, community=name,
        link=public_link("admin.members"))
    subject = _("Nouvelle demande d'adhésion à %(community)s", community=name)
    for staff in staff_accounts():
        send_mail_later(staff.email, subject, body)


def send_existing_account_notice(email: str) -> None:
    """Sent (after the answer) instead of a second request, so the join page never reveals
    who is a member."""
    name = _community_name()
    body = _(
        "Bonjour,\n\nQuelqu'un (peut-être vous) a demandé à rejoindre « %(community)s » avec "
        "cette adresse, mais elle a déjà un compte.\n\nPour vous connecter : %(login)s\n"
        "Mot de passe oublié : %(reset)s\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n",
        community=name, login=public_link("auth.login"),
        reset=public_link("auth.forgot_password"))
    send_mail_later(email, _("Votre demande d'adhésion à %(community)s", community=name), body)


def send_admission_notice(account: Account, admitted: bool) -> bool:
    name = _community_name()
    if admitted:
        subject = _("Bienvenue dans %(community)s", community=name)
        body = _(
            "Bonjour %(person)s,\n\nVotre demande d'adhésion à « %(community)s » est acceptée. "
            "Bienvenue !\n\nConnectez-vous avec votre adresse et votre mot de passe :\n"
            "%(link)s\n\nPensez à compléter votre profil pour que les autres membres "
            "vous trouvent.\n",
            person=account.member.display_name, community=name,
            link=public_link("auth.login"))
    else:
        subject = _("Votre demande d'adhésion à %(community)s", community=name)
        body = _(
            "Bonjour %(person)s,\n\nVotre demande d'adhésion à « %(community)s » n'a pas été "
            "retenue.\n\nPour en parler, répondez à l'équipe de la communauté via la page "
            "d'accueil :\n%(link)s\n",
            person=account.member.display_name, community=name,
            link=public_link("public.home"))
    return _send(account.email, subject, body)


def send_reset_link(account: Account, token: str) -> None:
    """Queued for after the answer: the page must not answer later for a known address."""
    hours = int(current_app.config["PASSWORD_RESET_HOURS"])
    expiry = ngettext("Il expire dans %(num)d heure et ne sert qu'une fois.",
                      "Il expire dans %(num)d heures et ne sert qu'une fois.", hours)
    body = _(
        "Bonjour,\n\nPour choisir un nouveau mot de passe sur « %(community)s », ouvrez ce "
        "lien :\n%(link)s\n\n%(expiry)s\n"
        "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.\n",
        community=_community_name(), expiry=expiry,
        link=public_link("auth.reset_password", token=token))
    send_mail_later(account.email, _("Nouveau mot de passe"), body)
