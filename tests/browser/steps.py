"""What a person does in the browser, in words the flows read well with.

Every step goes through the pages (labels, buttons, links) as someone would; nothing here writes
to the database. Mail is read from the live node's SMTP mailbox.
"""

from __future__ import annotations

import time
from email.message import EmailMessage
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.smtp import Mailbox


def sign_in(page: Any, email: str, password: str) -> None:
    """Open the sign-in page, fill the form, check the greeting that proves the session started."""
    page.goto("/connexion")
    fill_sign_in(page, email, password)


def fill_sign_in(page: Any, email: str, password: str) -> None:
    """Fill the sign-in form already on screen (e.g. after following a members-only link)."""
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")
    flash = page.locator(".flashes").inner_text()
    assert "vous êtes connecté·e" in flash, f"sign-in of {email} failed: {flash!r}"


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("link", name="Connexion").count() == 1


def flash_text(page: Any, timeout_ms: float = 10_000) -> str:
    """The messages shown after the last action ('' when none appear within the timeout).

    Waits for them: a click that submits a form returns before the next page has loaded, so
    reading at once can see the old page (a race seen under load in CI).
    """
    flashes = page.locator(".flashes")
    try:
        flashes.first.wait_for(state="attached", timeout=timeout_ms)
    except PlaywrightTimeout:
        return ""
    return str(flashes.first.inner_text())


def wait_for_mail(mailbox: Mailbox, to: str, subject_part: str, body_part: str = "",
                  timeout: float = 10.0) -> EmailMessage:
    """The first message to ``to`` whose subject (and body) hold these parts, once it arrives."""
    deadline = time.monotonic() + timeout
    while True:
        for message in list(mailbox.messages):
            if (to.lower() in str(message["To"]).lower()
                    and subject_part in str(message["Subject"])
                    and body_part in mail_body(message)):
                return message
        if time.monotonic() > deadline:
            seen = [(str(m["To"]), str(m["Subject"])) for m in mailbox.messages]
            raise AssertionError(f"no mail to {to} about {subject_part!r}; received: {seen}")
        time.sleep(0.05)


def mail_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no plain-text body"
    return str(part.get_content())


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the phone's screen (0 when it fits).

    Measured against ``clientWidth``, the width the page was laid out for: a mobile browser
    zooms out on a too-wide page, which grows ``innerWidth`` with it and would hide the fault.
    """
    return int(page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, window.innerWidth)"
        " - document.documentElement.clientWidth"))


def too_wide_elements(page: Any) -> list[str]:
    """The elements reaching past the screen's right edge, outside a scrolling table."""
    return list(page.evaluate("""() => {
        const limit = document.documentElement.clientWidth + 1;
        return [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > limit)
            .filter(el => !el.closest('.table-wrap')
                          || getComputedStyle(el).position === 'absolute')
            .slice(0, 5)
            .map(el => `${el.tagName.toLowerCase()}.${el.className} (${el.textContent.trim()
                .slice(0, 30)})`);
    }"""))


# Every main page of the node, with the audience that sees it. Placeholders stand for pages
# whose address depends on the data (see :func:`resolve`).
ANONYMOUS_PAGES = ["/", "/rencontres", "{public_event}", "/connexion", "/adhesion"]
MEMBER_PAGES = ["/membres", "{profile}", "/mon-profil", "/carnet", "{event}"]
ADMIN_PAGES = ["/admin/", "/admin/membres", "/admin/rencontres", "/admin/rencontres/nouvelle",
               "/admin/lieux", "/admin/communaute", "/admin/exports", "/admin/import"]
MAIN_PAGES = ([("anonymous", path) for path in ANONYMOUS_PAGES]
              + [("member", path) for path in MEMBER_PAGES]
              + [("admin", path) for path in ADMIN_PAGES])
# Pages beyond the main ones that people still reach every month.
MORE_PAGES = [("anonymous", "/mot-de-passe/oubli"), ("anonymous", "/rencontres?passees=1"),
              ("member", "/mon-profil/offres"), ("member", "/mon-profil/supprimer"),
              ("member", "/mon-profil/alertes"), ("member", "/questions"),
              ("member", "/annonces/fiche"),
              ("admin", "/admin/communes"), ("admin", "/admin/lieux/nouveau"),
              ("admin", "{attendance}"),
              ("member", "/decisions/"), ("member", "{decision}"),
              ("member", "/decisions/registre"), ("member", "/decisions/actions"),
              ("member", "/decisions/gouvernance"), ("member", "/decisions/nouvelle/dates")]


def first_link(page: Any, listing: str, selector: str) -> str:
    page.goto(listing)
    href = page.locator(selector).first.get_attribute("href")
    assert href, f"no link {selector} on {listing}"
    return str(href)


def resolve(page: Any, path: str) -> str:
    """A placeholder's address: the first rencontre, member or answer list the viewer sees."""
    if path in ("{public_event}", "{event}"):
        return first_link(page, "/rencontres", "main .card :is(h2, h3) a")
    if path == "{profile}":
        return first_link(page, "/membres", "main .card h2 a")
    if path == "{decision}":
        return first_link(page, "/decisions/", "main .card h3 a")
    if path == "{attendance}":
        return first_link(page, "/admin/rencontres", "main a[href*='/presences']")
    return path


def sticking_out_of_main(page: Any) -> list[str]:
    """Elements reaching past the right edge of the main column (a scrolling table excepted).

    A page may fit the screen and still have a box poking out of its panel, e.g. a fieldset
    stretched by a long unbreakable word: this catches what the page-width check cannot.
    Shapes inside an ``<svg>`` are not measured (the svg clips them to its viewBox); the svg is.
    """
    return list(page.evaluate("""() => {
        const main = document.querySelector('main');
        const edge = main.getBoundingClientRect().right
                     - parseFloat(getComputedStyle(main).paddingRight) + 1;
        return [...main.querySelectorAll('*')]
            .filter(el => !el.closest('.table-wrap, .visually-hidden') && !el.ownerSVGElement)
            .filter(el => el.getBoundingClientRect().right > edge)
            .slice(0, 5)
            .map(el => `${el.tagName.toLowerCase()}.${el.className} (${el.textContent.trim()
                .slice(0, 30)})`);
    }"""))
