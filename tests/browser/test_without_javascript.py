"""With JavaScript turned off the node still works: content shows and forms submit.

Nothing on a Chaleur page needs script (the CSP forbids inline script anyway); a person with
JavaScript disabled, or a very old phone, reads the rencontres and the directory, signs in,
answers a rencontre and searches members.
"""

from __future__ import annotations

from tests.browser.conftest import COMMUNITY_NAME, LiveNode, PhoneContext, watched_tab
from tests.browser.steps import first_link, flash_text, sign_in


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
