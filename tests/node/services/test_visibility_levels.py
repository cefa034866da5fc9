"""The consent core at each of the four levels, for every kind of viewer, on SQLite and
PostgreSQL: what ``visible_profile`` returns and what ``network_payload`` lets out."""

from __future__ import annotations

import pytest
from flask import Flask

from node.extensions import db
from node.models import Account, AccountStatus, FieldGroup, Member, Role, Visibility
from node.services.visibility import (
    Viewer,
    can_see,
    is_listed,
    listed_condition,
    network_payload,
    visible_profile,
)
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, member_by_email
from tests.node.members.people import SIRET, create_subject, create_uniform_subject

LEVELS = list(Visibility)


def viewers() -> dict[str, Viewer]:
    """Every kind of viewer, resolved in the current app context."""
    animator = member_by_email("anim@example.org")
    subject = member_by_email("zoe@example.org")
    return {
        "anonymous": Viewer.anonymous(),
        "network": Viewer.network(),
        "member": Viewer.for_account(member_by_email(MEMBER_EMAIL).account),
        "animator": Viewer.for_account(animator.account),
        "admin": Viewer.for_account(member_by_email(ADMIN_EMAIL).account),
        "self": Viewer.for_account(subject.account),
    }


# The narrowest level each viewer may see; "self" sees everything of their own.
REACH = {"anonymous": Visibility.PUBLIC, "network": Visibility.NETWORK,
         "member": Visibility.COMMUNITY, "animator": Visibility.PRIVATE,
         "admin": Visibility.PRIVATE, "self": Visibility.PRIVATE}


def _setup(level: Visibility) -> Member:
    from node.services import accounts

    accounts.create_account("anim@example.org", "Ana Animatrice", role=Role.ANIMATOR)
    return create_uniform_subject(level)


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_is_seen_exactly_by_its_audience(any_db_app: Flask, level: Visibility) -> None:
    with any_db_app.app_context():
        subject = _setup(level)
        for name, viewer in viewers().items():
            expected = level.rank >= REACH[name].rank
            profile = visible_profile(viewer, subject)
            assert is_listed(viewer, subject) is expected, name
            if expected:
                assert profile is not None
                assert profile["display_name"] == "Zoé Ébéniste"
                assert profile["siret"] == SIRET
                assert profile["skills"] == ["marqueterie", "Vernis à l'ancienne"]
                assert profile["contact_email"] == "contact@zoe-mail.example"
                assert {i["title"] for i in profile["listings"]} == {
                    "Restauration de commodes", "Local de stockage"}
            else:
                assert profile is None, name


def test_mixed_levels_show_each_group_to_its_own_audience(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        from node.services import accounts

        accounts.create_account("anim@example.org", "Ana Animatrice", role=Role.ANIMATOR)
        subject = create_subject(identity=Visibility.PUBLIC, skills=Visibility.NETWORK,
                                 about=Visibility.COMMUNITY, contact=Visibility.PRIVATE)
        seen = {name: visible_profile(viewer, subject) for name, viewer in viewers().items()}
    assert set(seen["anonymous"] or {}) == {"id", "display_name", "trade", "business_name",
                                            "siret", "commune_code"}
    assert "skills" in (seen["network"] or {}) and "bio" not in (seen["network"] or {})
    assert "bio" in (seen["member"] or {}) and "phone" not in (seen["member"] or {})
    for name in ("animator", "admin", "self"):
        assert (seen[name] or {})["phone"] == "03 88 70 00 01", name


@pytest.mark.parametrize("level", LEVELS)
def test_network_payload_carries_only_network_and_public_groups(any_db_app: Flask,
                                                                 level: Visibility) -> None:
    with any_db_app.app_context():
        subject = create_uniform_subject(level)
        payload = network_payload(subject)
    if level.rank < Visibility.NETWORK.rank:
        assert payload is None
        return
    assert payload is not None
    assert payload["display_name"] == "Zoé Ébéniste"
    assert payload["contact_email"] == "contact@zoe-mail.example"
    assert "siret" not in payload and SIRET not in repr(payload)
    assert "id" not in payload


def test_network_payload_never_carries_private_or_community_groups(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        subject = create_subject(identity=Visibility.NETWORK, skills=Visibility.PUBLIC,
                                 about=Visibility.COMMUNITY, contact=Visibility.PRIVATE)
        payload = network_payload(subject) or {}
    assert payload["skills"] == ["marqueterie", "Vernis à l'ancienne"]
    text = repr(payload)
    for hidden in ("bio", "website", "languages", "contact_email", "phone", "siret"):
        assert hidden not in payload
    for marker in ("Bio-marqueur", "zoe-mail.example", "atelier-zoe", SIRET):
        assert marker not in text


def test_staff_sees_private_but_a_disabled_member_is_listed_to_nobody_else(
        any_db_app: Flask) -> None:
    with any_db_app.app_context():
        subject = create_uniform_subject(Visibility.PUBLIC)
        subject.account.status = AccountStatus.DISABLED.value
        db.session.commit()
        admin = Viewer.for_account(member_by_email(ADMIN_EMAIL).account)
        assert not is_listed(Viewer.anonymous(), subject)
        assert not is_listed(admin, subject)
        assert can_see(admin, subject, FieldGroup.CONTACT)


@pytest.mark.parametrize("level", LEVELS)
def test_listed_condition_agrees_with_is_listed(any_db_app: Flask, level: Visibility) -> None:
    """The SQL pre-filter of searches must select exactly the members ``is_listed`` accepts."""
    with any_db_app.app_context():
        _setup(level)
        for name, viewer in viewers().items():
            rows = db.session.scalars(
                db.select(Member).join(Account, Member.account_id == Account.id)
                .where(listed_condition(viewer))).all()
            everyone = db.session.scalars(db.select(Member)).all()
            assert {m.id for m in rows} == {m.id for m in everyone
                                            if is_listed(viewer, m)}, name


def test_network_payload_names_its_public_fields(any_db_app: Flask) -> None:
    """The Pays site shows anyone only what ``public`` names; a member whose identity is for
    the network only has no public field at all, whatever their other groups say."""
    from node.sharing.payloads import listing_payload

    with any_db_app.app_context():
        subject = create_subject(identity=Visibility.PUBLIC, skills=Visibility.PUBLIC,
                                 about=Visibility.NETWORK, contact=Visibility.NETWORK)
        payload = network_payload(subject) or {}
        offer = listing_payload(subject.listings[0]) or {}
        assert payload["public"] == ["display_name", "trade", "business_name",
                                     "commune_code", "skills"]
        assert payload["phone"] == "03 88 70 00 01" and offer["public"] is True
        subject.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
        db.session.commit()
        payload = network_payload(subject) or {}
        assert payload["public"] == [] and payload["display_name"] == "Zoé Ébéniste"
        assert (listing_payload(subject.listings[0]) or {})["public"] is False
