"""With JavaScript turned off the node still works: content shows and forms submit.

Nothing on a Chaleur page needs script (the CSP forbids inline script anyway); a person with
JavaScript disabled, or a very old phone, reads the rencontres and the directory, signs in,
answers a rencontre and searches members.
"""

from __future__ import annotations

from tests.browser.conftest import COMMUNITY_NAME, LiveNode, PhoneContext, watched_tab
from tests.browser.steps import first_link, flash_text, mail_body, sign_in, wait_for_mail


def test_pages_show_their_content_and_forms_submit_without_javascript(
        phone_context: PhoneContext, live_node: LiveNode) -> None:
    page = watched_tab(phone_context(java_script_enabled=False))
    # The context really runs no page script.
    page.set_content("<title>sans</title><script>document.title = 'avec'</script>")
    assert page.title() == "sans"

    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == COMMUNITY_NAME
    assert page.locator("main .card").count() > 0, "no upcoming rencontre on the home page"

    page.goto("/rencontres")
    titles = page.locator("main .card :is(h2, h3) a").all_inner_texts()
    assert titles, "the rencontres list is empty without JavaScript"
    page.get_by_role("link", name=titles[0]).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == titles[0]
    assert "Places" in page.locator("dl.facts").inner_text()

    # Sign-in is a plain form post.
    sign_in(page, live_node.member_email, live_node.member_password)
    assert page.get_by_role("button", name="Déconnexion").count() == 1

    # Answering a rencontre is a plain form post too.
    page.goto(first_link(page, "/rencontres", "main .card :is(h2, h3) a"))
    page.get_by_label("Je ne viens pas", exact=True).check()
    page.get_by_role("button", name="Enregistrer ma réponse").click()
    assert "vous ne venez pas" in flash_text(page)

    # The directory lists members and its search form (GET) filters them.
    page.goto("/membres")
    listed = page.locator("main .card h2 a").all_inner_texts()
    assert len(listed) > 1
    wanted = listed[0]
    page.get_by_label("Nom, métier, compétence").fill(wanted)
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/membres?*")
    found = page.locator("main .card h2 a").all_inner_texts()
    assert wanted in found and len(found) < len(listed)
    assert page.console_errors == []


def test_a_guest_answers_and_cancels_through_the_mailed_link_without_javascript(
        phone_context: PhoneContext, live_node: LiveNode) -> None:
    """A visitor (no account, no JavaScript) signs up for a public rencontre, then cancels."""
    guest = ("Gisèle Invitée", "gisele.invitee@navigateur.example")
    page = watched_tab(phone_context(java_script_enabled=False))
    page.goto(first_link(page, "/rencontres", "main .card :is(h2, h3) a"))
    title = page.get_by_role("heading", level=1).inner_text()
    form = page.get_by_role("region", name="Je m'inscris")
    form.get_by_label("Votre nom").fill(guest[0])
    form.get_by_label("Votre adresse e-mail").fill(guest[1])
    form.get_by_label("Je viens", exact=True).check()
    form.get_by_role("button", name="M'inscrire").click()
    assert "vous venez" in flash_text(page)

    confirmation = wait_for_mail(live_node.mailbox, guest[1], f"Votre réponse : {title}")
    cancel_link = mail_body(confirmation).split("Pour annuler votre venue, ouvrez ce lien :")[1]
    page.goto(cancel_link.strip().splitlines()[0])
    assert "confirmez-vous que vous ne viendrez pas" in page.locator("main").inner_text()
    page.get_by_role("button", name="Oui, j'annule ma venue").click()
    assert f"C'est noté, {guest[0]} : vous ne venez pas." in page.locator("main").inner_text()
    assert live_node.query(
        "SELECT status FROM rsvp WHERE guest_email = ?", guest[1]) == [("not_going",)]
    assert page.console_errors == []
