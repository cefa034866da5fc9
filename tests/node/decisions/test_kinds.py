"""Every kind of decision, through the services a page calls: answer, change, results."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask

from node.extensions import db
from node.models import DecisionKind, DecisionState, Event, Notice
from node.services import decision_answers
from node.services.decision_closing import close, make_rencontre, results_of
from node.services.decisions import DecisionError, Slot
from tests.node.decisions.conftest import local_in, opened, voters


def answer(decision, member, values, reason=""):  # type: ignore[no-untyped-def]
    by_position = {option.position: option.id for option in decision.current_options}
    decision_answers.answer(decision, member,
                            {by_position[p]: str(v) for p, v in values.items()}, reason)
    db.session.commit()


def test_dates_poll_finds_the_best_slot_and_becomes_a_rencontre(ctx: Flask) -> None:
    base = local_in(24 * 10).replace(hour=18, minute=30)
    slots = [Slot(base.replace(day=base.day), base.replace(hour=20)),
             Slot(datetime(base.year, base.month, base.day, 9, 0),
                  datetime(base.year, base.month, base.day, 11, 0))]
    poll = opened(DecisionKind.DATES, slots=slots)
    people = voters()
    # slot 1 (the 9:00 one, earlier) : 2 yes; slot 2 (18:30) : 2 yes + 1 if need be
    answer(poll, people[0], {1: 2, 2: 2})
    answer(poll, people[1], {1: 2, 2: 1})
    answer(poll, people[2], {1: 0, 2: 2})
    answer(poll, people[2], {1: 1, 2: 2})  # changed: only the latest counts
    results = results_of(poll)
    yes = {row.position: (row.score, row.second) for row in results.options}
    assert yes == {1: (2, 1), 2: (2, 1)}
    assert len(results.best) == 2  # Framadate marks both: as many « oui »
    event = make_rencontre(poll, people[0].account)
    db.session.commit()
    assert event.starts_at == poll.options[0].starts_at  # tie -> the earliest slot
    assert poll.state == DecisionState.CLOSED and poll.chosen_event_id == event.id
    told = db.session.scalars(db.select(Notice).where(Notice.kind == "dates_rencontre")).all()
    assert {n.account_id for n in told} == {p.account_id for p in people[:3]}
    with pytest.raises(DecisionError):
        make_rencontre(poll, people[0].account)
    assert db.session.scalars(db.select(Event)).all() == [event]


def test_judgment_ranks_by_majority_grade(ctx: Flask) -> None:
    vote = opened(DecisionKind.JUDGMENT, options=["Jardin partagé", "Fournil", "Atelier vélo"])
    people = voters()
    grades = [{1: 4, 2: 5, 3: 1}, {1: 4, 2: 2, 3: 1}, {1: 3, 2: 6, 3: 0},
              {1: 4, 2: 1, 3: 2}, {1: 5, 2: 3, 3: 0}]
    for member, given in zip(people, grades, strict=True):
        answer(vote, member, given)
    results = results_of(vote)
    winner = results.winner()
    assert winner is not None and winner.label == "Jardin partagé"
    assert winner.gauge is not None and winner.gauge.grade == 4  # « Bien »
    with pytest.raises(DecisionError):  # every option must be graded
        answer(vote, people[0], {1: 4, 2: 5})


def test_points_respect_the_budget(ctx: Flask) -> None:
    vote = opened(DecisionKind.POINTS, options=["Site web", "Salon des métiers"],
                  points_budget=10)
    people = voters()
    answer(vote, people[0], {1: 7, 2: 3})
    answer(vote, people[1], {2: 10})
    with pytest.raises(DecisionError):
        answer(vote, people[2], {1: 8, 2: 3})
    db.session.rollback()
    ranked = results_of(vote).ranked()
    assert [(row.label, row.score) for row in ranked] == [("Salon des métiers", 13),
                                                          ("Site web", 7)]


def test_open_question_collects_ideas_and_supports(ctx: Flask) -> None:
    question = opened(DecisionKind.QUESTION, title="Comment accueillir les nouveaux ?")
    people = voters()
    first = decision_answers.add_idea(question, people[1], "Un parrain ou une marraine")
    decision_answers.add_idea(question, people[2], "Un café d'accueil")
    db.session.commit()
    with pytest.raises(DecisionError):
        decision_answers.add_idea(question, people[3], "un parrain ou une MARRAINE")
    assert first.proposed_by_id == people[1].id
    answer(question, people[0], {1: 1, 2: 1})
    answer(question, people[3], {1: 1})
    assert [(row.label, row.score) for row in results_of(question).ranked()] == [
        ("Un parrain ou une marraine", 2), ("Un café d'accueil", 1)]


def test_only_those_invited_may_answer_and_only_while_open(ctx: Flask) -> None:
    vote = opened(DecisionKind.QUESTION, options=["Oui"])
    close(vote)
    db.session.commit()
    with pytest.raises(DecisionError):
        answer(vote, voters()[0], {1: 1})
