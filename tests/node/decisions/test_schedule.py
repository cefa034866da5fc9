"""Scheduled work: the reminder before the close goes to those who have not answered, the
result goes to everyone at the close, each exactly once, across restarts (real SMTP)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from node import create_app, due_work
from node.extensions import db
from node.models import Action, DecisionKind, DecisionState, Notice, utcnow
from node.services import decision_answers, meetings
from node.services.decision_closing import plan_reminders
from tests.conftest import node_config
from tests.node.decisions.conftest import local_in, opened, voters
from tests.support.smtp import Mailbox, smtp_server


def test_reminder_then_result_each_sent_once(ctx: Flask, mailbox: Mailbox) -> None:
    vote = opened(DecisionKind.QUESTION, options=["Un café d'accueil"], closes_local=local_in(5))
    people = voters()
    decision_answers.answer(vote, people[0], {vote.options[0].id: "1"})
    db.session.commit()
    done = due_work.run_due_work()  # closes within 24 h: remind those who have not answered
    assert done.reminders == 5  # the admin and four members; people[0] answered
    reminded = mailbox.wait_for(5)
    assert all("À vous de répondre" in m["Subject"] for m in reminded)
    assert people[0].account.email not in {m["To"] for m in reminded}
    assert due_work.run_due_work().sent == 0  # nothing twice
    later = utcnow() + timedelta(hours=6)
    done = due_work.run_due_work(later)
    assert done.closed == 1 and vote.state == DecisionState.CLOSED
    results = mailbox.wait_for(11)[5:]
    assert len(results) == 6 and all("Résultat" in m["Subject"] for m in results)
    body = results[0].get_content()
    assert "Un café d'accueil" in body and "/decisions/" + vote.uuid in body
    assert due_work.run_due_work(later).sent == 0
    assert len(mailbox.messages) == 11


def test_a_restart_neither_loses_nor_repeats_a_notice(tmp_path: Path, app: Flask) -> None:
    """A worker killed after claiming a notice but before SMTP answered does not send it
    again; what it had not claimed is sent by the next process on the same database."""
    with app.test_request_context():
        opened(DecisionKind.QUESTION, options=["Oui"], closes_local=local_in(2))
        plan_reminders(utcnow(), 24)
        db.session.commit()
        notices = db.session.scalars(db.select(Notice).order_by(Notice.id)).all()
        claimed_id = notices[0].id
        notices[0].claimed_at = utcnow()  # the killed worker had claimed this one
        db.session.commit()
        planned = len(notices)
    restarted = create_app(node_config(tmp_path))  # a new process on the same instance
    with smtp_server() as (box, port):
        restarted.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        with restarted.test_request_context():
            assert due_work.run_due_work().sent == planned - 1
            assert due_work.run_due_work().sent == 0
            rows = db.session.scalars(db.select(Notice)).all()
            assert [n.id for n in rows if n.sent_at is None] == [claimed_id]
            db.engine.dispose()
        assert len(box.wait_for(planned - 1)) == planned - 1


def test_action_owner_is_reminded_before_the_due_date(ctx: Flask, mailbox: Mailbox) -> None:
    owner = voters()[2]
    soon = (utcnow() + timedelta(days=1)).date()
    meetings.add_action(meetings.ActionInput("Réserver la salle", owner, soon))
    meetings.add_action(meetings.ActionInput("Plus tard", owner, soon + timedelta(days=30)))
    db.session.commit()
    assert due_work.run_due_work().actions == 1
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == owner.account.email and "Réserver la salle" in mail["Subject"]
    assert due_work.run_due_work().actions == 0
    assert db.session.scalars(db.select(Action).where(
        Action.reminder_planned_at.is_not(None))).one().title == "Réserver la salle"
