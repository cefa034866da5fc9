"""The directory's kept profiles never outlive a change: edits, consent and status show at once."""

from __future__ import annotations

from flask import Flask

from node.extensions import db
from node.models import AccountStatus, FieldGroup, Listing, ListingKind, Visibility
from node.services.directory_search import DirectoryQuery, search_members
from node.services.visibility import Viewer
from tests.conftest import MEMBER_EMAIL, member_by_email


def found(query: str) -> int:
    return search_members(Viewer(Visibility.COMMUNITY), DirectoryQuery(q=query)).total


def test_search_follows_every_kind_of_change(app: Flask) -> None:
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        assert found("Camille") == 1 and found("ebeniste") == 0

        member.trade = "Ébéniste"
        db.session.commit()
        assert found("ebeniste") == 1  # an edit is searchable at once

        member.listings.append(Listing(kind=ListingKind.OFFER, title="Prête une dégauchisseuse"))
        db.session.commit()
        assert found("degauchisseuse") == 1  # so is a new offer

        member.set_visibility(FieldGroup.SKILLS, Visibility.PRIVATE)
        db.session.commit()
        assert found("degauchisseuse") == 0  # consent withdrawn: no longer matched

        member.set_visibility(FieldGroup.IDENTITY, Visibility.PRIVATE)
        db.session.commit()
        assert found("Camille") == 0

        member.set_visibility(FieldGroup.IDENTITY, Visibility.COMMUNITY)
        member.account.status = AccountStatus.DISABLED
        db.session.commit()
        assert found("Camille") == 0  # a disabled account is never listed


def test_own_profile_shows_every_part_to_its_owner(app: Flask) -> None:
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        member.skills = ["marqueterie"]
        member.set_visibility(FieldGroup.SKILLS, Visibility.PRIVATE)
        db.session.commit()
        mine = Viewer(Visibility.COMMUNITY, member.id)
        assert search_members(mine, DirectoryQuery(q="marqueterie")).total == 1
        assert found("marqueterie") == 0


def test_a_commune_name_finds_the_members_who_live_there(app: Flask) -> None:
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)  # commune 67475, named nowhere in the profile
        assert member.commune_code == "67475"
        assert found("Sparsbach") >= 1 and found("sparsbach camille") == 1
        assert found("Dettwiller") == 0
