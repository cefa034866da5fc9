"""The community's decisions: the list, one decision with its answer form and results, and
answering. Each view parses the request, calls one service, commits once, and redirects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from node.decisions import bp, charts
from node.decisions.forms import ConsentAmendForm, IdeaForm
from node.extensions import db
from node.models import Decision, DecisionKind, Member, RemoteTally
from node.public.forms import ConfirmForm
from node.services import ballots, calendar, consent, decision_answers, decisions
from node.services.decision_closing import results_of, results_visible
from node.services.decision_register import kind_names
from node.services.decisions import DecisionError
from node.services.notice_texts import outcome_line


def decision_or_404(decision_uuid: str) -> Decision:
    decision = decisions.find_decision(decision_uuid)
    if decision is None:
        abort(404)
    return decision


def me() -> Member | None:
    member: Member | None = current_user.member
    return member


@dataclass(frozen=True)
class Card:
    """One line of the community page, with its texts computed once."""

    uuid: str
    title: str
    kind: str
    when: str
    answers: str
    anonymous: bool
    between_villages: bool
    outcome: str


def _cards(items: list[decisions.Listed], closed: bool) -> list[Card]:
    """Kind names and dates formatted once per page, not once per decision: the page lists
    every open decision and stays fast with hundreds of them (scripts/bench-decisions)."""
    kinds = kind_names()
    days: dict[object, str] = {}
    answers: dict[int, str] = {}
    cards = []
    for item in items:
        decision = item.decision
        if decision.closes_at not in days:
            days[decision.closes_at] = calendar.describe_moment(decision.closes_at)
        if item.answers not in answers:
            answers[item.answers] = ngettext("%(num)s réponse", "%(num)s réponses",
                                             item.answers)
        cards.append(Card(decision.uuid, decision.title, kinds.get(decision.kind, ""),
                          days[decision.closes_at], answers[item.answers], decision.anonymous,
                          decision.host_node is not None,
                          outcome_line(decision) if closed else ""))
    return cards


@bp.get("/decisions/")
@login_required
def index() -> ResponseReturnValue:
    still_open, done = decisions.community_decisions()
    return render_template("node/decisions/list.html", still_open=_cards(still_open, False),
                           done=_cards(done[:50], True))


def _named_answers(decision: Decision) -> dict[int, list[tuple[str, int]]]:
    """Option id -> [(name, value)] for a named decision whose results are visible."""
    from sqlalchemy import select

    from node.models import Ballot, BallotChoice

    found: dict[int, list[tuple[str, int]]] = {}
    rows = db.session.execute(
        select(BallotChoice.option_id, BallotChoice.value, Member.display_name,
               Ballot.voter_name)
        .join(Ballot, Ballot.key == BallotChoice.ballot_key)
        .outerjoin(Member, Member.id == Ballot.member_id)
        .where(Ballot.decision_id == decision.id).order_by(Member.display_name))
    for option_id, value, name, voter_name in rows:
        found.setdefault(int(option_id), []).append((name or voter_name or "?", int(value)))
    for tally in db.session.scalars(select(RemoteTally).where(
            RemoteTally.decision_id == decision.id)):  # named answers from other villages
        for voter in tally.voters:
            for option_key, value in dict(voter.get("choices") or {}).items():
                if str(option_key).isdigit() and isinstance(value, int):
                    found.setdefault(int(option_key), []).append(
                        (f"{voter.get('name', '?')} ({tally.node_id})", value))
    return found


def _remote_objections(decision: Decision) -> list[tuple[str, str]]:
    """(village, reason) of the objections other villages sent (network consent)."""
    from sqlalchemy import select

    return [(tally.node_id, reason) for tally in db.session.scalars(
        select(RemoteTally).where(RemoteTally.decision_id == decision.id))
        for reason in tally.objections]


def page_context(decision: Decision) -> dict[str, Any]:
    """Everything the decision page shows; shared with the page re-rendered on an error."""
    member = me()
    visible = results_visible(decision)
    results = results_of(decision) if visible else None
    mine = ballots.find_ballot(decision, member) if member else None
    chart = None
    if results is not None and decision.kind == DecisionKind.JUDGMENT:
        chart = charts.merit_profiles(results.ranked())
    elif results is not None and decision.kind != DecisionKind.CONSENT:
        chart = charts.bars(results.ranked(), _("Résultats"))
    current_round = decision.options[-1].position if decision.kind == DecisionKind.CONSENT \
        and decision.options else 1
    return {
        "decision": decision, "results": results, "chart": chart,
        "mine": {c.option_id: c for c in mine.choices} if mine else {},
        "answered": member is not None and ballots.has_answered(decision, member,
                                                                current_round),
        "accepting": decisions.accepting(decision),
        "may_answer": decisions.may_take_part(decision, member),
        "may_manage": decisions.may_manage(decision, current_user),
        "is_author": member is not None and member.id == decision.author_id,
        "named": _named_answers(decision) if visible and not decision.anonymous else {},
        "objections": consent.objections(decision),
        "remote_objections": _remote_objections(decision),
        "can_adopt": consent.can_adopt(decision) if decision.kind == DecisionKind.CONSENT
        else (False, ""),
        "grade_names": charts.grade_names(), "outcome_line": outcome_line,
        "confirm": ConfirmForm(), "amend_form": ConsentAmendForm(), "idea_form": IdeaForm(),
    }


@bp.get("/decisions/<decision_uuid>")
@login_required
def show(decision_uuid: str) -> ResponseReturnValue:
    decision = decision_or_404(decision_uuid)
    return render_template("node/decisions/show.html", **page_context(decision))


def _submitted_values(decision: Decision) -> dict[int, str]:
    return {option.id: request.form.get(f"option-{option.id}", "")
            for option in decision.current_options}


@bp.post("/decisions/<decision_uuid>/reponse")
@login_required
def answer(decision_uuid: str) -> ResponseReturnValue:
    decision = decision_or_404(decision_uuid)
    member = me()
    if not ConfirmForm().validate_on_submit() or member is None:
        abort(400)
    try:
        decision_answers.answer(decision, member, _submitted_values(decision),
                                request.form.get("reason", ""))
    except DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
        context = page_context(decision)
        context["submitted"] = request.form
        return render_template("node/decisions/show.html", **context), 400
    db.session.commit()
    flash(_("Votre réponse est enregistrée. Vous pouvez la changer jusqu'à la clôture."),
          "success")
    return redirect(url_for("decisions.show", decision_uuid=decision.uuid))


@bp.post("/decisions/<decision_uuid>/idee")
@login_required
def add_idea(decision_uuid: str) -> ResponseReturnValue:
    decision = decision_or_404(decision_uuid)
    form = IdeaForm()
    member = me()
    if member is None or not form.validate_on_submit():
        flash(_("Écrivez votre idée (300 caractères au plus)."), "error")
        return redirect(url_for("decisions.show", decision_uuid=decision.uuid))
    try:
        decision_answers.add_idea(decision, member, form.idea.data or "")
    except DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Idée ajoutée."), "success")
    return redirect(url_for("decisions.show", decision_uuid=decision.uuid))
