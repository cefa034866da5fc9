"""The week of a village, in a real browser and through the pages only.

Two people ask to join, the admin admits them, one fills in her profile and makes her identity
public (an anonymous visitor then finds her, but not what she kept for the community), the admin
publishes a one-place rencontre, both answer "je viens", the second lands on the waitlist and is
promoted (on the page and by mail) when the first changes her mind.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from tests.browser.conftest import COMMUNITY_NAME, LiveNode, PhoneContext, watched_tab
from tests.browser.steps import fill_sign_in, flash_text, mail_body, sign_in, wait_for_mail

PASSWORD = "un-mot-de-passe-solide"


def _ask_to_join(page: Any, name: str, email: str, trade: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Rejoindre la communauté").click()
    page.get_by_label("Nom affiché").fill(name)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Métier ou activité").fill(trade)
    page.get_by_label("Commune").fill("Sparsbach")
    page.get_by_label("Pourquoi voulez-vous nous rejoindre ?").fill("Rencontrer mes voisins.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/adhesion/envoyee")


def _link_in(body: str) -> str:
    match = re.search(r"https?://\S+", body)
    assert match, f"no link in the mail:\n{body}"
    return match.group(0)


def _admit(admin: Any, name: str) -> None:
    if not admin.url.endswith("/admin/membres"):
        admin.goto("/admin/membres")
    row = admin.get_by_role("row").filter(has_text=name)
    assert "En attente" in row.inner_text()
    row.get_by_role("button", name="Admettre").click()
    admin.wait_for_load_state("load")
    assert f"{name} est maintenant membre" in flash_text(admin)
    assert "Actif" in admin.get_by_role("row").filter(has_text=name).inner_text()


def _edit_profile(page: Any) -> str:
    """Trade, skills, commune and a public identity; returns the profile's address."""
    page.get_by_role("link", name="Mon profil").click()
    page.get_by_label("Métier").fill("Ébéniste")
    page.get_by_label("Compétences").fill("marqueterie, restauration de meubles")
    page.get_by_label("Commune", exact=True).fill("Westhouse-Marmoutier")
    identity = page.get_by_role("group", name="Qui voit votre identité ?")
    identity.get_by_label("Public : tout le monde").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state("load")
    assert "Profil enregistré." in flash_text(page)
    assert page.get_by_label("Métier").input_value() == "Ébéniste"
    assert page.get_by_role("group", name="Qui voit votre identité ?").get_by_label(
        "Public : tout le monde").is_checked()
    href = page.get_by_role("link", name="Voir ma fiche").get_attribute("href")
    assert href and href.startswith("/membres/")
    return str(href)


def _publish_event(admin: Any, title: str, day: date) -> None:
    admin.goto("/admin/rencontres")
    admin.get_by_role("link", name="Nouvelle rencontre").click()
    admin.get_by_label("Titre").fill(title)
    admin.get_by_label("Description").fill("Une seule place : premier arrivé, premier servi.")
    admin.get_by_label("Date de début").fill(day.isoformat())
    admin.get_by_label("Heure de début").fill("18:30")
    admin.get_by_label("Heure de fin").fill("20:00")
    admin.get_by_label("Nombre de places").fill("1")
    admin.get_by_label("Visible par").select_option("community")
    admin.get_by_role("button", name="Enregistrer").click()
    admin.wait_for_load_state("load")
    assert f"Rencontre « {title} » créée." in flash_text(admin)


def _answer(page: Any, title: str, choice: str) -> str:
    """Open the rencontre from the list, pick an answer, save; returns the flash message."""
    page.goto("/rencontres")
    page.get_by_role("link", name=title).first.click()
    page.wait_for_load_state("load")
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Enregistrer ma réponse").click()
    page.wait_for_load_state("load")
    return flash_text(page)


def _current_answer(page: Any) -> str:
    section = page.get_by_role("region", name="Votre réponse")
    match = re.search(r"Réponse actuelle :\s*(.+)", section.inner_text())
    assert match, "the event page does not show the current answer"
    return match.group(1).strip()


def _places(page: Any) -> str:
    return str(page.locator("dl.facts").inner_text())


def test_join_admit_profile_visibility_and_waitlist_promotion(
        phone_context: PhoneContext, live_node: LiveNode) -> None:
    alice = ("Alice Marquet", "alice.marquet@navigateur.example")
    bruno = ("Bruno Kieffer", "bruno.kieffer@navigateur.example")
    title = "Atelier marqueterie (une place)"
    mailbox = live_node.mailbox

    page_a = watched_tab(phone_context())
    page_b = watched_tab(phone_context())
    admin = watched_tab(phone_context())

    # 1. Two visitors ask to join; pending accounts cannot sign in yet.
    _ask_to_join(page_a, *alice, trade="Menuisière")
    _ask_to_join(page_b, *bruno, trade="Graphiste")
    notice = wait_for_mail(mailbox, live_node.admin_email, "Nouvelle demande d'adhésion",
                           body_part=alice[0])
    page_a.goto("/connexion")
    page_a.get_by_label("Adresse e-mail").fill(alice[1])
    page_a.get_by_label("Mot de passe").fill(PASSWORD)
    page_a.get_by_role("button", name="Se connecter").click()
    assert "en attente" in flash_text(page_a)

    # 2. The admin follows the mail's link, signs in on the way, and admits both; each
    #    receives the welcome mail.
    link = _link_in(mail_body(notice))
    assert link == f"{live_node.url}/admin/membres"
    admin.goto(link)
    assert "/connexion" in admin.url
    fill_sign_in(admin, live_node.admin_email, live_node.admin_password)
    assert admin.url == link
    _admit(admin, alice[0])
    _admit(admin, bruno[0])
    welcome = wait_for_mail(mailbox, alice[1], f"Bienvenue dans {COMMUNITY_NAME}",
                            body_part=alice[0])
    wait_for_mail(mailbox, bruno[1], f"Bienvenue dans {COMMUNITY_NAME}", body_part=bruno[0])

    # 3. Alice signs in through the welcome mail's link; her profile is hidden from anonymous
    #    visitors by default.
    page_a.goto(_link_in(mail_body(welcome)))
    fill_sign_in(page_a, alice[1], PASSWORD)
    page_a.get_by_role("link", name="Mon profil").click()
    profile_path = str(page_a.get_by_role("link", name="Voir ma fiche").get_attribute("href"))
    anonymous = watched_tab(phone_context())
    hidden = anonymous.goto(profile_path)
    assert hidden is not None and hidden.status == 404
    assert alice[0] not in anonymous.content()

    # 4. She edits trade, skills, commune, and makes her identity public.
    assert _edit_profile(page_a) == profile_path

    # 5. A fresh anonymous visitor now sees who she is, but not her community-only skills.
    stranger = watched_tab(phone_context())
    shown = stranger.goto(profile_path)
    assert shown is not None and shown.status == 200
    assert stranger.get_by_role("heading", level=1).inner_text() == alice[0]
    card = stranger.locator("main").inner_text()
    assert "Ébéniste" in card and "Westhouse-Marmoutier" in card
    assert "marqueterie" not in card and "Compétences" not in card
    # ... while a signed-in member sees the skills too.
    sign_in(page_b, bruno[1], PASSWORD)
    page_b.goto(profile_path)
    assert "marqueterie" in page_b.locator("main").inner_text()

    # 6. The admin publishes a rencontre with a single place.
    _publish_event(admin, title, date.today() + timedelta(days=12))

    # 7. Alice takes the place; Bruno is waitlisted.
    assert "vous venez" in _answer(page_a, title, "Je viens")
    assert _current_answer(page_a) == "je viens"
    # The place is taken: the button says it puts Bruno on the waitlist (issue 15, fix 4).
    assert "liste d'attente" in _answer(page_b, title, "Je viens : liste d'attente")
    assert _current_answer(page_b) == "liste d'attente"
    assert "0 restante" in _places(page_b) and "1 en liste d'attente" in _places(page_b)
    wait_for_mail(mailbox, bruno[1], f"Votre réponse : {title}",
                  body_part="vous êtes sur la liste d'attente")

    # 8. Alice cannot come after all: Bruno is promoted, on the page and by mail.
    assert "vous ne venez pas" in _answer(page_a, title, "Je ne viens pas")
    promotion = wait_for_mail(mailbox, bruno[1], f"Une place s'est libérée : {title}")
    assert "Vous êtes maintenant inscrit·e" in mail_body(promotion)
    page_b.goto(_link_in(mail_body(promotion)))  # the mail leads to the rencontre's page
    assert _current_answer(page_b) == "je viens"
    assert "1 inscrit" in _places(page_b) and "liste d'attente" not in _places(page_b)
    assert not _received(live_node, alice[1], "Une place s'est libérée")

    # (the anonymous tab's only console line is the expected 404 of the hidden profile)
    assert len(anonymous.console_errors) == 1 and "404" in anonymous.console_errors[0]
    for tab in (page_a, page_b, admin, stranger):
        assert tab.console_errors == []


def _received(live_node: LiveNode, to: str, subject_part: str) -> bool:
    """True if a message to ``to`` about ``subject_part`` was received (it should not be)."""
    return any(to in str(m["To"]) and subject_part in str(m["Subject"])
               for m in live_node.mailbox.messages)
