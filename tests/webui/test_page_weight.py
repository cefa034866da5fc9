"""Page-weight budgets: what the main pages of the Pays site and of a village cost on the wire.

The data is the demo's: two villages with the example data ``scripts/demo`` loads (40
members each, seeds 1 and 2, Sparsbach and Westhouse-Marmoutier), their shared records
applied to a Pays directory as its pulls would apply them. Each page is fetched as a
browser does (``Accept-Encoding: gzip``) and its transferred size compared with its budget.
The journeys suite checks the same budgets (tests/support/page_weight.py) on the demo network.

    ./scripts/test tests/webui/test_page_weight.py -s    prints the table of weights
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from directory.extensions import db as pays_db
from node.extensions import db
from node.models import Community, Event, FeedEntry
from node.services.example_data import load_example_data
from tests.conftest import build_node
from tests.directory.conftest import SPARSBACH, WESTHOUSE, build_directory
from tests.support.page_weight import (
    KB,
    MEMBER_BUDGETS,
    PAYS_BUDGETS,
    STYLESHEET_BUDGET,
    VILLAGE_BUDGETS,
    Weight,
    over_budget,
    weight_table,
)
from tests.support.sessions import signed_in_client

VILLAGES = ((SPARSBACH, "Tiers-lieu de Sparsbach", "67475", 1),
            (WESTHOUSE, "Tiers-lieu de Westhouse-Marmoutier", "67527", 2))
WEIGHTS: list[Weight] = []


def _village(path: Path, name: str, commune: str, seed: int) -> Flask:
    app = build_node(path)
    with app.app_context():
        community = db.session.scalars(db.select(Community)).one()
        community.name, community.communes = name, [commune]
        db.session.commit()
        load_example_data(members=40, seed=seed)
        db.session.commit()
    return app


def _shared_records(app: Flask, origin: str) -> list[dict[str, object]]:
    """What the village's feed gives the Pays, as a pull reads it."""
    with app.app_context():
        return [{**entry.envelope, "origin": origin} for entry in db.session.scalars(
            db.select(FeedEntry).order_by(FeedEntry.seq))]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    from directory.services.aggregation import apply_batch

    base = tmp_path_factory.mktemp("weight")
    # Every result on one page (80 members, 140 offers and needs): heavier than the pages
    # of twenty a visitor turns, so a list within its budget here is within it there.
    pays = build_directory(base / "pays", PAGE_SIZE=200)
    villages = {}
    for origin, name, commune, seed in VILLAGES:
        village = _village(base / commune, name, commune, seed)
        with pays.app_context():
            apply_batch(origin, _shared_records(village, origin))
        villages[origin] = village
    yield {"pays": pays, "village": villages[SPARSBACH]}
    for app, database in ((pays, pays_db), *((v, db) for v in villages.values())):
        with app.app_context():
            database.session.remove()
            database.engine.dispose()


def _weigh(client: object, url: str) -> tuple[int, int]:
    """(bytes on the wire, bytes once decompressed) of one GET, as a browser fetches it."""
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd",  # type: ignore[attr-defined]
                                        "Accept-Language": "fr"})
    assert response.status_code == 200, (url, response.status_code)
    wire = response.get_data()
    plain = gzip.decompress(wire) if response.headers.get("Content-Encoding") == "gzip" \
        else wire
    response.close()
    return len(wire), len(plain)


def _check(site: str, client: object, budgets: dict[str, int]) -> list[str]:
    return over_budget(site, lambda url: _weigh(client, url), budgets, WEIGHTS)


def test_main_pages_stay_within_their_budget(network: dict[str, Flask]) -> None:
    pays, village = network["pays"], network["village"]
    assert "Westhouse" in pays.test_client().get("/territoires").get_data(as_text=True)
    with village.app_context():
        event = db.session.scalars(db.select(Event.uuid).where(
            Event.visibility == "public")).first()
    over = _check("Pays", pays.test_client(), PAYS_BUDGETS)
    over += _check("Sparsbach", village.test_client(),
                   {**VILLAGE_BUDGETS, f"/rencontres/{event}": 10 * KB})
    over += _check("Sparsbach (membre)", signed_in_client(village, "camille@example.org"),
                   MEMBER_BUDGETS)
    over += _check("Pays", pays.test_client(), {"/ui/static/chaleur.css": STYLESHEET_BUDGET})
    print("\n" + weight_table(WEIGHTS))
    assert over == []
