"""The admin dashboard: figures computed from real rows, links to every admin page."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import AccountStatus, RsvpStatus, utcnow
from node.services import accounts
from node.services.figures import dashboard_figures
from tests.node.admin.conftest import add_event, add_member, answer


def _seed(app: Flask) -> None:
    now = utcnow()
    with app.app_context():
        accounts.create_account("attente@example.org", "Pat Attente", None,
                                status=AccountStatus.PENDING)
        accounts.create_account("refus@example.org", "Rémi Refus", None,
                                status=AccountStatus.REFUSED)
        lou = add_member("lou@example.org", "Lou Potière")
        past = add_event("Café des indépendants", now - timedelta(days=20))
        answer(past, past.starts_at, RsvpStatus.GOING, member=lou, attended=True)
        answer(past, past.starts_at, RsvpStatus.GOING, guest="Invitée", attended=True)
        answer(past, past.starts_at, RsvpStatus.GOING, guest="Absent", attended=False)
        old = add_event("Ancienne rencontre", now - timedelta(days=200))
        answer(old, old.starts_at, RsvpStatus.GOING, member=lou, attended=True)
        add_event("Atelier à venir", now + timedelta(days=3))
        add_event("Hebdo", now + timedelta(days=1), rrule="FREQ=WEEKLY;COUNT=3")
        add_event("Annulée", now + timedelta(days=2), cancelled=True)
        add_event("Trop loin", now + timedelta(days=200))
        db.session.commit()


def test_figures_count_real_rows(app: Flask) -> None:
    _seed(app)
    with app.app_context():
        figures = dashboard_figures(utcnow())
    assert figures.active_members == 3  # admin, camille, lou
    assert figures.pending_requests == 1
    assert figures.upcoming_rencontres == 4  # one single + three weekly; cancelled excluded
    assert figures.recent_attendance == 2  # the 200-day-old presence is outside 3 months


def test_dashboard_shows_figures_and_links(app: Flask, admin_client: FlaskClient) -> None:
    _seed(app)
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    numbers = re.findall(r'<p class="figure">(\d+)</p>', html)
    assert numbers == ["3", "1", "4", "2"]
    for href in ("/admin/membres", "/admin/rencontres", "/admin/lieux", "/admin/exports",
                 "/admin/import", "/admin/communaute", "/admin/communes"):
        assert f'href="{href}"' in html


def test_animator_dashboard_hides_admin_only_links(animator_client: FlaskClient) -> None:
    html = animator_client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/lieux"' in html
    assert 'href="/admin/communaute"' not in html


def test_figures_agree_in_number_with_their_label(app: Flask, client: FlaskClient) -> None:
    from tests.conftest import AuthActions

    with app.app_context():
        accounts.create_account("attente@example.org", "Pat Attente", None,
                                status=AccountStatus.PENDING)
        db.session.commit()
    AuthActions(client).login_admin()
    page = client.get("/admin/").get_data(as_text=True).replace("&#39;", "'")
    assert '<p class="figure">1</p><p>demande d\'adhésion en attente</p>' in page
    cards = re.findall(r'<p class="figure">(\d+)</p><p>([^<]+)</p>', page)
    assert len(cards) == 4
    for figure, label in cards:
        plural = label.split()[0].endswith("s")
        assert plural == (int(figure) != 1), (figure, label)  # never « 1 membres actifs »
