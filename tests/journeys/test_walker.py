"""The walker sees what it must: on a small site that breaks each rule once, every break is
reported (so a green journeys run means the rules were really checked)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from flask import Flask, Response
from werkzeug.serving import make_server

from tests.journeys.walker import Report, Walker

PAGE = '<!doctype html><html lang="fr"><body>{}</body></html>'


def broken_site() -> Flask:
    app = Flask(__name__)
    links = ["/absent", "/sans-langue", "/anglais", "/agenda.ics", "/carnet.vcf", "/panne",
             "/liste?page=2", "mailto:x@example.org", "http://ailleurs.example/"]

    @app.get("/")
    def home() -> str:
        anchors = "".join(f'<a href="{href}">lien</a>' for href in links)
        form = '<form method="get" action="/cherche"><input name="q" value="bois"></form>'
        return PAGE.format(anchors + form + '<span lang="en">EN</span>')

    @app.get("/sans-langue")
    def no_lang() -> str:
        return "<!doctype html><html><body>Bonjour</body></html>"

    @app.get("/anglais")
    def english() -> str:
        return PAGE.format('<p>Bonjour</p><button type="submit" title="Please sign in">Ok'
                           '</button>')

    @app.get("/agenda.ics")
    def calendar() -> Response:
        return Response("BEGIN:VCALENDAR\nBROKEN", mimetype="text/calendar")

    @app.get("/carnet.vcf")
    def address_book() -> Response:
        return Response("pas une carte", mimetype="text/vcard")

    @app.get("/panne")
    def failure() -> Response:
        return Response("erreur", status=500)

    @app.get("/liste")
    def listing() -> str:
        return PAGE.format('<a rel="next" href="/liste?page=3">suite</a>')

    @app.get("/cherche")
    def search() -> Response:
        return Response("introuvable", status=404)

    return app


@pytest.fixture
def site() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, broken_site(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_every_broken_rule_is_reported(site: str) -> None:
    report = Report("test")
    with requests.Session() as session:
        Walker(session, (site,), {site: "Site"}, "fr", report, 50).walk([f"{site}/"])
    problems = "\n".join(report.problems)
    assert f"{site}/absent (link on {site}/): HTTP 404" in problems
    assert f"{site}/panne (link on {site}/): HTTP 500" in problems
    assert "/sans-langue" in problems and "no lang on <html>" in problems
    assert "English words on a French page: ['please', 'sign in']" in problems
    assert "calendar that does not parse" in problems
    assert "vCard that does not parse" in problems or "vCard without a card" in problems
    assert f"{site}/cherche?q=bois (form on {site}/): HTTP 404" in problems
    assert len(report.problems) == 7, problems
    assert report.forms_submitted == 1
    assert report.second_pages == {("Site", "/liste")} and report.paginated == {("Site",
                                                                                  "/liste")}
    assert "ailleurs.example" not in " ".join(report.visited)  # other sites are not walked
