"""Scheduled work of a node, step by step: plan the reminders of actions and mandates.

The round itself (close what is due, plan reminders, expire listings, plan alerts, send the
notices owed) is the worker's, in :mod:`node.due_work`: it commits after each step. The steps
here only flush. State lives in the database: every step is planned once
(``*_planned_at`` columns, unique notices), so a restart at any moment neither loses a step
nor repeats a mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from node.extensions import db
from node.models import Account, AccountStatus, Role
from node.services import calendar, meetings, notices, self_governance


def _staff() -> list[Account]:
    return list(db.session.scalars(select(Account).where(
        Account.status == AccountStatus.ACTIVE,
        Account.role.in_([Role.ADMIN.value, Role.ANIMATOR.value]))))


def plan_actions(now: datetime) -> int:
    today = calendar.to_local(now).date()
    days = int(current_app.config["ACTION_REMINDER_DAYS"])
    planned = 0
    for action in meetings.actions_due(today, timedelta(days=days)):
        action.reminder_planned_at = now
        if action.owner is not None and action.owner.account is not None:
            planned += notices.plan("action_reminder", f"action:{action.id}",
                                    [action.owner.account], due_at=now)
    return planned


def plan_mandates(now: datetime) -> int:
    today = calendar.to_local(now).date()
    days = int(current_app.config["MANDATE_REMINDER_DAYS"])
    planned = 0
    for mandate in self_governance.mandates_ending(today, timedelta(days=days)):
        mandate.reminder_planned_at = now
        people = _staff()
        if mandate.member is not None and mandate.member.account is not None:
            people.append(mandate.member.account)
        planned += notices.plan("mandate_ending", f"mandate:{mandate.id}", people, due_at=now)
    return planned
