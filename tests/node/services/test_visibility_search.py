"""Directory search through the consent rules, on SQLite and PostgreSQL: accent-insensitive,
and never matching a field the viewer may not see (a search must not reveal hidden data)."""

from __future__ import annotations

import pytest
from flask import Flask

from node.extensions import db
from node.models import AccountStatus, Visibility
from node.services import directory_search
from node.services.directory_search import DirectoryQuery, search_members, skill_facets
from node.services.directory_search import listed_profiles as listed
from node.services.visibility import Viewer
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, member_by_email
from tests.node.members.people import create_person, create_subject


def names(viewer: Viewer, **query: str) -> list[str]:
    found = search_members(viewer, DirectoryQuery(**query))
    return [p["display_name"] for p in found.profiles]


def member_viewer() -> Viewer:
    return Viewer.for_account(member_by_email(MEMBER_EMAIL).account)


def admin_viewer() -> Viewer:
    return Viewer.for_account(member_by_email(ADMIN_EMAIL).account)


def test_search_is_accent_and_case_insensitive_on_both_sides(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        create_subject(*[Visibility.COMMUNITY] * 4)
        create_person("eloi@example.org", "Éloi Forgeron", trade="Ferronnier d'art",
                      level=Visibility.COMMUNITY, skills=["soudure"])
        viewer = member_viewer()
        assert names(viewer, q="ebeniste") == ["Zoé Ébéniste"]
        assert names(viewer, q="ÉBÉNISTE zoe") == ["Zoé Ébéniste"]
        assert names(viewer, q="eloi") == ["Éloi Forgeron"]
        assert names(viewer, q="vernis a l'ancienne") == ["Zoé Ébéniste"]  # a skill
        assert names(viewer, q="commodes") == ["Zoé Ébéniste"]  # an offer's title
        assert names(viewer, q="copeau") == ["Zoé Ébéniste"]  # the business name
        assert names(viewer, q="ebeniste soudure") == []  # every word must match
        assert names(viewer, skill="MARQUETERIE") == ["Zoé Ébéniste"]
        assert names(viewer, commune="67527") == ["Zoé Ébéniste"]
        assert names(viewer, commune="67475", q="zoe") == []


@pytest.mark.parametrize("skills_level", list(Visibility))
def test_hidden_skills_cannot_be_found_by_searching_for_them(any_db_app: Flask,
                                                             skills_level: Visibility) -> None:
    with any_db_app.app_context():
        create_subject(identity=Visibility.PUBLIC, skills=skills_level,
                       about=Visibility.PRIVATE, contact=Visibility.PRIVATE)
        viewers = {"anonymous": Viewer.anonymous(), "member": member_viewer(),
                   "admin": admin_viewer()}
        reach = {"anonymous": Visibility.PUBLIC, "member": Visibility.COMMUNITY,
                 "admin": Visibility.PRIVATE}
        for name, viewer in viewers.items():
            may_see = skills_level.rank >= reach[name].rank
            expected = ["Zoé Ébéniste"] if may_see else []
            assert names(viewer, q="marqueterie") == expected, name
            assert names(viewer, skill="marqueterie") == expected, name
            assert names(viewer, q="commodes") == expected, name
            facets = [skill for skill, _count in skill_facets(listed(viewer))]
            assert ("marqueterie" in facets) is may_see, name
            # Identity is public, so a name search always finds her.
            assert names(viewer, q="zoe") == ["Zoé Ébéniste"], name


def test_hidden_bio_and_contact_are_not_searchable(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        create_subject(*[Visibility.COMMUNITY] * 2, Visibility.PRIVATE, Visibility.PRIVATE)
        assert names(member_viewer(), q="meubles") == []  # word of the private bio
        assert names(member_viewer(), q="zoe-mail") == []
        assert names(admin_viewer(), q="meubles") == []  # bio is not a search field at all


@pytest.mark.parametrize("level", list(Visibility))
def test_identity_level_decides_who_finds_the_member_at_all(any_db_app: Flask,
                                                            level: Visibility) -> None:
    with any_db_app.app_context():
        create_subject(level, Visibility.PUBLIC, Visibility.PUBLIC, Visibility.PUBLIC)
        subject = member_by_email("zoe@example.org")
        self_viewer = Viewer.for_account(subject.account)
        assert (names(Viewer.anonymous(), q="zoe") != []) is (level == Visibility.PUBLIC)
        assert (names(member_viewer(), q="zoe") != []) is (level != Visibility.PRIVATE)
        assert names(admin_viewer(), q="zoe") == ["Zoé Ébéniste"]
        assert names(self_viewer, q="zoe") == ["Zoé Ébéniste"]


def test_disabled_members_are_not_in_the_directory(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        subject = create_subject(*[Visibility.PUBLIC] * 4)
        subject.account.status = AccountStatus.DISABLED.value
        db.session.commit()
        assert names(admin_viewer(), q="zoe") == []


def test_results_are_sorted_by_folded_name_and_paginated(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        for index, name in enumerate(["Émile", "Bruno", "anna", "Zélie", "Denis"]):
            create_person(f"p{index}@example.org", name, level=Visibility.COMMUNITY,
                          trade="Potier")
        viewer = member_viewer()
        first = search_members(viewer, DirectoryQuery(q="potier"), page=1, per_page=2)
        last = search_members(viewer, DirectoryQuery(q="potier"), page=3, per_page=2)
        beyond = search_members(viewer, DirectoryQuery(q="potier"), page=99, per_page=2)
    assert (first.total, first.pages) == (5, 3)
    assert [p["display_name"] for p in first.profiles] == ["anna", "Bruno"]
    assert [p["display_name"] for p in last.profiles] == ["Zélie"]
    assert beyond.page == 3


def test_the_directory_built_in_batches_leaves_out_and_keeps_the_same_people(
        any_db_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Built BUILD_BATCH members at a time (2 here): everyone listed past the first batch
    is there with their skills; hidden or disabled members between them stay out."""
    monkeypatch.setattr(directory_search, "BUILD_BATCH", 2)
    with any_db_app.app_context():
        for index in range(7):  # 0, 3 and 6 keep their identity to the admins
            level = Visibility.PRIVATE if index % 3 == 0 else Visibility.COMMUNITY
            create_person(f"p{index}@example.org", f"Potier {index}", level=level,
                          trade="Potier", skills=["tournage"])
        member_by_email("p4@example.org").account.status = AccountStatus.DISABLED.value
        db.session.commit()
        assert names(member_viewer(), q="potier") == ["Potier 1", "Potier 2", "Potier 5"]
        assert names(member_viewer(), skill="tournage") == ["Potier 1", "Potier 2", "Potier 5"]
        assert len(names(admin_viewer(), q="potier")) == 6
