"""« Questions au réseau » of other villages on the Réseau page: read one, answer it.

The question is read from the network copy; the answer leaves as a signed notice to the
asker's village (:mod:`node.services.network_questions`) and comes back, with the question,
in a later copy. Until then its author sees it here at once, marked as waiting for the
asker's village. Only this village's own members answer here: their node speaks for them.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import TextAreaField
from wtforms.validators import Length

from node.extensions import db
from node.members.views import current_member
from node.peering import network_bp
from node.services import network_questions, questions
from node.services.villages import own_node_id
from webui.forms import Form


class NetworkAnswerForm(Form):
    body = TextAreaField(_l("Votre réponse"), validators=[Length(max=questions.MAX_TEXT)])


@network_bp.route("/reseau/questions/<question_uuid>", methods=["GET", "POST"])
@login_required
def question(question_uuid: str) -> ResponseReturnValue:
    """Another village's question, its answers, and the form to answer it from here."""
    if questions.find(question_uuid) is not None and own_node_id():
        return redirect(url_for("exchange.question", question_uuid=question_uuid))
    found = network_questions.find(question_uuid)
    if found is None:
        abort(404)
    form = NetworkAnswerForm()
    if form.validate_on_submit():
        body = network_questions.clean_answer(form.body.data or "")
        if not found.is_open:
            form.body.errors = [_("Cette question est résolue : elle ne prend plus de "
                                  "réponses.")]
        elif body is None:
            form.body.errors = [_("Écrivez votre réponse (4000 caractères au plus).")]
        else:
            network_questions.send_answer(found, current_member(), body)
            db.session.commit()
            flash(_("Réponse envoyée au village « %(name)s ». Elle s'affiche ici en "
                    "attente, puis avec les autres dès que le réseau la montre.",
                    name=found.village_name), "success")
            return redirect(url_for("network.question", question_uuid=found.id))
    return render_template("node/network/question.html", question=found, form=form,
                           sent=network_questions.sent_answers(found, current_member()),
                           village_name=network_questions.village_name,
                           day=network_questions.day), (
        422 if form.errors else 200)


@network_bp.post("/reseau/questions/<question_uuid>/reponses/<answer_uuid>/signaler")
@login_required
def report(question_uuid: str, answer_uuid: str) -> ResponseReturnValue:
    """Report an answer to the staff of the asker's village (their node hides it)."""
    found = network_questions.find(question_uuid)
    if found is None or not network_questions.send_report(found, answer_uuid[:36],
                                                          current_member()):
        abort(404)
    db.session.commit()
    flash(_("Merci : l'équipe du village « %(name)s » est prévenue.", name=found.village_name),
          "success")
    return redirect(url_for("network.question", question_uuid=found.id))
