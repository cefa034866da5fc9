"""Page-weight budgets and how a list of pages is weighed against them.

Shared by ``tests/webui/test_page_weight.py`` (in-process apps) and the journeys suite (the
demo network, over real HTTP): each gives a ``weigh(url) -> (bytes on the wire, bytes once
decompressed)`` of its own.
"""

from __future__ import annotations

from collections.abc import Callable

KB = 1000
# Transferred bytes, compressed as the browser asked. The Pays home page carries the map
# inline (SVG of the communes around the villages): 60 KB is what a phone on a weak rural
# line fetches in a few seconds.
PAYS_BUDGETS = {"/": 60 * KB, "/annuaire": 20 * KB, "/agenda": 10 * KB,
                "/territoires": 10 * KB, "/offres-et-besoins": 20 * KB,
                "/statistiques": 20 * KB, "/agenda.ics": 10 * KB}
VILLAGE_BUDGETS = {"/": 10 * KB, "/rencontres": 10 * KB, "/rencontres.ics": 10 * KB,
                   "/connexion": 10 * KB, "/adhesion": 10 * KB}
MEMBER_BUDGETS = {"/membres": 15 * KB, "/mon-profil": 15 * KB, "/reseau": 10 * KB}
STYLESHEET_BUDGET = 5 * KB

Weight = tuple[str, int, int, int]  # (site and page, plain bytes, wire bytes, budget)


def over_budget(site: str, weigh: Callable[[str], tuple[int, int]],
                budgets: dict[str, int], table: list[Weight]) -> list[str]:
    """Weigh each page, add it to ``table``, and say which pages exceed their budget."""
    over = []
    for url, budget in budgets.items():
        wire, plain = weigh(url)
        table.append((f"{site} {url}", plain, wire, budget))
        if wire > budget:
            over.append(f"{site} {url}: {wire / KB:.1f} KB > {budget / KB:.0f} KB")
    return over


def weight_table(table: list[Weight]) -> str:
    lines = [f"{'page':40} {'page KB':>8} {'sent KB':>8} {'budget':>7}"]
    lines += [f"{name[:40]:40} {plain / KB:8.1f} {wire / KB:8.1f} {budget / KB:7.0f}"
              for name, plain, wire, budget in table]
    return "\n".join(lines)
