"""The table itself: big enough, and every query about someone (no test passes by finding
nobody everywhere)."""

from __future__ import annotations

from tests.vocabulary.table import PEOPLE, TABLE


def test_the_table_has_at_least_forty_labelled_queries() -> None:
    assert len(TABLE) >= 40
    assert len({query for _, query, _ in TABLE}) == len(TABLE)
    names = {person.name for person in PEOPLE}
    for label, _, expected in TABLE:
        assert expected <= names, label
    assert sum(1 for *_, expected in TABLE if expected) >= 40
