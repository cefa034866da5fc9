"""The Pays directory answers the labelled search table (tests/vocabulary/table.py) the same
on SQLite (FTS5) and PostgreSQL (tsvector): stems, synonyms and German trade names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from directory.services.aggregation import apply_batch
from directory.services.params import ListingQuery, PeopleQuery
from directory.services.search import search_listings, search_people
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope, member
from tests.vocabulary.table import SPARSBACH_PEOPLE, TABLE, WESTHOUSE_PEOPLE, Person


def _records(people: tuple[Person, ...], origin: str) -> list[dict[str, object]]:
    return [envelope("member", member(p.name, trade=p.trade, skills=list(p.skills)),
                     origin=origin) for p in people]


@pytest.fixture
def seeded(any_db_app: Flask) -> Iterator[Flask]:
    apply_batch(SPARSBACH, _records(SPARSBACH_PEOPLE, SPARSBACH))
    apply_batch(WESTHOUSE, _records(WESTHOUSE_PEOPLE, WESTHOUSE) + [
        envelope("listing", {"public": True,
                             "kind": "need", "title": "Cherche un expert-comptable"},
                 origin=WESTHOUSE),
        envelope("listing", {"public": True,
                             "kind": "offer", "title": "Prête un rabot de Schreiner"},
                 origin=WESTHOUSE)])
    yield any_db_app


def test_search_table(seeded: Flask) -> None:
    """Every row of the table, on this database; all differences reported at once."""
    wrong = []
    for label, query, expected in TABLE:
        found = {i["display_name"] for i in search_people(PeopleQuery(q=query), 100).items}
        if found != expected:
            wrong.append(f"{label} ({query!r}): missing {sorted(expected - found)}, "
                         f"extra {sorted(found - expected)}")
    assert wrong == []


def test_listings_understand_synonyms_too(seeded: Flask) -> None:
    def titles(q: str) -> list[str]:
        return [i["title"] for i in search_listings(ListingQuery(q=q)).items]

    assert titles("comptabilité") == ["Cherche un expert-comptable"]
    assert titles("menuisier") == ["Prête un rabot de Schreiner"]
