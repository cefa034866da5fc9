"""Every journey works: the demo network walked end to end, as each kind of visitor.

``./scripts/demo`` starts the Pays directory and two villages with their example data (real
processes, free loopback ports). Then, as an anonymous visitor, a member of Sparsbach, its
admin, its animator and the Pays coordinator, in French and in English, the walker follows
every link between the three sites and submits every GET form from the home pages (bounded:
:data:`MAX_PAGES` per language and visitor). It fails on any 5xx, any 4xx behind a link or
form the site showed, a page without ``lang`` (or in the wrong one), English words on a
French page, a calendar or address book that does not parse, a sign-in lost on the way, a
paginated list the example data leaves on one page, and a main page over its weight budget.

    ./scripts/test tests/journeys -s     prints pages, links and forms per visitor
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.federation_e2e.processes import ROOT
from tests.journeys.network import Account, Demo, Network
from tests.journeys.walker import SUMMARY, Report, Walker, sign_in, weigh
from tests.support.page_weight import (
    MEMBER_BUDGETS,
    PAYS_BUDGETS,
    STYLESHEET_BUDGET,
    VILLAGE_BUDGETS,
    Weight,
    over_budget,
    weight_table,
)

# The demo starts in the first test (about a minute, more on a loaded machine).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

MAX_PAGES = 200  # per visitor and language: 400 pages per visitor
LANGUAGES = ("fr", "en")
ROLES = ("anonyme", "membre de Sparsbach", "admin de Sparsbach", "animateur de Sparsbach",
         "coordination du Pays")
# Every list the sites cut into pages, as (site, path): the example data must fill a second
# page of each, so that paging is walked too. A new paged list is added here (the count of
# templates calling the pager is checked below).
PAGINATED = {("Pays", "/annuaire"), ("Pays", "/offres-et-besoins"), ("Pays", "/agenda"),
             ("Sparsbach", "/membres"), ("Sparsbach", "/admin/membres")}
# A page only a signed-in visitor opens: after the walk, the visitor must still be signed in.
SIGNED_IN_PAGE = {"/connexion": "/mon-profil", "/coordination/connexion": "/coordination/"}


def account(network: Network, role: str) -> Account | None:
    return {"membre de Sparsbach": network.member, "admin de Sparsbach": network.node_admin,
            "animateur de Sparsbach": network.animator,
            "coordination du Pays": network.coordinator}.get(role)


def walk(network: Network, role: str) -> Report:
    """The visitor's walk in each language, from the three home pages (and the page the
    sign-in leads to)."""
    report = Report(role)
    names = {origin: network.site_name(origin) for origin in network.origins}
    who = account(network, role)
    for language in LANGUAGES:
        with requests.Session() as session:
            starts = [f"{origin}/" for origin in network.origins]
            if who is not None:
                session.headers["Accept-Language"] = language
                starts.insert(0, sign_in(session, who.site, who.login_path, who.email,
                                         who.password))
            Walker(session, network.origins, names, language, report, MAX_PAGES).walk(starts)
            if who is not None:
                page = who.site + SIGNED_IN_PAGE[who.login_path]
                answer = session.get(page, timeout=30)
                if answer.status_code != 200 or "connexion" in urlsplit(answer.url).path:
                    report.problems.append(f"[{language}] signed out during the walk: "
                                           f"{page} answers {answer.status_code} {answer.url}")
    return report


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    demo = Demo(tmp_path_factory.mktemp("journeys"))
    try:
        yield demo.start()
    finally:
        demo.stop()


@pytest.fixture(scope="module")
def walks(network: Network) -> dict[str, Report]:
    """Every visitor's walk, once for the module (each test below reads its part)."""
    reports = {role: walk(network, role) for role in ROLES}
    SUMMARY.extend(report.line() for report in reports.values())
    return reports


@pytest.mark.parametrize("role", ROLES)
def test_every_link_and_form_works(walks: dict[str, Report], role: str) -> None:
    report = walks[role]
    assert report.pages > 50, f"{role}: only {report.pages} pages walked"
    assert report.forms_submitted > 0 and report.feeds_parsed > 0, report.line()
    assert report.problems == [], "\n".join(report.problems[:40])


def test_every_paginated_list_reaches_its_second_page(walks: dict[str, Report]) -> None:
    reached = set().union(*(report.second_pages for report in walks.values()))
    paged = set().union(*(report.paginated for report in walks.values()))
    assert PAGINATED - reached == set(), f"lists left on one page: {PAGINATED - reached}"
    assert paged <= PAGINATED, f"paged lists missing from PAGINATED: {paged - PAGINATED}"


def test_every_paged_list_is_declared() -> None:
    """The walk proves paging only for the lists it knows: each template calling the pager
    is one of them."""
    calls = [path for folder in ("node", "directory", "webui")
             for path in (ROOT / folder).rglob("*.html")
             if re.search(r"\{\{\s*pager\(", path.read_text(encoding="utf-8"))]
    assert len(calls) == len(PAGINATED), [str(Path(p).relative_to(ROOT)) for p in calls]


def test_main_pages_stay_within_their_weight_budget(network: Network) -> None:
    table: list[Weight] = []
    with requests.Session() as anonymous:
        over = over_budget("Pays", lambda url: weigh(anonymous, network.pays + url),
                           PAYS_BUDGETS, table)
        over += over_budget("Sparsbach", lambda url: weigh(anonymous, network.sparsbach + url),
                            VILLAGE_BUDGETS, table)
        css = re.search(r'href="(/ui/static/chaleur\.css[^"]*)"',
                        anonymous.get(network.pays + "/", timeout=30).text)
        assert css, "no stylesheet on the Pays home page"
        over += over_budget("Pays", lambda url: weigh(anonymous, network.pays + url),
                            {css.group(1): STYLESHEET_BUDGET}, table)
    with requests.Session() as member:
        who = network.member
        sign_in(member, who.site, who.login_path, who.email, who.password)
        over += over_budget("Sparsbach (membre)",
                            lambda url: weigh(member, network.sparsbach + url),
                            MEMBER_BUDGETS, table)
    SUMMARY.extend(weight_table(table).splitlines())
    assert over == []
