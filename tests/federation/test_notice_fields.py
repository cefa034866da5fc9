"""The field readers every notice between villages uses refuse with ``notice_invalid``."""

from __future__ import annotations

import pickle

import pytest

from federation.notice_fields import NoticeRefusal, text_field, uuid_field

MEMBER = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_text_fields_are_bounded_strings_not_blank_when_required() -> None:
    assert text_field({"title": "Atelier"}, "title", 10) == "Atelier"
    assert text_field({}, "note", 10, required=False) == ""
    for body in ({"title": "   "}, {"title": 3}, {"title": "x" * 11}, {}):
        with pytest.raises(NoticeRefusal) as refused:
            text_field(body, "title", 10)
        assert (refused.value.code, refused.value.status) == ("notice_invalid", 400)


def test_uuid_fields_are_lowercase_uuids() -> None:
    assert uuid_field({"member": MEMBER}, "member") == MEMBER
    for value in (MEMBER.upper(), MEMBER + "0", "", None, 42):
        with pytest.raises(NoticeRefusal):
            uuid_field({"member": value}, "member")


def test_a_refusal_keeps_its_status_through_a_process_boundary() -> None:
    refusal = pickle.loads(pickle.dumps(NoticeRefusal("member_unknown", "no such member", 404)))
    assert (refusal.code, refusal.status, refusal.as_json()["error"]) == \
        ("member_unknown", 404, "member_unknown")
