"""Consent: an objection needs a reason and blocks adoption until the author amends (a new
version, stances asked again, integrations kept) or withdraws."""

from __future__ import annotations

import pytest
from flask import Flask

from node.extensions import db
from node.models import CharterVersion, DecisionKind, DecisionState, Mandate, Subject
from node.services import consent, decision_answers
from node.services.decision_closing import adopt, close
from node.services.decisions import DecisionError
from node.services.self_governance import mandate_subject
from tests.node.decisions.conftest import opened, voters

CONSENT, ABSTAIN, OBJECT = "2", "1", "0"


def stance(decision, member, value, reason=""):  # type: ignore[no-untyped-def]
    decision_answers.answer(decision, member, {decision.options[-1].id: value}, reason)
    db.session.commit()


@pytest.mark.parametrize("anonymous", [False, True])
def test_an_open_objection_blocks_adoption_until_integrated(ctx: Flask,
                                                            anonymous: bool) -> None:
    author, *others = voters()
    proposal = opened(DecisionKind.CONSENT, author=author, anonymous=anonymous,
                      description="Le local ouvre le samedi matin, clé chez Basile.")
    stance(proposal, others[0], CONSENT)
    with pytest.raises(DecisionError):  # an objection must say why
        stance(proposal, others[1], OBJECT, "   ")
    db.session.rollback()
    stance(proposal, others[1], OBJECT, "Basile part en mars : la clé doit rester au local.")
    allowed, reason = consent.can_adopt(proposal)
    assert not allowed and "objection" in reason
    with pytest.raises(DecisionError):
        adopt(proposal)
    db.session.rollback()
    assert proposal.state == DecisionState.OPEN

    [objection] = consent.open_objections(proposal)
    with pytest.raises(DecisionError):  # every open objection needs its integration
        consent.amend(proposal, author, "Le local ouvre le samedi matin, clé au coffre.", {})
    db.session.rollback()
    with pytest.raises(DecisionError):  # only the author amends
        consent.amend(proposal, others[0], "Autre texte", {objection.ref: "x"})
    db.session.rollback()
    consent.amend(proposal, author, "Le local ouvre le samedi matin, clé dans le coffre à code.",
                  {objection.ref: "La clé reste au local, dans un coffre à code."})
    db.session.commit()
    assert [option.label for option in proposal.options] == ["Version 1", "Version 2"]
    assert consent.open_objections(proposal) == []  # stances reopened on version 2
    assert not consent.can_adopt(proposal)[0]  # nobody consented to version 2 yet
    history = consent.objections(proposal)
    assert [(item.version, item.integration) for item in history] == [
        (1, "La clé reste au local, dans un coffre à code.")]

    stance(proposal, others[1], CONSENT)
    stance(proposal, others[2], ABSTAIN)
    adopt(proposal)
    db.session.commit()
    assert proposal.state == DecisionState.CLOSED and proposal.adopted is True
    assert proposal.ballot_salt is None  # sealed


def test_withdrawn_proposal_stays_on_record(ctx: Flask) -> None:
    author, other, *_ = voters()
    proposal = opened(DecisionKind.CONSENT, author=author, description="Acheter une imprimante.")
    stance(proposal, other, OBJECT, "Trop chère pour la caisse actuelle.")
    with pytest.raises(DecisionError):
        consent.withdraw(proposal, other)
    db.session.rollback()
    consent.withdraw(proposal, author)
    db.session.commit()
    assert proposal.state == DecisionState.WITHDRAWN and proposal.adopted is False


def test_close_with_an_objection_does_not_adopt(ctx: Flask) -> None:
    author, a, b, *_ = voters()
    proposal = opened(DecisionKind.CONSENT, author=author, description="Changer de jour.")
    stance(proposal, a, CONSENT)
    stance(proposal, b, OBJECT, "Le mardi est le seul jour où je peux venir.")
    close(proposal)
    db.session.commit()
    assert proposal.adopted is False


def test_charter_and_mandate_exist_only_through_adopted_consent(ctx: Flask) -> None:
    author, a, b, c, *_ = voters()
    charter = opened(DecisionKind.CONSENT, author=author, subject=Subject.CHARTER,
                     description="Nous nous entraidons et décidons par consentement.")
    stance(charter, a, CONSENT)
    adopt(charter)
    from datetime import date

    data = mandate_subject("Trésorier·ère", c, date(2027, 1, 1), date(2028, 1, 1))
    mandate = opened(DecisionKind.CONSENT, author=author, subject=Subject.MANDATE,
                     subject_data=data, description="Dorian tient la caisse un an.")
    stance(mandate, b, CONSENT)
    close(mandate)
    db.session.commit()
    [version] = db.session.scalars(db.select(CharterVersion)).all()
    assert version.number == 1 and "consentement" in version.text
    [role] = db.session.scalars(db.select(Mandate)).all()
    assert (role.role, role.member_id, role.decision_id) == ("Trésorier·ère", c.id, mandate.id)
