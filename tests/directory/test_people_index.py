"""The in-memory people index agrees with the database after every kind of write.

A random sequence of batches (new members, updates, deletions), resyncs (records forgotten),
suspensions, reinstatements and renamings runs against the directory; after each step, the
search (total, every facet, the order of a page) is compared with the same search computed
plainly from the tables. The index thresholds are lowered in one variant so that bitsets
appear, are used and go away on such small data.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from directory import create_app
from directory.extensions import db
from directory.models import MemberEntry, MemberSkill, Peer, PeerStatus
from directory.services import (
    facet_postings,
    fulltext,
    member_rows,
    people_counts,
    people_index,
    search,
)
from directory.services.aggregation import apply_batch, forget_node_records
from directory.services.bitsets import bitset, positions
from directory.services.params import PeopleQuery
from directory.services.peers import reinstate_node, suspend_node
from directory.services.search import FACET_LIMIT, _key, codes_near, search_people
from tests.directory.conftest import SPARSBACH, WESTHOUSE, directory_config, envelope, member

SAVERNE, MONSWILLER, PHALSBOURG, SPARSBACH_CODE = "67437", "67302", "57540", "67475"
TRADES = ["Menuisier", "menuisier", "Ébéniste", "Ebeniste", "Graphiste", "Potière", ""]
SKILLS = ["Menuiserie", "menuiserie", "Couture", "Mise en page", "Soudure", "Alsacien"]
PLACES = [SAVERNE, MONSWILLER, PHALSBOURG, SPARSBACH_CODE, ""]
NAMES = ["Camille Muller", "Léa Klein", "Théo Weber", "Zoé Roth", "Hugo Bauer", "Inès Jung"]
CRITERIA: list[dict[str, Any]] = [
    {}, {"q": "bois"}, {"q": "menuis"}, {"trade": "menuisier"}, {"skill": "couture"},
    {"commune": MONSWILLER}, {"near": SAVERNE, "km": 15}, {"territory": SPARSBACH},
    {"q": "bois", "near": SAVERNE, "km": 15}, {"trade": "ebeniste", "territory": WESTHOUSE},
]
PAGES = [(1, 20), (2, 3), (7, 2)]  # the last one is beyond the cached leading pages


def random_member(rng: random.Random) -> dict[str, Any]:
    return member(rng.choice(NAMES), trade=rng.choice(TRADES),
                  skills=rng.sample(SKILLS, rng.randint(0, 3)),
                  commune_code=rng.choice(PLACES),
                  bio=rng.choice(["Travail du bois.", "Ateliers.", ""]))


class Network:
    """The two nodes' live members as they shared them (uuid → version)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.live: dict[str, dict[str, int]] = {SPARSBACH: {}, WESTHOUSE: {}}
        self.suspended: set[str] = set()

    def step(self) -> None:
        rng = self.rng
        node = rng.choice([SPARSBACH, WESTHOUSE])
        action = rng.choices(["add", "update", "delete", "forget", "suspend", "rename"],
                             [5, 4, 2, 1, 1, 1])[0]
        if node in self.suspended:
            reinstate_node(node, by="test")
            self.suspended.discard(node)
        elif action == "suspend":
            suspend_node(node, by="test")
            self.suspended.add(node)
        elif action == "forget":
            forget_node_records(node)
            db.session.commit()
            self.live[node].clear()
        elif action == "rename":
            db.session.execute(update(Peer).where(Peer.node_id == node)
                               .values(name=f"Tiers-lieu {rng.randint(1, 99)}"))
            db.session.commit()
        else:
            self.batch(node, action)

    def batch(self, node: str, action: str) -> None:
        rng, live = self.rng, self.live[node]
        records = []
        if action == "add" or not live:
            for _ in range(rng.randint(1, 6)):
                record = envelope("member", random_member(rng), origin=node)
                live[record["id"]] = 1
                records.append(record)
        else:
            for uuid in rng.sample(sorted(live), min(len(live), rng.randint(1, 3))):
                live[uuid] += 1
                deleted = action == "delete"
                records.append(envelope("member", None if deleted else random_member(rng),
                                        origin=node, version=live[uuid], record_id=uuid,
                                        deleted=deleted))
                if deleted:
                    del live[uuid]
        apply_batch(node, records)


def expected(query: PeopleQuery, page_size: int) -> dict[str, Any]:
    """The search computed plainly from the tables, as SQL GROUP BYs would."""
    peers = {p.id: p for p in db.session.scalars(select(Peer))
             if p.status == PeerStatus.ADMITTED}
    shown = [m for m in db.session.scalars(select(MemberEntry)) if m.peer_id in peers]
    skills: dict[int, list[MemberSkill]] = {}
    for skill in db.session.scalars(select(MemberSkill)):
        skills.setdefault(skill.record_id, []).append(skill)
    text = fulltext.matching_record_ids(query.q)
    near = codes_near(query.near, query.km) if query.near else None

    def kept(m: MemberEntry) -> bool:
        return ((text is None or m.record_id in text)
                and (not query.trade or m.trade_key == _key(query.trade))
                and (not query.skill or any(s.skill_key == _key(query.skill)
                                            for s in skills.get(m.record_id, [])))
                and (not query.commune or m.commune_code == query.commune)
                and (not query.territory or peers[m.peer_id].node_id == query.territory)
                and (near is None or m.commune_code in near))

    found = sorted(filter(kept, shown), key=lambda m: (m.sort_key, m.record_id))
    spelled: dict[tuple[str, str], str] = {}
    for m in shown:
        if m.trade_key:
            spelled[("trade", m.trade_key)] = max(spelled.get(("trade", m.trade_key), ""),
                                                  m.trade)
        for s in skills.get(m.record_id, []):
            spelled[("skill", s.skill_key)] = max(spelled.get(("skill", s.skill_key), ""),
                                                  s.skill)

    def top(facet: str, keys: list[str]) -> list[tuple[str, int]]:
        ranked = sorted(Counter(k for k in keys if k).items(), key=lambda kv: (-kv[1], kv[0]))
        return [(spelled.get((facet, key), key), n) for key, n in ranked[:FACET_LIMIT]]

    territories = Counter(m.peer_id for m in found)
    start = (query.page - 1) * page_size
    return {
        "total": len(found),
        "trade": top("trade", [m.trade_key for m in found]),
        "skill": top("skill", [s.skill_key for m in found for s in skills.get(m.record_id, [])]),
        "commune": top("commune", [m.commune_code for m in found]),
        "territory": [(peers[p].node_id, n) for p, n in sorted(
            territories.items(), key=lambda kv: (-kv[1], peers[kv[0]].label,
                                                 peers[kv[0]].node_id))],
        "ids": [m.uuid for m in found[start:start + page_size]],
    }


def searched(query: PeopleQuery, page_size: int) -> dict[str, Any]:
    page = search_people(query, page_size)
    shown = {name: [(f.label if name in ("trade", "skill") else f.value, f.count)
                    for f in page.facets[name]] for name in page.facets}
    return {"total": page.total, **shown, "ids": [item["id"] for item in page.items]}


def check_everything() -> None:
    for criteria in CRITERIA:
        for number, size in PAGES:
            query = PeopleQuery(**criteria, page=number)
            assert searched(query, size) == expected(query, size), (criteria, number, size)


@pytest.fixture(params=["defaults", "tiny thresholds"])
def thresholds(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The real thresholds, then ones so low that this small data has bitsets, counts them
    value by value, walks the display order and turns bitsets back into sets."""
    if request.param == "tiny thresholds":
        monkeypatch.setattr(facet_postings, "DENSE", 4)
        monkeypatch.setattr(people_counts, "FEW", 0)
        monkeypatch.setattr(people_counts, "DENSITY", 2)
        monkeypatch.setattr(member_rows, "BY_ID", 2)
    yield request.param


@pytest.mark.parametrize("seed", [1, 2])
def test_index_follows_every_write(any_db_app: Flask, thresholds: str, seed: int) -> None:
    network = Network(random.Random(seed))
    for _ in range(24):
        network.step()
        check_everything()


def test_another_process_sees_the_same(any_db_app: Flask, tmp_path: Path) -> None:
    """Two apps on one database (two processes): writes through one, searches through the
    other, whose index follows from the database alone."""
    network = Network(random.Random(3))
    other = create_app(directory_config(
        tmp_path / "other", SQLALCHEMY_DATABASE_URI=any_db_app.config["SQLALCHEMY_DATABASE_URI"]))
    for _ in range(12):
        network.step()
        with other.app_context():
            check_everything()
            db.session.remove()
    with other.app_context():
        db.engine.dispose()


def test_suspended_node_leaves_the_facets_at_once(any_db_app: Flask) -> None:
    apply_batch(WESTHOUSE, [envelope("member", member("Marc", trade="Graphiste",
                                                      commune_code=PHALSBOURG), origin=WESTHOUSE)])
    apply_batch(SPARSBACH, [envelope("member", member("Jean", trade="Menuisier"))])
    everyone = PeopleQuery()
    assert {f.label for f in search_people(everyone).facets["trade"]} == {"Graphiste",
                                                                          "Menuisier"}
    suspend_node(WESTHOUSE, by="test")
    facets = search_people(everyone).facets
    assert [f.label for f in facets["trade"]] == ["Menuisier"]
    assert [f.value for f in facets["territory"]] == [SPARSBACH]
    assert facets["commune"] == []
    reinstate_node(WESTHOUSE, by="test")
    assert search_people(everyone).total == 2


def test_forgotten_records_leave_the_facets(any_db_app: Flask) -> None:
    """A resync drops a node's records; nothing else about the node changes (its cursor may
    already be empty), and the very next search no longer counts them."""
    apply_batch(SPARSBACH, [envelope("member", member("Jean", trade="Menuisier"))])
    apply_batch(WESTHOUSE, [envelope("member", member("Marc", trade="Graphiste"),
                                     origin=WESTHOUSE)])
    assert search_people(PeopleQuery()).total == 2
    forget_node_records(SPARSBACH)
    db.session.commit()
    page = search_people(PeopleQuery())
    assert page.total == 1 and [f.label for f in page.facets["trade"]] == ["Graphiste"]


def test_batches_without_change_keep_the_version(any_db_app: Flask) -> None:
    """A batch that changes nothing (an idle pull) does not make every process reload."""
    jean = envelope("member", member("Jean", trade="Menuisier"))
    apply_batch(SPARSBACH, [jean])
    version = db.session.scalar(select(Peer.search_version).where(Peer.node_id == SPARSBACH))
    apply_batch(SPARSBACH, [jean])
    assert db.session.scalar(
        select(Peer.search_version).where(Peer.node_id == SPARSBACH)) == version


@pytest.mark.parametrize("ids", [[], [0], [7, 8, 9], [1, 64, 65, 1000, 70_000], list(range(300))])
def test_bitsets_hold_exactly_their_ids(ids: list[int]) -> None:
    bits = bitset(reversed(ids))
    assert positions(bits) == sorted(ids)
    assert bits.bit_count() == len(ids)


def test_the_index_is_loaded_at_start(app: Flask) -> None:
    """``serve`` loads the index in a thread: the first visitor then finds it ready."""
    apply_batch(SPARSBACH, [envelope("member", member("Jean", trade="Menuisier"))])
    people_index.warm_in_background(app).join(30)
    index = people_index.current_index()
    assert len(index.shown.members) == 1
    assert index.postings.facets["trade"]["menuisier"].count == 1


def test_members_after_a_resync_are_new_records(any_db_app: Flask) -> None:
    """A resync drops a node's records, and the members it brings back (before any search ran
    in between) are new records: never taken for the dropped ones, even on SQLite, which
    would give the highest dropped id (and version 1) to the next record."""
    apply_batch(WESTHOUSE, [envelope("member", member("Marc", trade="Graphiste"),
                                     origin=WESTHOUSE)])
    apply_batch(SPARSBACH, [envelope("member", member("Jean", trade="Menuisier"))])
    check_everything()
    forget_node_records(SPARSBACH)
    db.session.commit()
    apply_batch(SPARSBACH, [envelope("member", member("Léa", trade="Potière"))])
    check_everything()


def test_commits_between_a_search_s_peer_read_and_its_member_reads(
        any_db_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process commits while a search runs: after the search read the peer table
    (Westhouse changed, Sparsbach not yet), Sparsbach's records are forgotten and Westhouse
    receives a new member (the next record id). The search shows nothing older than its
    peer read, and the index is right at the next search."""
    marc = envelope("member", member("Marc", trade="Graphiste"), origin=WESTHOUSE)
    apply_batch(WESTHOUSE, [marc])
    apply_batch(SPARSBACH, [envelope("member", member("Jean", trade="Menuisier"))])
    check_everything()
    apply_batch(WESTHOUSE, [{**marc, "version": 2, "payload": member("Marc", trade="Ébéniste")}])
    original = search.data_generation

    def peers_then_commits() -> tuple[people_index.PeerState, ...]:
        monkeypatch.setattr(search, "data_generation", original)
        peers = original()
        forget_node_records(SPARSBACH)
        db.session.commit()
        apply_batch(WESTHOUSE, [envelope("member", member("Léa", trade="Potière"),
                                         origin=WESTHOUSE)])
        return peers

    monkeypatch.setattr(search, "data_generation", peers_then_commits)
    trades = {f.label for f in search_people(PeopleQuery()).facets["trade"]}
    assert "Ébéniste" in trades and "Graphiste" not in trades
    check_everything()


def test_a_visitor_with_an_older_peer_read_meanwhile(
        any_db_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another visitor's search, whose peer list was read before Westhouse was suspended,
    runs in another thread while this search is under way (here: while its words are
    matched). This search counts only the nodes its own peer read shows, and no summary
    kept for that peer state holds the suspended node."""
    apply_batch(WESTHOUSE, [envelope("member", member("Marc", trade="Graphiste"),
                                     origin=WESTHOUSE)])
    apply_batch(SPARSBACH, [envelope("member", member("Jean", trade="Menuisier"))])
    before = people_index.network_state()
    suspend_node(WESTHOUSE, by="test")
    app = any_db_app
    original_generation, original_words = search.data_generation, fulltext.matching_record_ids
    failures: list[BaseException] = []

    def other_visitor() -> None:
        with app.app_context():
            try:
                search_people(PeopleQuery(trade="graphiste"))
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
            finally:
                db.session.remove()

    other = threading.Thread(target=other_visitor)

    def generation() -> tuple[people_index.PeerState, ...]:
        return before if threading.current_thread() is other else original_generation()

    def words_while_the_other_searches(query: str) -> list[int] | None:
        if other.ident is None:  # once, from this search
            other.start()
            other.join(2)  # the other visitor may have to wait for this search to finish
        return original_words(query)

    monkeypatch.setattr(search, "data_generation", generation)
    monkeypatch.setattr(fulltext, "matching_record_ids", words_while_the_other_searches)
    page = search_people(PeopleQuery())
    other.join(30)
    assert failures == []
    assert page.total == 1 and [f.value for f in page.facets["territory"]] == [SPARSBACH]
    monkeypatch.setattr(search, "data_generation", original_generation)
    check_everything()


def test_searches_in_threads_while_nodes_write(any_db_app: Flask) -> None:
    """Searches in several threads (as waitress serves them) while batches, suspensions and
    resyncs land: none fails, and the index then agrees with the tables."""
    app, network = any_db_app, Network(random.Random(4))
    network.step()
    failures: list[BaseException] = []
    stop = threading.Event()

    def visitor(seed: int) -> None:
        rng = random.Random(seed)
        with app.app_context():
            try:
                while not stop.is_set():
                    search_people(PeopleQuery(**rng.choice(CRITERIA)), 3)
                    db.session.rollback()
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=visitor, args=(seed,)) for seed in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(30):
            network.step()
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert failures == []
    check_everything()
