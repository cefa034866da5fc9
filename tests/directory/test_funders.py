"""Figures for the Pays's funders (issue 15, fix 10): per village and in total, for a run of
months, from the counts the villages share; charts with a text alternative; one CSV."""

from __future__ import annotations

import csv
import html
import io
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from directory.services import funders
from directory.services.aggregation import apply_batch
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope

NOW = datetime.now().astimezone()


def _occurrence(at: str, participants: int, elsewhere: int, first: int,
                returning: list[tuple[str, int]]) -> dict[str, Any]:
    return {"at": at, "participants": participants, "from_elsewhere": elsewhere,
            "first_time": first,
            "returning": [{"month": month, "count": count} for month, count in returning]}


SPARSBACH_FIGURES = {
    "members": 30,
    "joined": [{"month": "2025-12", "count": 4}, {"month": "2026-02", "count": 3},
               {"month": "2026-04", "count": 2}],
    "occurrences": [
        _occurrence("2025-12-02T17:30:00Z", 8, 1, 8, []),
        # January: 10 people, 6 of them came in December, 4 for the first time.
        _occurrence("2026-01-06T17:30:00Z", 10, 2, 4, [("2025-12", 6)]),
        # February: 9 people, 7 already came in January (counted there), 2 in December.
        _occurrence("2026-02-03T17:30:00Z", 9, 3, 0, [("2026-01", 7), ("2025-12", 2)]),
        _occurrence("2026-02-17T17:30:00Z", 0, 0, 0, []),  # held, nobody marked present
    ],
}


def seed() -> None:
    apply_batch(SPARSBACH, [envelope("community", {
        "name": "Tiers-lieu de Sparsbach", "communes": ["67475"], "figures": SPARSBACH_FIGURES})])
    apply_batch(WESTHOUSE, [envelope("community", {
        "name": "Atelier de Westhouse", "communes": ["67527"]}, origin=WESTHOUSE)])


def test_figures_per_village_and_in_total_for_a_run_of_months(app: Flask) -> None:
    seed()
    figures = funders.funder_figures(funders.Period(date(2026, 1, 1), date(2026, 2, 1)))
    by_name = {line.name: line for line in figures.villages}
    spars, west = by_name["Tiers-lieu de Sparsbach"], by_name["Atelier de Westhouse"]
    assert spars.members == 28  # 30 now, 2 joined after February
    assert spars.new_members == 3
    assert spars.rencontres == 3
    assert spars.participations == 19
    assert spars.from_elsewhere == 5
    assert spars.distinct == 10 + 2  # January's ten, and two December regulars back in Feb.
    assert west.values() == [None] * 7  # shares no figures yet: dashes, not zeros
    assert figures.total.values() == [28, 3, 3, 19, 12, 5, 0]
    assert figures.months == [("janvier 2026", 1, 10, 0), ("février 2026", 2, 9, 0)]


def test_statistics_page_has_the_period_form_charts_and_the_csv(
        app: Flask, client: FlaskClient) -> None:
    seed()
    response = client.get("/statistiques?du=2026-01&au=2026-02")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "Chiffres pour les financeurs" in page
    assert "Du début de janvier 2026 à la fin de février 2026" in page
    assert "Participants distincts" in page and "<td>12</td>" in page
    assert 'role="img"' in page  # the SVG charts...
    assert "janvier 2026 : 10 participations" in page  # ...with their text alternative
    assert "février 2026 : 9 participations" in page
    answer = client.get("/statistiques/financeurs.csv?du=2026-01&au=2026-02")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "chiffres-2026-01-2026-02.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0][:3] == ["Territoire", "Début", "Fin"]
    lines = {row[0]: row[1:] for row in rows[1:]}
    assert lines["Tiers-lieu de Sparsbach"] == ["janvier 2026", "février 2026",
                                                "28", "3", "3", "19", "12", "5", "0"]
    assert lines["Atelier de Westhouse"][2:] == [""] * 7
    assert rows[-1][0] == "Total" and rows[-1][3:] == ["28", "3", "3", "19", "12", "5", "0"]


def test_a_wrong_period_is_named_in_french_and_never_a_500(
        app: Flask, client: FlaskClient) -> None:
    seed()
    for query, message in [("du=2026-13", "Mois attendu au format AAAA-MM"),
                           ("du=2026-05&au=2026-01", "Le début de la période doit précéder"),
                           ("du=2020-01&au=2026-01", "Une période de 36 mois au plus")]:
        response = client.get(f"/statistiques?{query}")
        assert response.status_code == 400, query
        assert message in html.unescape(response.get_data(as_text=True)), query
        assert client.get(f"/statistiques/financeurs.csv?{query}").status_code == 400
    assert funders.read_period({"du": "01/2026", "au": "03/2026"})[0] == funders.Period(
        date(2026, 1, 1), date(2026, 3, 1))


def test_the_months_table_reads_french_month_names(app: Flask, client: FlaskClient) -> None:
    apply_batch(SPARSBACH, [envelope("event", {
        "title": "Atelier", "starts_at": "2026-03-10T17:30:00Z"})])
    page = html.unescape(client.get("/statistiques").get_data(as_text=True))
    months = page.split('id="months"')[1]
    assert "mars 2026 : 1 rencontres" in months and "2026-03" not in months


def test_mises_en_relation_reussies_per_village_and_per_month(
        app: Flask, client: FlaskClient) -> None:
    """Issue 13: the monthly counts each village shares (numbers only) add up per village,
    per month and in total; a table, a chart with its text, a CSV column."""
    apply_batch(WESTHOUSE, [envelope("community", {
        "name": "Atelier de Westhouse", "communes": ["67527"], "figures": {
            "members": 5, "joined": [], "occurrences": [],
            "cooperations": [{"month": "2025-12", "count": 9},
                             {"month": "2026-01", "count": 2},
                             {"month": "2026-02", "count": 3}]}},
        origin=WESTHOUSE)])
    apply_batch(SPARSBACH, [envelope("community", {
        "name": "Tiers-lieu de Sparsbach", "communes": ["67475"],
        "figures": dict(SPARSBACH_FIGURES, cooperations=[{"month": "2026-02", "count": 1}])})])
    figures = funders.funder_figures(funders.Period(date(2026, 1, 1), date(2026, 2, 1)))
    by_name = {line.name: line for line in figures.villages}
    west, spars = by_name["Atelier de Westhouse"], by_name["Tiers-lieu de Sparsbach"]
    assert west.cooperations == 5 and west.cooperations_per_month == {
        "2026-01": 2, "2026-02": 3}  # December is outside the period
    assert spars.cooperations == 1
    assert figures.total.cooperations == 6
    assert [(name, worked) for name, _, _, worked in figures.months] == [
        ("janvier 2026", 2), ("février 2026", 4)]
    page = html.unescape(client.get("/statistiques?du=2026-01&au=2026-02").get_data(
        as_text=True))
    assert "Mises en relation réussies par village et par mois" in page
    assert "février 2026 : 4 mises en relation" in page  # the chart's text alternative
    table = page.split('id="tableau-mises-en-relation"')[1].split("</table>")[0]
    assert "<th scope=\"row\">Atelier de Westhouse</th><td>2</td><td>3</td>" in table
    assert "<th scope=\"row\">Total</th><td>2</td><td>4</td>" in table
    rows = list(csv.reader(io.StringIO(client.get(
        "/statistiques/financeurs.csv?du=2026-01&au=2026-02").get_data(as_text=True))))
    assert rows[0][-1] == "Mises en relation réussies"
    lines = {row[0]: row[-1] for row in rows[1:]}
    assert lines == {"Tiers-lieu de Sparsbach": "1", "Atelier de Westhouse": "5", "Total": "6"}
