"""vCard 4.0 (RFC 6350) of a member, built from what the viewer may see.

Input is a *visible profile* (``visibility.visible_profile``), so a vCard can never carry a
field the profile page would hide. Output is text with CRLF line endings, escaped values and
lines folded at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//Chaleur//Nœud de village//FR"


def escape_text(value: str) -> str:
    """Escape a text value: backslash, comma, semicolon and newlines (RFC 6350 §3.4)."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return re.sub(r"\r\n|\r|\n", r"\\n", value)


def fold_line(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets, continuations led by a space."""
    chunks: list[str] = []
    current, size, limit = "", 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size, limit = "", 0, MAX_LINE_OCTETS - 1
        current += char
        size += width
    chunks.append(current)
    return (CRLF + " ").join(chunks)


def tel_uri(phone: str) -> str | None:
    """A ``tel:`` URI for a cleaned phone number (French national numbers get +33)."""
    digits = re.sub(r"[^\d+]", "", phone)
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        return "tel:+33" + digits[1:]
    if re.fullmatch(r"\+\d{8,15}", digits):
        return "tel:" + digits
    return None


def member_vcard(profile: dict[str, Any], commune_name: str = "") -> str:
    """One vCard from a visible profile; fields absent from the profile are left out."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", "PRODID:" + escape_text(PRODID), "KIND:individual"]
    if profile.get("id"):
        lines.append("UID:urn:uuid:" + profile["id"])
    lines.append("FN:" + escape_text(profile.get("display_name", "")))
    lines += _optional_lines(profile, commune_name)
    lines.append("END:VCARD")
    return "".join(fold_line(line) + CRLF for line in lines)


def _optional_lines(profile: dict[str, Any], commune_name: str) -> list[str]:
    lines: list[str] = []
    if profile.get("business_name"):
        lines.append("ORG:" + escape_text(profile["business_name"]))
    if profile.get("trade"):
        lines.append("TITLE:" + escape_text(profile["trade"]))
    if profile.get("contact_email"):
        lines.append("EMAIL;TYPE=work:" + escape_text(profile["contact_email"]))
    if profile.get("phone"):
        uri = tel_uri(profile["phone"])
        lines.append(f"TEL;VALUE=uri;TYPE=work:{uri}" if uri
                     else "TEL;VALUE=text;TYPE=work:" + escape_text(profile["phone"]))
    if profile.get("website"):
        lines.append("URL:" + re.sub(r"[\x00-\x20\x7f]", "", profile["website"]))
    if profile.get("commune_code") and commune_name:
        lines.append("ADR;TYPE=work:;;;" + escape_text(commune_name) + ";;;France")
    if profile.get("bio"):
        lines.append("NOTE:" + escape_text(profile["bio"]))
    if profile.get("skills"):
        lines.append("CATEGORIES:" + ",".join(escape_text(s) for s in profile["skills"]))
    lines += [f"LANG;PREF={rank}:{code}"
              for rank, code in enumerate(profile.get("languages", []), start=1)]
    return lines


def vcard_collection(cards: Iterable[str]) -> str:
    """Several vCards in one file, as address-book programs import them."""
    return "".join(cards)
