"""Keyboard only: the skip link, sign-in, the profile form and an RSVP, with a visible focus.

No click and no ``fill`` here: the person presses Tab, Shift+Tab, Enter, Space (and the arrow
keys inside a radio group, as every browser expects) and types.
"""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveNode
from tests.browser.steps import first_link, flash_text

MAX_TABS = 60


def _active(page: Any, expression: str) -> Any:
    return page.evaluate(f"() => {{ const el = document.activeElement; return {expression}; }}")


def _tab_to(page: Any, selector: str, key: str = "Tab") -> int:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press(key)
        if _active(page, f"el && el.matches({selector!r})"):
            return presses
    raise AssertionError(f"{selector} never received the focus with {key}")


def _assert_focus_visible(page: Any) -> None:
    """The focused element shows the site's focus ring (a real outline, not the default none)."""
    style = _active(page, "(() => { const s = getComputedStyle(el); return {"
                          "style: s.outlineStyle, width: parseFloat(s.outlineWidth),"
                          "visible: el.matches(':focus-visible'), tag: el.tagName}; })()")
    assert style["visible"], f"{style['tag']} is focused but not :focus-visible"
    assert style["style"] != "none" and style["width"] >= 2, f"no visible focus: {style}"


def _press_and_wait(page: Any, key: str) -> None:
    """Press a key that submits a form, and wait for the answer page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def _type_over(page: Any, text: str) -> None:
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def _keyboard_sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/connexion")
    _tab_to(page, "input[name=email]")
    _assert_focus_visible(page)
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert _active(page, "el.name") == "password"
    page.keyboard.type(password)
    _press_and_wait(page, "Enter")
    assert "vous êtes connecté·e" in flash_text(page)


def test_skip_link_moves_focus_to_the_main_content(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert _active(page, "el.textContent.trim()") == "Aller au contenu"
    _assert_focus_visible(page)
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0, "the focused skip link stays off screen"
    page.keyboard.press("Enter")
    assert _active(page, "el.id") == "contenu"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert _active(page, "!!el.closest('main')")
    _assert_focus_visible(page)


def test_sign_in_profile_and_rsvp_with_the_keyboard_only(page: Any,
                                                          live_node: LiveNode) -> None:
    _keyboard_sign_in(page, live_node.member_email, live_node.member_password)

    # The profile form: a new trade, a skill list, then back with Shift+Tab to fix the trade.
    page.goto("/mon-profil")
    _tab_to(page, "input[name=trade]")
    _assert_focus_visible(page)
    _type_over(page, "Tapissier")
    _tab_to(page, "input[name=skills]")
    _type_over(page, "garnissage, couture d'ameublement")
    _tab_to(page, "input[name=trade]", key="Shift+Tab")
    _type_over(page, "Tapissier d'ameublement")
    # The "who sees my skills" radio group: Tab enters it, arrows move, Space confirms.
    _tab_to(page, "input[name=visibility_skills]")
    _assert_focus_visible(page)
    before = _active(page, "el.value")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    chosen = _active(page, "el.value")
    assert chosen != before and _active(page, "el.checked")
    _tab_to(page, "button[type=submit]:not(.linklike)")
    _assert_focus_visible(page)
    _press_and_wait(page, "Enter")
    assert "Profil enregistré." in flash_text(page)
    assert page.locator("input[name=trade]").input_value() == "Tapissier d'ameublement"
    assert page.locator("input[name=skills]").input_value() == (
        "garnissage, couture d'ameublement")
    assert page.locator(f"input[name=visibility_skills][value={chosen}]").is_checked()

    # An answer to a rencontre: Tab into the choices (one stop for the group), arrows to
    # "Peut-être", Space to confirm, then Space on the button.
    page.goto(first_link(page, "/rencontres", "main .card :is(h2, h3) a"))
    _tab_to(page, "input[name=status]")
    for _ in range(3):
        if _active(page, "el.value") == "maybe":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert _active(page, "el.value") == "maybe" and _active(page, "el.checked")
    _tab_to(page, "button[type=submit]:not(.linklike)")
    assert _active(page, "el.textContent.trim()") == "Enregistrer ma réponse"
    _press_and_wait(page, "Space")
    assert "vous viendrez peut-être" in flash_text(page)
    answer = page.get_by_role("region", name="Votre réponse").inner_text()
    assert "Réponse actuelle : peut-être" in " ".join(answer.split())
    assert page.console_errors == []
