"""What the mails about messages between villages say (plain text and HTML).

The first mail carries neither address: the recipient answers on their own node's site.
Only the answer's mail names the address of the one who answered, who chose to.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from flask_babel import gettext as _

from node.extensions import db
from node.models import Account, ContactReceived, ContactSent, Notice
from node.services.contact_relay import village_name
from node.services.events import public_link
from node.services.notices import Letter

Text = tuple[str, str] | Letter | None


def _line(text: str) -> str:
    """One line for a subject, whatever a name brought along."""
    return " ".join(text.split())


def _row_id(notice: Notice) -> int:
    return int(notice.subject_key.split(":")[1])


def contact_message(notice: Notice, account: Account) -> Text:
    """To the recipient: the message, a link to answer, block or report; no address."""
    found = db.session.get(ContactReceived, _row_id(notice))
    if found is None:
        return None
    link = public_link("exchange.network_message", message_uuid=found.uuid)
    values = {"name": account.member.display_name if account.member else "",
              "sender": found.from_name, "village": village_name(found.from_node),
              "title": found.about_title, "body": found.body, "link": link}
    heading = {key: _line(str(value)) for key, value in values.items()}
    subject = (_("%(sender)s (%(village)s) répond à votre annonce « %(title)s »", **heading)
               if found.about_title else
               _("%(sender)s (%(village)s) vous écrit par le réseau", **heading))
    body = _("Bonjour %(name)s,\n\n%(sender)s (%(village)s) vous écrit par le "
             "réseau :\n\n%(body)s\n\nPour répondre (votre adresse ne sera transmise "
             "que si vous répondez), pour bloquer cet expéditeur ou pour signaler ce "
             "message à l'équipe de votre tiers-lieu :\n%(link)s\n", **values)
    if found.about_title:
        body = _("À propos de votre annonce « %(title)s ».", **values) + "\n\n" + body
    html = render_template("node/mail/contact_message.html", message=found, **values)
    return Letter(subject, body, html=html)


def contact_reply(notice: Notice, account: Account) -> Text:
    """To the sender: the answer, with the address of the one who answered."""
    found = db.session.get(ContactSent, _row_id(notice))
    if found is None or found.answered_at is None:
        return None
    values = {"name": account.member.display_name if account.member else "",
              "recipient": found.to_name, "village": village_name(found.to_node),
              "body": found.answer, "email": found.answer_email}
    return Letter(
        _("%(recipient)s (%(village)s) vous répond",
          **{key: _line(value) for key, value in values.items()}),
        _("Bonjour %(name)s,\n\n%(recipient)s (%(village)s) vous répond :\n\n%(body)s\n\n"
          "En répondant, %(recipient)s vous donne son adresse : %(email)s (répondez "
          "simplement à ce courriel).\n", **values),
        headers={"Reply-To": found.answer_email})


def contact_report(notice: Notice, account: Account) -> Text:
    """To the staff: a member shows them a message from another village."""
    found = db.session.get(ContactReceived, _row_id(notice))
    if found is None or found.reported_at is None:
        return None
    return (_("Message du réseau signalé par %(name)s",
              name=_line(found.recipient.display_name)),
            _("Bonjour,\n\n%(name)s signale un message reçu de %(sender)s (%(village)s). Vous "
              "pouvez le lire ici :\n%(link)s\n", name=found.recipient.display_name,
              sender=found.from_name, village=village_name(found.from_node),
              link=public_link("exchange.network_reports")))


RENDERERS: dict[str, Callable[[Notice, Account], Text]] = {
    "contact_message": contact_message,
    "contact_reply": contact_reply,
    "contact_report": contact_report,
}
