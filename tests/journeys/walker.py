"""Walk the network as one visitor: every same-network link and every GET form, from the homes.

A browser-like session (one cookie jar for the three sites, the visitor's language in
Accept-Language) follows each ``<a href>`` pointing at one of the network's sites and submits
each GET form with the values it shows, breadth first, until the bound. Pages of the same kind
(``/membres/<id>``, ``/annuaire?skill=…``) are walked a few times each, new kinds first, so
that the bound covers every kind of page rather than eighty profiles.

Every answer is checked as it arrives (see :meth:`Walker._check`); the walk keeps the
problems, it does not stop at the first one.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
import vobject
from icalendar import Calendar

# Lines printed at the end of the test run (tests/journeys/conftest.py).
SUMMARY: list[str] = []
# A few pages of each kind are enough to find what is wrong with that kind.
PER_KIND = 5
TIMEOUT = 30
VARIABLE_SEGMENT = re.compile(r"\d|^[0-9a-f-]{16,}$")
# Words that only English has, looked for in the visible text of French pages.
ENGLISH = re.compile(
    r"\b(the|and|your|you|please|this field|not found|required|invalid|missing|"
    r"token|session|error|must|should|sign in|log in|submit|search|next|previous)\b",
    re.IGNORECASE)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Form:
    """A GET form as the browser would submit it untouched."""

    action: str
    fields: list[tuple[str, str]]


class PageParser(HTMLParser):
    """Links, GET forms, resources, ``<html lang>`` and visible text of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.links: list[str] = []
        self.resources: list[str] = []
        self.forms: list[Form] = []
        self.text: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._skip = 0  # inside <script>, <style>, <svg> or an element in another language
        self._skip_stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "html":
            self.lang = a.get("lang")
        skipping = bool(self._skip_stack) or tag in ("script", "style", "svg") or (
            "lang" in a and tag != "html" and not a["lang"].startswith("fr"))
        if skipping and tag not in VOID:
            self._skip_stack.append(tag)
        if not skipping:  # words people read or hear that are not text nodes
            self.text.extend(a[name] for name in ("title", "aria-label", "placeholder", "alt")
                             if a.get(name))
            if tag in ("input", "button") and a.get("type") in ("submit", "button"):
                self.text.append(a.get("value", ""))
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "icon"):
            self.resources.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.resources.append(a["src"])
        elif tag == "form":
            method = a.get("method", "get").lower()
            self._form = Form(a.get("action", ""), []) if method == "get" else None
        elif self._form is not None:
            self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        assert self._form is not None
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea" and name:
            self._form.fields.append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if self._skip_stack and self._skip_stack[-1] == tag:
            self._skip_stack.pop()
        if tag == "select" and self._select is not None and self._form is not None:
            value = self._select_value if self._select_value is not None else self._first_option
            self._form.fields.append((self._select, value or ""))
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def handle_data(self, data: str) -> None:
        if not self._skip_stack and data.strip():
            self.text.append(data.strip())


@dataclass
class Report:
    """What one visitor's walk did and found."""

    role: str
    pages: int = 0
    links_followed: int = 0
    forms_submitted: int = 0
    feeds_parsed: int = 0
    seconds: float = 0.0
    # Pages found but not walked once the bound was reached: new kinds, then repeats.
    left_new: int = 0
    left_repeats: int = 0
    problems: list[str] = field(default_factory=list)
    # (site, path) of every list whose page 2 answered.
    second_pages: set[tuple[str, str]] = field(default_factory=set)
    # (site, path) of every list that showed a link to its next page.
    paginated: set[tuple[str, str]] = field(default_factory=set)
    visited: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.role:24} {self.pages:5} pages  {self.links_followed:5} links  "
                f"{self.forms_submitted:3} forms  {self.feeds_parsed:3} feeds  "
                f"{self.seconds:5.1f} s  {len(self.problems)} problems  "
                f"(left: {self.left_new} new kinds, {self.left_repeats} repeats)")


class Walker:
    """One visitor in one language, walking the network from its home pages."""

    def __init__(self, session: requests.Session, origins: tuple[str, ...], names: dict[str, str],
                 language: str, report: Report, max_pages: int) -> None:
        self.session = session
        self.origins = origins
        self.names = names
        self.language = language
        self.report = report
        self.max_pages = max_pages
        self.session.headers["Accept-Language"] = language
        self._seen: set[str] = set()
        self._kinds: dict[tuple[str, ...], int] = {}
        self._forms: set[tuple[str, ...]] = set()
        self._resources: set[str] = set()
        self._fresh: deque[tuple[str, str, str]] = deque()  # (url, found on, how)
        self._again: deque[tuple[str, str, str]] = deque()

    # --- where to go next ------------------------------------------------------------------
    def _site(self, url: str) -> str | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        return origin if origin in self.origins else None

    @staticmethod
    def _kind(url: str) -> tuple[str, ...]:
        """Pages of one kind: the same path but for identifiers, with or without a query
        (filters combine without end: ``?skill=…&commune=…`` is one kind)."""
        parts = urlsplit(url)
        segments = tuple("*" if VARIABLE_SEGMENT.search(s) else s
                         for s in parts.path.split("/"))
        return (parts.netloc, *segments, "?" if parts.query else "")

    def _offer(self, url: str, found_on: str, how: str) -> None:
        parts = urlsplit(url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
        if url in self._seen or self._site(url) is None:
            return
        query = dict(parse_qsl(parts.query))
        if "lang" in query:  # the language switch is walked as a language of its own
            return
        self._seen.add(url)
        kind = self._kind(url)
        count = self._kinds.get(kind, 0)
        self._kinds[kind] = count + 1
        if query.get("page", "1") not in ("", "1") or count == 0 or how == "form":
            self._fresh.append((url, found_on, how))  # new kinds, forms, next pages
        elif count < PER_KIND:
            self._again.append((url, found_on, how))

    def walk(self, starts: list[str]) -> None:
        for start in starts:
            self._offer(start, "(start)", "start")
        begun = time.monotonic()
        first = self.report.pages
        while (self._fresh or self._again) and self.report.pages - first < self.max_pages:
            url, found_on, how = (self._fresh or self._again).popleft()
            self._visit(url, found_on, how)
        self.report.seconds += time.monotonic() - begun
        self.report.left_new += len(self._fresh)
        self.report.left_repeats += len(self._again)

    # --- one page ----------------------------------------------------------------------------
    def _visit(self, url: str, found_on: str, how: str) -> None:
        try:
            response = self.session.get(url, timeout=TIMEOUT)
        except requests.RequestException as error:
            self.report.problems.append(f"{url} ({how} on {found_on}): {error}")
            return
        self.report.pages += 1
        self.report.visited.append(url)
        if how == "link":
            self.report.links_followed += 1
        elif how == "form":
            self.report.forms_submitted += 1
        self._check(url, found_on, how, response)

    def _problem(self, url: str, found_on: str, how: str, what: str) -> None:
        self.report.problems.append(f"[{self.language}] {url} ({how} on {found_on}): {what}")

    def _check(self, url: str, found_on: str, how: str, response: requests.Response) -> None:
        """The rules of the walk: no 5xx; no 4xx behind a link or form the site showed; an
        HTML page says its language; a calendar or an address book parses."""
        if response.status_code >= 400:
            self._problem(url, found_on, how, f"HTTP {response.status_code}")
            return
        final = response.url
        site = self._site(final)
        if site is None:
            return
        kind = response.headers.get("Content-Type", "").split(";")[0].strip()
        path = urlsplit(final).path
        if kind == "text/calendar" or path.endswith(".ics"):
            self._calendar(url, found_on, how, response)
        elif kind in ("text/vcard", "text/x-vcard") or path.endswith(".vcf"):
            self._address_book(url, found_on, how, response)
        elif kind == "text/csv" or path.endswith(".csv"):
            self._spreadsheet(url, found_on, how, response)
        elif kind == "application/json":
            try:
                json.loads(response.content)
            except ValueError as error:
                self._problem(url, found_on, how, f"JSON that does not parse: {error}")
        elif kind == "text/html":
            self._page(final, site, found_on, how, response.text)

    def _page(self, url: str, site: str, found_on: str, how: str, html: str) -> None:
        parser = PageParser()
        parser.feed(html)
        parser.close()
        if not parser.lang:
            self._problem(url, found_on, how, "no lang on <html>")
        elif parser.lang.split("-")[0] != self.language:
            self._problem(url, found_on, how, f"lang={parser.lang} in a {self.language} walk")
        if self.language == "fr":
            english = sorted({m.group(0).lower() for m in ENGLISH.finditer(" ".join(parser.text))})
            if english:
                self._problem(url, found_on, how, f"English words on a French page: {english}")
        name = self.names[site]
        query = dict(parse_qsl(urlsplit(url).query))
        if re.search(r'rel="next"', html):
            self.report.paginated.add((name, urlsplit(url).path))
        if query.get("page") == "2":
            self.report.second_pages.add((name, urlsplit(url).path))
        for href in parser.links:
            if href.startswith(("mailto:", "tel:", "#", "javascript:")):
                continue
            self._offer(urljoin(url, href), url, "link")
        for form in parser.forms:
            action = urljoin(url, form.action or url)
            key = (urlsplit(action).netloc, urlsplit(action).path,
                   *sorted({name for name, _ in form.fields}))
            if key in self._forms:
                continue
            self._forms.add(key)
            parts = urlsplit(action)
            self._offer(urlunsplit((parts.scheme, parts.netloc, parts.path,
                                    urlencode(form.fields), "")), url, "form")
        for src in parser.resources:
            self._resource(urljoin(url, src), url)

    def _resource(self, url: str, found_on: str) -> None:
        if url in self._resources or self._site(url) is None:
            return
        self._resources.add(url)
        response = self.session.get(url, timeout=TIMEOUT)
        if response.status_code >= 400:
            self._problem(url, found_on, "resource", f"HTTP {response.status_code}")

    def _calendar(self, url: str, found_on: str, how: str, response: requests.Response) -> None:
        try:
            calendar = Calendar.from_ical(response.content)
        except ValueError as error:
            self._problem(url, found_on, how, f"calendar that does not parse: {error}")
            return
        if calendar.name != "VCALENDAR":
            self._problem(url, found_on, how, f"calendar is a {calendar.name}")
        self.report.feeds_parsed += 1

    def _address_book(self, url: str, found_on: str, how: str,
                      response: requests.Response) -> None:
        try:
            cards = list(vobject.readComponents(response.content.decode("utf-8")))
        except Exception as error:  # vobject raises its own and plain errors alike
            self._problem(url, found_on, how, f"vCard that does not parse: {error}")
            return
        if not cards or any(not hasattr(card, "fn") for card in cards):
            self._problem(url, found_on, how, "vCard without a card or a name")
        self.report.feeds_parsed += 1

    def _spreadsheet(self, url: str, found_on: str, how: str,
                     response: requests.Response) -> None:
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:200] else ","))
        if not rows:
            self._problem(url, found_on, how, "empty CSV")
        self.report.feeds_parsed += 1


def sign_in(session: requests.Session, site: str, path: str, email: str, password: str) -> str:
    """Through the real sign-in form, CSRF token included; the page it leads to."""
    page = session.get(site + path, timeout=TIMEOUT)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token, f"no CSRF token on {site}{path}"
    answer = session.post(site + path, timeout=TIMEOUT, data={
        "csrf_token": token.group(1), "email": email, "password": password})
    assert answer.status_code == 200 and urlsplit(answer.url).path != path, \
        f"{email} could not sign in on {site}{path} ({answer.status_code} {answer.url})"
    return answer.url


def weigh(session: requests.Session, url: str) -> tuple[int, int]:
    """(bytes on the wire, bytes once decompressed) of one GET, as a browser fetches it."""
    response = session.get(url, timeout=TIMEOUT, stream=True, headers={
        "Accept-Encoding": "gzip, deflate", "Accept-Language": "fr"})
    assert response.status_code == 200, (url, response.status_code)
    wire = response.raw.read(decode_content=False)
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        decoded = zlib.decompress(wire, 16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoded = zlib.decompress(wire)
    else:
        decoded = wire
    return len(wire), len(decoded)
