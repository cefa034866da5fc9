"""The village node's member search answers the labelled table (tests/vocabulary/table.py):
stems, synonyms and German trade names, as the Pays directory does."""

from __future__ import annotations

import pytest

from node.services.directory_search import DirectoryQuery, search_profiles
from tests.vocabulary.table import PEOPLE, TABLE

PROFILES = [{"id": str(n), "display_name": p.name, "trade": p.trade, "skills": list(p.skills),
             "business_name": "", "listings": []} for n, p in enumerate(PEOPLE)]


@pytest.mark.parametrize(("label", "query", "expected"), TABLE,
                         ids=[label for label, _, _ in TABLE])
def test_member_search_table(label: str, query: str, expected: frozenset[str]) -> None:
    found = search_profiles(PROFILES, DirectoryQuery(q=query), per_page=100)
    assert {p["display_name"] for p in found.profiles} == expected
