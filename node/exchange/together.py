"""« Nous avons travaillé ensemble »: each side of a conversation says it once (POST, no
script); the list of a member's conversations that may end in a mise en relation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from node.exchange import bp
from node.extensions import db
from node.members.views import current_member
from node.models import ListingReply
from node.services import cooperation, relayed_cooperation
from node.services.cooperation import Said


@bp.get("/mises-en-relation")
@login_required
def together_list() -> ResponseReturnValue:
    return render_template("node/exchange/together.html",
                           threads=cooperation.threads_of(current_member()), Said=Said)


@bp.post("/mises-en-relation")
@login_required
def together() -> ResponseReturnValue:
    """One side's word. A conversation the member is not part of is not found (404)."""
    found = cooperation.find(request.form.get("conversation", "")[:120])
    me = cooperation.party(current_member())
    if found is None or me not in (found[0].owner, found[0].other):
        abort(404)
    conversation, about = found
    said = cooperation.confirm(conversation, me)
    relayed_cooperation.tell_elsewhere(conversation)
    db.session.commit()
    if said is Said.CONFIRMED:
        flash(_("Mise en relation réussie : vous l'avez dit tous les deux. Elle compte dans "
                "les chiffres du village (un nombre, sans nom)."), "success")
    else:
        flash(_("C'est noté. Elle comptera quand l'autre personne le dira aussi."), "success")
    if request.form.get("back") == "list":
        return redirect(url_for("exchange.together_list"))
    if isinstance(about, ListingReply):
        return redirect(url_for("exchange.message", reply_uuid=about.uuid))
    return redirect(url_for("exchange.question", question_uuid=about.question.uuid))
