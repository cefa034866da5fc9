"""Writing to a member of another village, and the messages other villages relay here.

The form is always on the sender's own node (it vouches for who is signed in); the
recipient reads and answers on theirs. Neither page shows an address before the answer.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from node.auth.session import staff_required
from node.exchange import bp
from node.exchange.views import ReplyForm
from node.extensions import db
from node.members.views import current_member
from node.models import ContactReceived
from node.services import contact_relay
from node.services.contact_relay import ContactError
from webui.forms import Form


@bp.route("/reseau/ecrire/<node_id>/<member_uuid>", methods=["GET", "POST"])
@login_required
def write_network(node_id: str, member_uuid: str) -> ResponseReturnValue:
    """Write to a member of another village, about one of their listings if ``annonce``."""
    about = request.args.get("annonce", "")[:36]
    to = contact_relay.find_recipient(node_id, member_uuid, about)
    if to is None:
        abort(404)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            contact_relay.write(current_member(), to, form.body.data or "")
        except ContactError as refused:
            form.body.errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("Message envoyé par le réseau. %(name)s vous répondra par le site ; vos "
                    "adresses restent cachées jusque-là.", name=to.name), "success")
            return redirect(url_for("exchange.network_mailbox"))
    return render_template("node/exchange/contact_write.html", to=to, form=form), (
        422 if form.errors else 200)


@bp.get("/reseau/messages")
@login_required
def network_mailbox() -> ResponseReturnValue:
    received, sent, blocks = contact_relay.mailbox(current_member())
    return render_template("node/exchange/contact_mailbox.html", received=received, sent=sent,
                           blocks=blocks, form=Form(),
                           refuses_all=contact_relay.refuses_all(current_member()),
                           village_name=contact_relay.village_name)


def _mine(message_uuid: str) -> ContactReceived:
    found = contact_relay.find_received(message_uuid)
    if found is None or found.recipient_id != current_member().id:
        abort(404)
    return found


@bp.route("/reseau/messages/<message_uuid>", methods=["GET", "POST"])
@login_required
def network_message(message_uuid: str) -> ResponseReturnValue:
    """Read a relayed message; answer it once (the answer carries one's address)."""
    found = _mine(message_uuid)
    form = ReplyForm()
    if form.validate_on_submit():
        if contact_relay.answer(found, form.body.data or ""):
            db.session.commit()
            flash(_("Réponse envoyée, avec votre adresse."), "success")
            return redirect(url_for("exchange.network_message", message_uuid=found.uuid))
        form.body.errors = [_("Écrivez votre message (4000 caractères au plus).")]
    blocked = contact_relay.sender_blocked(found)
    return render_template("node/exchange/contact_message.html", message=found, form=form,
                           blocked=blocked, buttons=Form(),
                           village=contact_relay.village_name(found.from_node)), (
        422 if form.errors else 200)


@bp.post("/reseau/messages/<message_uuid>/bloquer")
@login_required
def block_sender(message_uuid: str) -> ResponseReturnValue:
    found = _mine(message_uuid)
    if Form().validate_on_submit():
        contact_relay.block(found)
        db.session.commit()
        flash(_("%(name)s ne pourra plus vous écrire par le réseau.", name=found.from_name),
              "success")
    return redirect(url_for("exchange.network_message", message_uuid=found.uuid))


@bp.post("/reseau/messages/<message_uuid>/signaler")
@login_required
def report_message(message_uuid: str) -> ResponseReturnValue:
    found = _mine(message_uuid)
    if Form().validate_on_submit():
        contact_relay.report(found)
        db.session.commit()
        flash(_("Message signalé à l'équipe de votre tiers-lieu."), "success")
    return redirect(url_for("exchange.network_message", message_uuid=found.uuid))


@bp.post("/reseau/bloques/<int:block_id>/debloquer")
@login_required
def unblock_sender(block_id: int) -> ResponseReturnValue:
    if Form().validate_on_submit() and contact_relay.unblock(current_member(), block_id):
        db.session.commit()
        flash(_("Expéditeur débloqué."), "success")
    return redirect(url_for("exchange.network_mailbox"))


@bp.post("/reseau/messages/accueil")
@login_required
def accept_messages() -> ResponseReturnValue:
    """Open or close one's door to every message from other villages."""
    if Form().validate_on_submit():
        accept = request.form.get("accepter") == "oui"
        contact_relay.accept_all(current_member(), accept)
        db.session.commit()
        flash(_("Les membres des autres villages peuvent à nouveau vous écrire.") if accept
              else _("Vous ne recevrez plus de messages des autres villages."), "success")
    return redirect(url_for("exchange.network_mailbox"))


@bp.get("/admin/signalements-reseau")
@staff_required
def network_reports() -> ResponseReturnValue:
    """The staff read the messages their members reported (and only those)."""
    return render_template("node/exchange/contact_reports.html",
                           messages=contact_relay.reported(),
                           village_name=contact_relay.village_name)
