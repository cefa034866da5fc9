"""Questions au réseau, within the village: ask, answer, mark what helped, report, hide."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional

from node.auth.session import staff_required
from node.exchange import bp
from node.extensions import db
from node.members.views import current_member
from node.models import Answer, Question
from node.services import cooperation, network_questions, questions
from webui.forms import Form


class QuestionForm(Form):
    title = StringField(_l("Votre question"))
    details = TextAreaField(_l("Précisions"), validators=[Optional(), Length(max=4000)])
    audience = RadioField(_l("À qui la posez-vous ?"), choices=[
        SelectChoice("community", _l("À la communauté du village")),
        SelectChoice("network", _l("Au réseau du Pays"))], default="community",
        validate_choice=False)


class AnswerForm(Form):
    body = TextAreaField(_l("Votre réponse"), validators=[Length(max=4000)])


def _question_or_404(question_uuid: str) -> Question:
    found = questions.find(question_uuid)
    if found is None:
        abort(404)
    return found


def _answer_or_404(question: Question, answer_id: int) -> Answer:
    found = next((a for a in question.answers if a.id == answer_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/questions", methods=["GET", "POST"])
@login_required
def question_list() -> ResponseReturnValue:
    """The village's questions and the form to ask one; ``?audience=network`` (the link
    from the Pays site's « Poser une question au réseau ») chooses the network at once."""
    form = QuestionForm()
    if not form.is_submitted() and request.args.get("audience") == "network":
        form.audience.data = "network"
    if form.validate_on_submit():
        errors = questions.clean_question(form.title.data or "", form.details.data or "",
                                          form.audience.data or "")
        if not errors:
            asked = questions.ask(current_member(), form.title.data or "",
                                  form.details.data or "", form.audience.data or "")
            db.session.commit()
            flash(_("Question posée."), "success")
            return redirect(url_for("exchange.question", question_uuid=asked.uuid))
        for name, message in errors.items():
            getattr(form, name).errors = [message]
    return render_template("node/exchange/questions.html", form=form,
                           questions=questions.recent()), (422 if form.errors else 200)


@bp.route("/questions/<question_uuid>", methods=["GET", "POST"])
@login_required
def question(question_uuid: str) -> ResponseReturnValue:
    asked = _question_or_404(question_uuid)
    form = AnswerForm()
    if form.validate_on_submit():
        if questions.answer(asked, current_member(), form.body.data or "") is not None:
            db.session.commit()
            flash(_("Réponse publiée."), "success")
            return redirect(url_for("exchange.question", question_uuid=asked.uuid))
        form.body.errors = [_("Écrivez votre réponse (4000 caractères au plus).")]
    shown = [a for a in asked.answers if not a.hidden or current_user.is_staff]
    return render_template("node/exchange/question.html", question=asked, answers=shown,
                           form=form, mine=asked.member_id == current_member().id,
                           together=_together(shown),
                           village_name=network_questions.village_name), (
        422 if form.errors else 200)


def _together(shown: list[Answer]) -> dict[int, tuple[str, str]]:
    """For each answer the current member is a side of (the asker, or its author): the
    conversation key and where it stands for them (« Nous avons travaillé ensemble »)."""
    me = cooperation.party(current_member())
    found = {}
    for item in shown:
        conversation = cooperation.of_answer(item)
        if conversation is not None and me in (conversation.owner, conversation.other):
            found[item.id] = (conversation.key, cooperation.state(conversation, me).value)
    return found


@bp.post("/questions/<question_uuid>/reponses/<int:answer_id>/utile")
@login_required
def helped(question_uuid: str, answer_id: int) -> ResponseReturnValue:
    asked = _question_or_404(question_uuid)
    if not questions.mark_helped(_answer_or_404(asked, answer_id), current_member()):
        abort(403)
    db.session.commit()
    return redirect(url_for("exchange.question", question_uuid=asked.uuid))


@bp.post("/questions/<question_uuid>/reponses/<int:answer_id>/signaler")
@login_required
def report(question_uuid: str, answer_id: int) -> ResponseReturnValue:
    asked = _question_or_404(question_uuid)
    questions.report(_answer_or_404(asked, answer_id), current_member())
    db.session.commit()
    flash(_("Merci : l'équipe du village est prévenue."), "success")
    return redirect(url_for("exchange.question", question_uuid=asked.uuid))


@bp.post("/questions/<question_uuid>/resolue")
@login_required
def resolve(question_uuid: str) -> ResponseReturnValue:
    """The asker says the question is resolved (or open again)."""
    asked = _question_or_404(question_uuid)
    if not questions.resolve(asked, current_member()):
        abort(403)
    db.session.commit()
    return redirect(url_for("exchange.question", question_uuid=asked.uuid))


@bp.get("/questions/signalements")
@staff_required
def reports() -> ResponseReturnValue:
    """The staff's list of reported answers, those still shown first."""
    return render_template("node/exchange/reports.html", reported=questions.reported())


@bp.post("/questions/<question_uuid>/reponses/<int:answer_id>/masquer")
@staff_required
def hide(question_uuid: str, answer_id: int) -> ResponseReturnValue:
    asked = _question_or_404(question_uuid)
    questions.hide(_answer_or_404(asked, answer_id))
    db.session.commit()
    flash(_("Réponse masquée."), "success")
    return redirect(url_for("exchange.question", question_uuid=asked.uuid))
