"""Decisions on one node: members to answer, a helper to open decisions, a clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from node.extensions import db
from node.models import Member, utcnow
from node.services import accounts, calendar
from node.services.decisions import DecisionInput, open_decision
from tests.conftest import MEMBER_EMAIL, PASSWORD, member_by_email

VOTERS = ("Basile Votant", "Chloé Votante", "Dorian Votant", "Émilie Votante")


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """The seeded node with four more members, inside a request context."""
    with app.test_request_context():
        for name in VOTERS:
            email = name.split()[0].lower().replace("é", "e") + "@example.org"
            accounts.create_account(email, name, PASSWORD, commune_code="67475")
        db.session.commit()
        yield app


def voters() -> list[Member]:
    names = [member_by_email(MEMBER_EMAIL)]
    names += list(db.session.scalars(db.select(Member).where(
        Member.display_name.in_(VOTERS)).order_by(Member.display_name)))
    return names


def local_in(hours: float) -> datetime:
    """A Paris wall-clock time ``hours`` from now (what a form would send)."""
    return calendar.to_local(utcnow() + timedelta(hours=hours)).replace(
        tzinfo=None, second=0, microsecond=0)


def opened(kind: str, *, options: list[str] | None = None, **fields: Any) -> Any:
    author = fields.pop("author", None) or voters()[0]
    data = DecisionInput(kind=kind, title=fields.pop("title", f"Décision {kind}"),
                         closes_local=fields.pop("closes_local", local_in(72)),
                         options=options or [], **fields)
    decision = open_decision(data, author)
    db.session.commit()
    return decision
