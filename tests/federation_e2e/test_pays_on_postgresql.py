"""The Pays directory as it runs in production: a real process on PostgreSQL.

The rest of the end-to-end suite runs the directory on SQLite (quick to set up). Here the same
command lines (``python -m directory init|serve|nodes admit``) run against a fresh PostgreSQL
database, a village joins and is admitted, and the two promises of « Réseau » are checked on
PostgreSQL's own full-text index: an anonymous visitor neither sees nor finds a member by a
network-only field; a member signed in with their village sees those fields, and finds on
« Réseau » the members who show themselves to the network only. (Words of a network-only
field of a member whose name is public are not searchable at all: the index holds public
parts only, see directory.services.audience.network_only.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from directory import create_app
from node.models import Admission, Visibility
from tests.federation_e2e.conftest import NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_pays_network import (
    add_member,
    admission_is,
    anonymous_pages,
    change_member,
    member_email,
    sign_in_with_village,
    stored_records,
    without_query,
)
from tests.support.postgres import fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
SPARS = "sparsbach"
HIDDEN = ("PGBIO-6120", "88 61 20 05", "PGNAME-4471", "PGTRADE-9034")


class PostgresDirectory(DirectoryProcess):
    """The directory process and its inspecting app, both on one PostgreSQL database."""

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        super().__init__(tmp_path, DATABASE_URL=database_url)
        self.database_url = database_url

    def _build_app(self) -> Flask:
        return create_app({"INSTANCE_PATH": str(self.instance), "PUBLIC_URL": self.url,
                           "LOG_LEVEL": "WARNING", "DATABASE_URL": self.database_url})


@dataclass
class Network:
    pays: PostgresDirectory
    spars: NodeProcess


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    root = tmp_path_factory.mktemp("pays-postgresql")
    with fresh_database("chaleur_e2e_pays") as url:
        pays = PostgresDirectory(root, url)
        pays.init()
        pays.start()
        spars = NodeProcess(root, SPARS)
        spars.init("Tiers-lieu de Sparsbach", "67475")
        spars.cli("federation", "join", "--directory", pays.url, "--fingerprint",
                  pays.fingerprint)
        spars.start()
        try:
            yield Network(pays, spars)
        finally:
            spars.close()
            pays.close()


def payload_of(pays: DirectoryProcess, name: str) -> dict[str, Any] | None:
    for record in stored_records(pays, SPARS).values():
        if (record["payload"] or {}).get("display_name", "").startswith(name):
            return dict(record["payload"])
    return None


def test_a_village_is_admitted_and_its_members_reach_postgresql(net: Network) -> None:
    out = net.pays.cli("nodes", "admit", SPARS, "--by", "Léa").stdout
    assert f"{SPARS} : admis" in out
    wait_for(partial(admission_is, net.spars, Admission.ADMITTED), timeout=20)
    yvette = add_member(net.spars, "Yvette Osier", trade="Vannerie", bio="PGBIO-6120 paniers",
                        phone="+33 7 88 61 20 05")
    gilles = add_member(net.spars, "Gilles PGNAME-4471", identity=Visibility.NETWORK,
                        skills=Visibility.NETWORK, trade="PGTRADE-9034")
    assert gilles
    wait_for(partial(payload_of, net.pays, "Yvette Osier"), timeout=20)
    change_member(net.spars, yvette, visibility_about=Visibility.NETWORK,
                  visibility_contact=Visibility.NETWORK)

    def network_fields_arrived() -> bool:
        stored = repr(stored_records(net.pays, SPARS))
        return all(value in stored for value in HIDDEN)

    wait_for(network_fields_arrived, timeout=20)


def _uuid_of(net: Network, first_name: str) -> str:
    return next(uuid for uuid, record in stored_records(net.pays, SPARS).items()
                if (record["payload"] or {}).get("display_name", "").startswith(first_name))


def test_anonymous_visitors_neither_see_nor_find_network_fields(net: Network) -> None:
    pages = anonymous_pages(net.pays.url, [
        "/", "/annuaire", "/offres-et-besoins", "/agenda", "/statistiques", "/api/v1/search",
        *(f"/annuaire?q={q}" for q in ("vannerie", "pgbio", "paniers", "pgname", "pgtrade",
                                        "gilles", "61 20")),
        *(f"/api/v1/search?q={q}" for q in ("vannerie", "pgbio", "paniers", "gilles"))],
        limit=120)
    leaks = {(url, value) for url, body in pages.items() for value in HIDDEN
             if value.lower() in without_query(url, body)}
    assert leaks == set()
    found = requests.get(net.pays.url + "/api/v1/search", params={"q": "vannerie"},
                         timeout=10).json()["items"]
    assert [item["display_name"] for item in found] == ["Yvette Osier"]
    assert found[0]["phone"] == "" and found[0]["bio"] == ""
    assert requests.get(net.pays.url + "/api/v1/search", params={"q": "paniers"},
                        timeout=10).json()["total"] == 0


def test_a_member_signed_in_with_their_village_sees_and_finds_them(net: Network) -> None:
    net.spars.cli("federation", "pull-network")
    browser = requests.Session()
    email = member_email(net.spars, _uuid_of(net, "Yvette"))
    assert sign_in_with_village(browser, net.pays.url, net.spars, email).status_code == 302
    found = browser.get(net.pays.url + "/api/v1/search", params={"q": "vannerie"},
                        timeout=10).json()["items"]
    assert [item["display_name"] for item in found] == ["Yvette Osier"]
    assert found[0]["phone"] == "+33 7 88 61 20 05" and "PGBIO-6120" in found[0]["bio"]
    network_page = browser.get(net.pays.url + "/reseau", params={"q": "pgtrade"}, timeout=10)
    assert network_page.status_code == 200
    assert "PGNAME-4471" in network_page.text
