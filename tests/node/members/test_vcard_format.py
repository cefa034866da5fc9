"""vCard 4.0 text (RFC 6350): CRLF endings, escaping, folding at 75 octets."""

from __future__ import annotations

from node.services.vcard import escape_text, fold_line, member_vcard, tel_uri


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_every_line_ends_with_crlf_and_no_bare_newline_remains() -> None:
    card = member_vcard({"id": "u-1", "display_name": "Zoé",
                         "bio": "Ligne 1\nLigne 2\r\nLigne 3"})
    assert card.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert card.endswith("END:VCARD\r\n")
    assert "\n" not in card.replace("\r\n", "")
    assert "NOTE:Ligne 1\\nLigne 2\\nLigne 3" in unfold(card)


def test_text_values_escape_backslash_comma_semicolon() -> None:
    assert escape_text(r"a\b, c; d") == r"a\\b\, c\; d"
    card = member_vcard({"display_name": "Dupont; Fils, et C\\ie",
                         "skills": ["bois, fer", "vernis;laque"], "business_name": "A;B"})
    lines = unfold(card)
    assert "FN:Dupont\\; Fils\\, et C\\\\ie" in lines
    assert "CATEGORIES:bois\\, fer,vernis\\;laque" in lines
    assert "ORG:A\\;B" in lines


def test_long_lines_fold_at_75_octets_without_splitting_characters() -> None:
    bio = "é" * 100 + "x" * 100  # two-byte characters first
    card = member_vcard({"display_name": "Zoé", "bio": bio})
    for line in card.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")  # a split character would not decode
    assert f"NOTE:{bio}" in unfold(card)
    folded = fold_line("N" * 200)
    assert folded.split("\r\n")[1].startswith(" ")
    assert len(folded.split("\r\n")[0]) == 75


def test_only_fields_present_in_the_profile_are_written() -> None:
    card = member_vcard({"id": "abc", "display_name": "Zoé", "trade": "Ébéniste"})
    names = {line.split(":")[0].split(";")[0] for line in unfold(card) if line}
    assert names == {"BEGIN", "VERSION", "PRODID", "KIND", "UID", "FN", "TITLE", "END"}


def test_full_profile_maps_to_the_right_properties() -> None:
    card = member_vcard({
        "id": "abc", "display_name": "Zoé", "business_name": "Atelier", "trade": "Ébéniste",
        "contact_email": "z@example.org", "phone": "03 88 70 00 01",
        "website": "https://atelier.example", "commune_code": "67527", "bio": "Bonjour",
        "skills": ["bois"], "languages": ["fr"]}, commune_name="Westhouse-Marmoutier")
    lines = unfold(card)
    for expected in ("UID:urn:uuid:abc", "ORG:Atelier", "TITLE:Ébéniste",
                     "EMAIL;TYPE=work:z@example.org",
                     "TEL;VALUE=uri;TYPE=work:tel:+33388700001", "URL:https://atelier.example",
                     "ADR;TYPE=work:;;;Westhouse-Marmoutier;;;France", "NOTE:Bonjour",
                     "CATEGORIES:bois", "LANG;PREF=1:fr"):
        assert expected in lines


def test_phone_numbers_become_tel_uris() -> None:
    assert tel_uri("03 88 70 00 01") == "tel:+33388700001"
    assert tel_uri("+4915123456789") == "tel:+4915123456789"
    assert tel_uri("standard") is None
    card = member_vcard({"display_name": "Zoé", "phone": "poste 12"})
    assert "TEL;VALUE=text;TYPE=work:poste 12" in unfold(card)


def test_a_website_cannot_inject_a_property() -> None:
    card = member_vcard({"display_name": "Zoé", "website": "https://a.example\r\nEMAIL:x@y"})
    assert "EMAIL:x@y" not in unfold(card)
