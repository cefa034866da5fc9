"""Search totals and facets are cached per data generation: a repeated search is served
from the cache, and any change of the data (a batch, an update, a suspension, a resync)
shows in the very next search."""

from __future__ import annotations

from flask import Flask

from directory.extensions import db
from directory.services.aggregation import apply_batch, forget_node_records
from directory.services.params import PeopleQuery
from directory.services.peers import find_peer, suspend_node
from directory.services.search import search_people, summaries
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope, member


def trades(query: PeopleQuery) -> dict[str, int]:
    return {facet.label: facet.count for facet in search_people(query).facets["trade"]}


def test_cached_summaries_follow_every_change(any_db_app: Flask) -> None:
    jean = envelope("member", member("Jean Lehmann", trade="Menuisier"))
    apply_batch(SPARSBACH, [jean])
    apply_batch(WESTHOUSE, [envelope("member", member("Marc Fischer", trade="Graphiste"),
                                     origin=WESTHOUSE)])
    everyone = PeopleQuery()
    assert trades(everyone) == {"Menuisier": 1, "Graphiste": 1}
    assert search_people(PeopleQuery(page=2)).total == 2  # same summary, another page
    assert len(summaries.entries) >= 1

    apply_batch(SPARSBACH, [envelope("member", member("Sophie Klein", trade="Menuisière"))])
    assert search_people(everyone).total == 3

    apply_batch(SPARSBACH, [{**jean, "version": 2,
                             "payload": member("Jean Lehmann", trade="Charpentier")}])
    assert trades(everyone) == {"Charpentier": 1, "Menuisière": 1, "Graphiste": 1}

    suspend_node(WESTHOUSE, by="test")
    assert search_people(everyone).total == 2

    sparsbach = find_peer(SPARSBACH)
    assert sparsbach is not None
    sparsbach.feed_cursor = "c9"  # as after a pull
    db.session.commit()
    apply_batch(SPARSBACH, [envelope("member", member("Léa Roth", trade="Potière"))])
    assert search_people(everyone).total == 3
    forget_node_records(SPARSBACH)  # a resync (410): records dropped, cursor reset
    sparsbach.feed_cursor = ""
    db.session.commit()
    assert search_people(everyone).total == 0
