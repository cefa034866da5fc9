"""CSV exports: Excel-friendly format, formula injection neutralised, exact attendance figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import RsvpStatus
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.admin.conftest import add_event, add_member, add_venue, answer

GOING, WAITLISTED = RsvpStatus.GOING, RsvpStatus.WAITLISTED
RANGE = "start=2026-03-01&end=2026-04-30"


def parse(body: bytes) -> list[list[str]]:
    """Read an export back the way a spreadsheet would: BOM, then ';'-separated rows."""
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def utc(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def attendance(app: Flask) -> None:
    """Real rencontres and answers in March-April 2026 (Paris switches to summer time 29/03)."""
    with app.app_context():
        camille = member_by_email(MEMBER_EMAIL)
        lou = add_member("lou@example.org", "Lou Potière")
        max_ = add_member("max@example.org", "Max Menuisier")
        zoe = add_member("zoe@example.org", "Zoé Graphiste")
        grange = add_venue("Grange", capacity=20)
        cafe = add_event("Café du mardi", utc(2026, 3, 3, 17), venue=grange,
                         rrule="FREQ=WEEKLY;COUNT=6")  # 18:00 Paris, six Tuesdays
        first, after_dst = utc(2026, 3, 3, 17), utc(2026, 3, 31, 16)  # both 18:00 Paris
        answer(cafe, first, GOING, member=lou, attended=True)
        answer(cafe, first, GOING, member=max_, attended=True)
        answer(cafe, first, GOING, member=camille, attended=False)
        answer(cafe, first, GOING, guest="Invitee", attended=True)
        answer(cafe, first, WAITLISTED, member=zoe)
        answer(cafe, after_dst, GOING, member=lou, attended=True)
        answer(cafe, after_dst, GOING, guest="Voisine", attended=True)
        atelier = add_event("Atelier compta", utc(2026, 4, 15, 7), venue=grange, capacity=8)
        answer(atelier, atelier.starts_at, GOING, member=lou, attended=True)
        answer(atelier, atelier.starts_at, GOING, member=camille, attended=True)
        answer(atelier, atelier.starts_at, GOING, guest="Curieux")
        cancelled = add_event("Annulée", utc(2026, 3, 12, 17), cancelled=True)
        answer(cancelled, cancelled.starts_at, GOING, member=lou, attended=True)
        may = add_event("En mai", utc(2026, 5, 5, 17))
        answer(may, may.starts_at, GOING, member=lou, attended=True)
        db.session.commit()


@pytest.mark.usefixtures("attendance")
def test_attendance_per_occurrence(admin_client: FlaskClient) -> None:
    response = admin_client.get(f"/admin/export/presences.csv?{RANGE}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = parse(response.data)
    assert header == ["Date", "Heure", "Rencontre", "Lieu", "Capacité", "Inscrits",
                      "Liste d'attente", "Présents", "Invités présents"]
    assert [row[:3] for row in rows] == [
        ["2026-03-03", "18:00", "Café du mardi"], ["2026-03-10", "18:00", "Café du mardi"],
        ["2026-03-17", "18:00", "Café du mardi"], ["2026-03-24", "18:00", "Café du mardi"],
        ["2026-03-31", "18:00", "Café du mardi"], ["2026-04-07", "18:00", "Café du mardi"],
        ["2026-04-15", "09:00", "Atelier compta"],
    ]
    assert rows[0][3:] == ["Grange", "20", "4", "1", "3", "1"]
    assert rows[1][3:] == ["Grange", "20", "0", "0", "0", "0"]
    assert rows[4][3:] == ["Grange", "20", "2", "0", "2", "1"]
    assert rows[6][3:] == ["Grange", "8", "3", "0", "2", "0"]


@pytest.mark.usefixtures("attendance")
def test_attendance_per_month(admin_client: FlaskClient) -> None:
    response = admin_client.get(f"/admin/export/presences-par-mois.csv?{RANGE}")
    header, *rows = parse(response.data)
    assert header == ["Mois", "Rencontres", "Présences", "Membres distincts présents",
                      "Invités présents", "Mises en relation réussies"]
    assert rows == [["2026-03", "5", "5", "2", "2", "0"], ["2026-04", "2", "2", "2", "0", "0"]]


@pytest.mark.usefixtures("attendance")
def test_range_filter_includes_may_only_when_asked(admin_client: FlaskClient) -> None:
    body = admin_client.get("/admin/export/presences-par-mois.csv?start=2026-05-01"
                            "&end=2026-05-31").data
    assert parse(body)[1:] == [["2026-05", "1", "1", "1", "0", "0"]]


def test_bad_range_is_a_400(admin_client: FlaskClient) -> None:
    for query in ("start=pas-une-date", "start=2026-05-01&end=2026-04-01"):
        assert admin_client.get(f"/admin/export/presences.csv?{query}").status_code == 400
    page = admin_client.get("/admin/exports?start=2026-05-01&end=2026-04-01")
    assert page.status_code == 422
    assert 'id="end-error"' in page.get_data(as_text=True)


def test_exports_page_links_carry_the_range(admin_client: FlaskClient) -> None:
    html = admin_client.get("/admin/exports?start=2026-03-01&end=2026-04-30").get_data(
        as_text=True)
    assert "/admin/export/presences.csv?start=2026-03-01&amp;end=2026-04-30" in html
    assert "/admin/export/presences-par-mois.csv?start=2026-03-01&amp;end=2026-04-30" in html
    assert 'href="/admin/export/membres.csv"' in html


def test_members_export(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        camille = member_by_email(MEMBER_EMAIL)
        camille.trade, camille.skills, camille.phone = "Ébéniste", ["bois", "menuiserie"], \
            "03 88 00 00 00"
        db.session.commit()
    response = admin_client.get("/admin/export/membres.csv")
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = parse(response.data)
    assert header == ["Nom", "Métier", "Entreprise", "Commune", "Compétences", "E-mail",
                      "Téléphone", "Rôle", "Statut", "Inscription"]
    by_email = {row[5]: row for row in rows}
    assert set(by_email) == {"admin@example.org", MEMBER_EMAIL}
    row = by_email[MEMBER_EMAIL]
    assert row[:5] == ["Camille Testeuse", "Ébéniste", "", "Sparsbach", "bois, menuiserie"]
    # French words, not the stored English values (« member », « active »).
    assert row[6:9] == ["03 88 00 00 00", "Membre", "Actif"]
    assert by_email["admin@example.org"][7] == "Administrateur·rice"


def test_formula_injection_is_neutralised(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        camille = member_by_email(MEMBER_EMAIL)
        camille.display_name = '=HYPERLINK("http://evil.example","clic")'
        camille.trade = "+1+1"
        camille.business_name = "@SUM(A1)"
        camille.skills = ["-2+3"]
        db.session.commit()
    rows = parse(admin_client.get("/admin/export/membres.csv").data)
    row = next(r for r in rows if r[5] == MEMBER_EMAIL)
    assert row[:3] == ["'=HYPERLINK(\"http://evil.example\",\"clic\")", "'+1+1", "'@SUM(A1)"]
    assert row[4] == "'-2+3"
