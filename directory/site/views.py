"""Public pages: views read parameters, call a service, render. No JavaScript anywhere."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

import communes
from directory.services import (
    agenda,
    drawing,
    funders,
    network_questions,
    overview,
    params,
    search,
    village_decisions,
)
from directory.services.audience import Reach, current_audience
from directory.services.audience import network_only as network_only_part
from directory.services.contact_links import add_write_links
from directory.services.network import find_shown_peer, shown_peers
from directory.services.tables import to_csv
from directory.site import bp

STAT_TABLES = ("territories", "trades", "skills", "months")


def _page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])


def page_url(page: int) -> str:
    """This page's URL with the same filters and another page number."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    return url_for(request.endpoint or "site.home", page=page, **args)


@bp.get("/")
def home() -> str:
    territories = overview.territories()
    carte = drawing.territory_map([drawing.Territory(
        t["name"], tuple(c["code"] for c in t["communes"]),
        url_for("site.territories", _anchor=f"territoire-{t['peer'].id}"), t["members"])
        for t in territories])
    upcoming = agenda.upcoming_events(params.EventQuery(), page_size=5)
    return render_template("directory/site/home.html", territories=territories,
                           member_count=overview.member_count(), upcoming=upcoming,
                           carte=carte)


@bp.get("/annuaire")
def people() -> str:
    query, errors = params.people_query(request.args)
    results = search.search_people(query, _page_size())
    add_write_links(results.items)
    near = communes.find(query.near) if query.near else None
    return render_template("directory/site/people.html", query=query, errors=errors,
                           results=results, territories=shown_peers(),
                           near_text=near.name if near else request.args.get("near", ""),
                           near_choices=overview.near_choices())


@bp.get("/annuaire/<member_id>")
def person(member_id: str) -> str:
    """The Pays's own card of a member, linked where their village page is not public."""
    card = search.find_person(member_id)
    if card is None:
        abort(404)
    add_write_links([card])
    return render_template("directory/site/person.html", person=card)


@bp.get("/agenda")
def events() -> str:
    query, errors = params.event_query(request.args)
    results = agenda.upcoming_events(query, _page_size())
    territories = shown_peers()
    selected = next((p for p in territories if p.node_id == query.territory), None)
    return render_template("directory/site/events.html", query=query, errors=errors,
                           results=results, territories=territories, selected=selected)


@bp.get("/agenda/<event_id>")
def event(event_id: str) -> str:
    """The Pays's own card of a rencontre, linked where its village page is not public."""
    card = agenda.find_event(event_id)
    if card is None:
        abort(404)
    add_write_links([card])
    return render_template("directory/site/event.html", item=card)


def _calendar(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/agenda.ics")
def events_ics() -> Response:
    return _calendar(agenda.calendar_feed(), "agenda-pays.ics")


@bp.get("/territoires/<int:peer_id>/agenda.ics")
def territory_ics(peer_id: int) -> Response:
    peer = find_shown_peer(peer_id)
    if peer is None:
        abort(404)
    return _calendar(agenda.calendar_feed(peer.node_id, peer.label), "agenda-territoire.ics")


@bp.get("/territoires")
def territories() -> str:
    return render_template("directory/site/territories.html",
                           territories=overview.territories(),
                           stale_hours=current_app.config["STALE_AFTER_HOURS"])


@bp.get("/decisions")
def decisions() -> str:
    """« Ce que décident les villages »: what villages share of their decisions."""
    still_open, done = village_decisions.shared_decisions()
    return render_template("directory/site/decisions.html", still_open=still_open, done=done)


@bp.get("/reseau")
def network_only() -> ResponseReturnValue:
    """« Réseau »: who and what only the network's signed-in members may see."""
    audience = current_audience()
    if audience.reach is not Reach.NETWORK:
        return redirect(url_for("village_sign_in.choose", next="/reseau"))
    query = request.args.get("q", "")[:200]
    return render_template("directory/site/network.html", query=query,
                           found=network_only_part(audience, query))


@bp.get("/questions")
def questions() -> ResponseReturnValue:
    """« Questions au réseau »: for the network's signed-in members only."""
    audience = current_audience()
    if audience.reach is not Reach.NETWORK:
        return redirect(url_for("village_sign_in.choose", next="/questions"))
    return render_template("directory/site/questions.html",
                           questions=network_questions.shared_questions(audience),
                           ask_url=network_questions.ask_url())


@bp.get("/questions/<question_id>")
def question(question_id: str) -> ResponseReturnValue:
    """One question with its answers, and where the member answers it: at home."""
    audience = current_audience()
    if audience.reach is not Reach.NETWORK:
        return redirect(url_for("village_sign_in.choose", next=f"/questions/{question_id}"))
    card = network_questions.find_question(audience, question_id)
    if card is None:
        abort(404)
    return render_template("directory/site/question.html", question=card,
                           answer_url=network_questions.answer_url(card))


@bp.get("/offres-et-besoins")
def listings() -> str:
    query, errors = params.listing_query(request.args)
    results = search.search_listings(query, _page_size())
    add_write_links(results.items, listings=True)
    return render_template("directory/site/listings.html", query=query, errors=errors,
                           results=results, territories=shown_peers())


def _table_titles() -> dict[str, tuple[str, str, str]]:
    return {
        "territories": (_("Membres par territoire"), _("Territoire"), _("Membres")),
        "trades": (_("Métiers les plus représentés"), _("Métier"), _("Membres")),
        "skills": (_("Compétences les plus citées"), _("Compétence"), _("Membres")),
        "months": (_("Rencontres par mois"), _("Mois"), _("Rencontres")),
    }


@bp.get("/statistiques")
def statistics() -> ResponseReturnValue:
    tables = overview.statistics()
    # Months read « janvier 2026 » on the page (the CSV keeps 2026-01, which sorts).
    tables["months"] = [(funders.month_name(month), n) for month, n in tables["months"]]
    titles = _table_titles()
    charts = [{"name": name, "title": titles[name][0], "columns": titles[name][1:],
               "rows": tables[name], "chart": drawing.bar_chart(tables[name])}
              for name in STAT_TABLES]
    period, errors = funders.read_period(request.args)
    figures = funders.funder_figures(period)
    by_village = [(line.name, line.participations or 0) for line in figures.villages]
    by_month = [(name, participations) for name, _, participations, _ in figures.months]
    worked = [(name, count) for name, _, _, count in figures.months]
    page = render_template(
        "directory/site/statistics.html", charts=charts, figures=figures, errors=errors,
        columns=funders.column_titles(), by_village=drawing.bar_chart(by_village),
        by_month=drawing.bar_chart(by_month), village_rows=by_village,
        cooperations_by_month=drawing.bar_chart(worked),
        month_name=funders.month_name)
    return page, 400 if errors else 200


@bp.get("/statistiques/financeurs.csv")
def funders_csv() -> ResponseReturnValue:
    """One CSV of the funders' figures: a line per village and the total."""
    period, errors = funders.read_period(request.args)
    if errors:
        abort(400)
    figures = funders.funder_figures(period)
    header = [_("Territoire"), _("Début"), _("Fin"), *funders.column_titles()]
    span = [funders.month_name(period.first_text), funders.month_name(period.last_text)]
    rows = [[line.name, *span, *("" if value is None else value for value in line.values())]
            for line in [*figures.villages, figures.total]]
    response = Response(to_csv(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="chiffres-{period.first_text}-{period.last_text}.csv"')
    return response


@bp.get("/statistiques/<name>.csv")
def statistics_csv(name: str) -> ResponseReturnValue:
    if name not in STAT_TABLES:
        abort(404)
    title, label, value = _table_titles()[name]
    body = to_csv([label, value], overview.statistics()[name])
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="statistiques-{name}.csv"'
    return response
