"""« Supprimer mon compte » : everything goes, the last admin stays, hooks learn freed places."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func

from node.extensions import db
from node.models import (
    Account,
    AddressBookEntry,
    ApiToken,
    Event,
    Listing,
    Member,
    NetworkContact,
    Role,
    Rsvp,
    Visibility,
)
from node.services import members as member_service
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD, member_by_email
from tests.node.members.people import (
    SUBJECT_EMAIL,
    create_event_with_rsvp,
    create_person,
    create_uniform_subject,
    sign_in,
)


def count(model: type) -> int:
    return int(db.session.scalar(db.select(func.count()).select_from(model)) or 0)


@pytest.fixture
def recorded_hooks() -> Iterator[list[tuple[str, list[member_service.FreedPlace]]]]:
    calls: list[tuple[str, list[member_service.FreedPlace]]] = []

    def hook(member: Member, freed: list[member_service.FreedPlace]) -> None:
        remaining = db.session.scalars(db.select(Rsvp).where(Rsvp.member_id == member.id))
        assert list(remaining) == []  # RSVPs are already gone when hooks run
        calls.append((member.uuid, freed))

    member_service.on_member_deleted(hook)
    yield calls
    member_service._deletion_hooks.remove(hook)


def seed_subject_with_everything(app: Flask) -> tuple[str, int]:
    with app.app_context():
        subject = create_uniform_subject(Visibility.COMMUNITY)
        camille = member_by_email(MEMBER_EMAIL)
        db.session.add_all([
            AddressBookEntry(owner_id=subject.id, contact_id=camille.id, note="à rappeler"),
            AddressBookEntry(owner_id=camille.id, contact_id=subject.id, note="ébéniste"),
            ApiToken(account_id=subject.account.id, name="t", token_hash="f" * 64),
            NetworkContact(owner_id=subject.id, node_id="westhouse", village="Westhouse",
                           member_uuid="3f0c8a52-4b1e-4d7a-9c2e-5a6b7c8d9e0f",
                           profile={"display_name": "Dominique Exemple"}),
        ])
        rsvp = create_event_with_rsvp(subject, status="going")
        event_id = rsvp.event_id
        db.session.add(Event(title="Atelier", starts_at=rsvp.occurrence_at,
                             ends_at=rsvp.occurrence_at, created_by_id=subject.account.id))
        db.session.commit()
        return subject.uuid, event_id


def test_deleting_my_account_removes_every_row_about_me(
        app: Flask, recorded_hooks: list[tuple[str, list[member_service.FreedPlace]]]) -> None:
    subject_uuid, event_id = seed_subject_with_everything(app)
    client = sign_in(app, SUBJECT_EMAIL)
    page = client.get("/mon-profil/supprimer").get_data(as_text=True)
    assert "La suppression est définitive" in page
    response = client.post("/mon-profil/supprimer", data={"confirmation": SUBJECT_EMAIL.upper()})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with app.app_context():
        assert db.session.scalars(db.select(Account).where(
            Account.email == SUBJECT_EMAIL)).first() is None
        assert db.session.scalars(db.select(Member).where(
            Member.uuid == subject_uuid)).first() is None
        assert count(Listing) == 0
        assert count(AddressBookEntry) == 0
        assert count(NetworkContact) == 0
        assert count(Rsvp) == 0
        assert count(ApiToken) == 0
        assert count(Event) == 2  # events stay, without their author
        assert db.session.scalars(db.select(Event.created_by_id)).all() == [None, None]
        assert count(Member) == 2  # the admin and Camille remain
    assert len(recorded_hooks) == 1
    assert recorded_hooks[0][0] == subject_uuid
    assert [place.event_id for place in recorded_hooks[0][1]] == [event_id]
    # Signed out: the member area sends the browser to the login page.
    after = client.get("/mon-profil")
    assert after.status_code == 302 and "/connexion" in after.headers["Location"]
    with client.session_transaction() as session:
        flashes = [message for _category, message in session.get("_flashes", [])]
    assert any("supprimés" in message for message in flashes)


def test_password_confirms_too(app: Flask) -> None:
    with app.app_context():
        create_person(SUBJECT_EMAIL, "Zoé")
    client = sign_in(app, SUBJECT_EMAIL)
    assert client.post("/mon-profil/supprimer",
                       data={"confirmation": PASSWORD}).status_code == 302
    with app.app_context():
        assert count(Account) == 2


def test_wrong_confirmation_deletes_nothing(app: Flask, member_client: FlaskClient) -> None:
    response = member_client.post("/mon-profil/supprimer", data={"confirmation": "oui"})
    assert response.status_code == 422
    assert ("Ce n&#39;est ni votre adresse e-mail ni votre mot de passe."
            in response.get_data(as_text=True))
    with app.app_context():
        assert member_by_email(MEMBER_EMAIL) is not None
        assert count(Account) == 2


def test_the_last_admin_cannot_delete_themself(app: Flask, admin_client: FlaskClient) -> None:
    page = admin_client.get("/mon-profil/supprimer").get_data(as_text=True)
    assert "dernier administrateur" in page
    response = admin_client.post("/mon-profil/supprimer", data={"confirmation": ADMIN_EMAIL})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(Account).where(
            Account.email == ADMIN_EMAIL)).one().role == Role.ADMIN
    followed = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nommez d&#39;abord un autre administrateur" in followed


def test_an_admin_may_leave_when_another_admin_remains(app: Flask) -> None:
    with app.app_context():
        create_person("second@example.org", "Second Admin", role=Role.ADMIN)
    client = sign_in(app, ADMIN_EMAIL)
    assert client.post("/mon-profil/supprimer",
                       data={"confirmation": ADMIN_EMAIL}).status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(Account).where(
            Account.email == ADMIN_EMAIL)).first() is None


def test_a_failing_hook_cancels_the_whole_deletion(app: Flask) -> None:
    seed_subject_with_everything(app)

    def refuse(member: Member, freed: list[member_service.FreedPlace]) -> None:
        raise RuntimeError("federation unreachable")

    member_service.on_member_deleted(refuse)
    try:
        with app.app_context():
            with pytest.raises(RuntimeError):
                member_service.delete_member(member_by_email(SUBJECT_EMAIL))
            db.session.rollback()  # what the view's request teardown does
            assert count(Rsvp) == 1 and count(AddressBookEntry) == 2
            assert member_by_email(SUBJECT_EMAIL).listings
    finally:
        member_service._deletion_hooks.remove(refuse)


def test_delete_member_on_postgresql_too(any_db_app: Flask) -> None:
    seed_subject_with_everything(any_db_app)
    with any_db_app.app_context():
        after_commit = member_service.delete_member(member_by_email(SUBJECT_EMAIL))
        db.session.commit()
        after_commit()
        assert (count(Rsvp), count(AddressBookEntry), count(Listing), count(ApiToken)) == (
            0, 0, 0, 0)
        assert count(Member) == 2 and count(Event) == 2
