"""Reading the notices villages send each other (docs/federation.md §§ 8.3–8.6).

Each kind of notice has its own handler, but all refuse the same way — ``notice_invalid``
(400) for a body of the wrong shape, an application code with its own HTTP status otherwise
(``member_unknown`` 404, ``origin_mismatch`` 403…) — and read the same kinds of fields.
Written once here, so that a new kind of notice cannot refuse differently from the others.
"""

from __future__ import annotations

import re
from typing import Any

from federation.errors import FederationRefusal

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class NoticeRefusal(FederationRefusal):
    """A notice between villages this node will not apply; ``status`` is its HTTP answer
    (the codes are the application's, not in :data:`federation.errors.REFUSAL_STATUS`)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code, message)
        self._status = status

    @property
    def status(self) -> int:
        return self._status


def invalid(message: str) -> NoticeRefusal:
    """The body does not have the shape the notice's section describes."""
    return NoticeRefusal("notice_invalid", message)


def text_field(data: dict[str, Any], name: str, limit: int, required: bool = True) -> str:
    """A string of at most ``limit`` characters, not blank when ``required``."""
    value = data.get(name, "")
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise invalid(f"{name}: a string of at most {limit} characters")
    return value


def uuid_field(data: dict[str, Any], name: str) -> str:
    """A lowercase UUID (records and members are named by theirs across the network)."""
    value = data.get(name)
    if not isinstance(value, str) or not UUID.fullmatch(value):
        raise invalid(f"{name}: a lowercase UUID")
    return value
