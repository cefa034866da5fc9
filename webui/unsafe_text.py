"""Characters no text a person sends may hold: the one rule for forms, API and CSV import.

They are invisible, so nobody types them on purpose, and each does harm once stored:

* NUL and the other C0 control characters (tab, line feed and carriage return excepted): no
  PostgreSQL text column can hold NUL, and the others break XML, iCalendar and terminals;
* the bidirectional embedding, override and isolate controls (U+202A–U+202E,
  U+2066–U+2069): they make text display in another order than it is stored, so a name,
  a link or a CSV cell can read as something it is not (« Trojan Source »);
* lone UTF-16 surrogates, which are not characters and cannot be encoded.

Every entry point refuses them with the same French message naming the character, so the
person can find it: the forms (:mod:`webui.forms`), the query strings of both apps
(:func:`refuse_unsafe_query`), the node's API bodies and its CSV import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext as _

UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def first_unsafe(text: str) -> str | None:
    """The first refused character of ``text``, or None when it has none."""
    found = UNSAFE.search(text)
    return found.group() if found else None


def without_unsafe(text: str) -> str:
    """``text`` with the refused characters taken out (to show a form back to its author)."""
    return UNSAFE.sub("", text)


def describe(char: str) -> str:
    """The character as people can look it up: its code point and what kind it is."""
    point = f"U+{ord(char):04X}"
    if char == "\x00":
        return str(_("%(point)s, caractère nul", point=point))
    if char in BIDI_CONTROLS:
        return str(_("%(point)s, contrôle du sens d'écriture", point=point))
    if "\ud800" <= char <= "\udfff":
        return str(_("%(point)s, moitié de caractère UTF-16", point=point))
    return str(_("%(point)s, caractère de contrôle", point=point))


def unsafe_message(char: str) -> str:
    """The French refusal shown beside a field, in an API error or in the import preview."""
    return str(_("Ce texte contient un caractère invisible interdit (%(what)s) : retirez-le, "
                 "puis envoyez à nouveau.", what=describe(char)))


def removed_message(char: str) -> str:
    """The refusal beside a form field, whose value is shown back without the character."""
    return str(_("Ce texte contenait un caractère invisible interdit (%(what)s), retiré "
                 "ci-dessus : vérifiez le texte, puis envoyez à nouveau.", what=describe(char)))


def unsafe_in(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(path, character) of each string holding a refused character, keys included.

    Walks the plain data of a JSON body or a query: strings, lists and dicts; a path reads
    like ``communes[2]`` or ``contact.name``.
    """
    if isinstance(value, str):
        char = first_unsafe(value)
        if char is not None:
            yield where, char
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            yield from unsafe_in(key, path)
            yield from unsafe_in(item, path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from unsafe_in(item, f"{where}[{index}]")


def refuse_unsafe_query(app: Flask) -> None:
    """Answer 400 to any request whose query string holds a refused character.

    Query strings are the search forms and filters of both sites and the parameters of
    both APIs; refusing them here covers every one, including those added later. The
    answer is the site's error page, or the JSON error on API and federation paths.
    """

    @app.before_request
    def check_query_string() -> None:
        if request.routing_exception is not None:
            return  # no such page, or not by this method: that answer comes first
        for name, value in request.args.items(multi=True):
            for text in (name, value):
                char = first_unsafe(text)
                if char is not None:
                    abort(400, description=_("Le paramètre « %(name)s » de l'adresse "
                                             "contient un caractère invisible interdit "
                                             "(%(what)s) : retirez-le de votre recherche, "
                                             "puis réessayez.", name=without_unsafe(name),
                                             what=describe(char)))
