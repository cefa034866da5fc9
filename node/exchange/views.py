"""Links and settings of the mails about offers and needs: my alerts (off until I ask), the
one-click unsubscribe of every alert mail, the one-click renewal of a listing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from node.exchange import bp
from node.extensions import db
from node.members.forms import LISTING_KIND_LABELS
from node.members.views import current_member
from node.models import AlertSettings, Listing
from node.services import alerts, cooperation, replies
from node.services.community import commune_name
from node.services.listings import listing_for_renew_token, renew
from node.services.matching import printable_sheet
from node.services.visibility import Viewer
from webui.forms import Form


class AlertsForm(Form):
    match_alerts = BooleanField(_l("Me prévenir dès qu'une offre ou un membre répond à l'un de "
                                   "mes besoins"))
    weekly = BooleanField(_l("Recevoir « Cette semaine dans le réseau » : au plus un courriel "
                             "par semaine, seulement s'il y a du nouveau"))


@bp.route("/mon-profil/alertes", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    form = AlertsForm(obj=db.session.get(AlertSettings, current_user.id))  # None: all off
    if form.validate_on_submit():
        alerts.choose(current_user, bool(form.match_alerts.data), bool(form.weekly.data))
        db.session.commit()
        flash(_("Vos alertes sont enregistrées."), "success")
        return redirect(url_for("exchange.settings"))
    return render_template("node/exchange/alerts.html", form=form)


@bp.route("/alertes/desabonnement/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET shows a button (a mail scanner following links must not unsubscribe anyone);
    POST, from that button or from the mail client (``List-Unsubscribe-Post``), does it.
    The signed token is the proof: no sign-in, no CSRF token (exempted in create_app)."""
    if request.method == "GET":
        return render_template("node/exchange/unsubscribe.html", token=token, done=None)
    done = alerts.unsubscribe(token)
    db.session.commit()
    return render_template("node/exchange/unsubscribe.html", token=token,
                           done=done[1] if done else ""), (200 if done else 404)


@bp.get("/annonces/prolonger/<token>")
def renew_listing(token: str) -> ResponseReturnValue:
    """The one click of the reminder mail: no sign-in (the signed link is the proof), and
    renewing twice only moves the date again."""
    listing = listing_for_renew_token(token)
    if listing is None:
        return render_template("node/members/listing_renewed.html", listing=None), 404
    renew(listing)
    db.session.commit()
    return render_template("node/members/listing_renewed.html", listing=listing)


@bp.get("/annonces/fiche")
@login_required
def sheet() -> ResponseReturnValue:
    """The printable sheet for the next rencontre: current offers, needs and questions of
    this village, then one page per other village from the network copy (A4, print style)."""
    return render_template("node/exchange/sheet.html",
                           villages=printable_sheet(Viewer.for_account(current_user)),
                           kinds=LISTING_KIND_LABELS, commune_name=commune_name)


class ReplyForm(Form):
    body = TextAreaField(_l("Votre message"), validators=[Length(max=4000)])


@bp.route("/annonces/<listing_uuid>/repondre", methods=["GET", "POST"])
@login_required
def reply(listing_uuid: str) -> ResponseReturnValue:
    """Write to a listing's author; neither address is shown."""
    listing = db.session.scalars(select(Listing).where(Listing.uuid == listing_uuid)).first()
    me = current_member()
    if listing is None or not replies.may_reply(listing, me):
        abort(404)
    form = ReplyForm()
    if form.validate_on_submit():
        if replies.send(listing, me, form.body.data or "") is not None:
            db.session.commit()
            flash(_("Message envoyé. Son auteur vous répondra par le site ; vos adresses "
                    "restent cachées jusque-là."), "success")
            return redirect(url_for("members.listings"))
        form.body.errors = [_("Écrivez votre message (4000 caractères au plus).")]
    return render_template("node/exchange/reply.html", listing=listing, form=form), (
        422 if form.errors else 200)


@bp.route("/messages/<reply_uuid>", methods=["GET", "POST"])
@login_required
def message(reply_uuid: str) -> ResponseReturnValue:
    """The author reads a message about their listing and answers it (once); the sender
    reads the thread. Once answered, each may say they worked together."""
    found = replies.find(reply_uuid)
    me = current_member()
    if found is None or me.id not in (found.listing.member_id, found.sender_id):
        abort(404)
    author = found.listing.member_id == me.id
    form = ReplyForm()
    if request.method == "POST" and not author:
        abort(403)
    if form.validate_on_submit():
        if replies.answer(found, form.body.data or ""):
            db.session.commit()
            flash(_("Réponse envoyée, avec votre adresse."), "success")
            return redirect(url_for("exchange.message", reply_uuid=found.uuid))
        form.body.errors = [_("Écrivez votre message (4000 caractères au plus).")]
    conversation = cooperation.of_reply(found)
    said = cooperation.state(conversation, cooperation.party(me)) if conversation else None
    return render_template("node/exchange/message.html", reply=found, form=form,
                           author=author, conversation=conversation, said=said), (
        422 if form.errors else 200)
