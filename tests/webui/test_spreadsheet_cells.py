"""Spreadsheet cells that could run as formulas: neutralised in exports, flagged on import."""

from __future__ import annotations

import pytest

from webui.spreadsheet_cells import may_run_as_formula, neutralise


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_neutralise_prefixes_every_formula_start(value: str) -> None:
    assert neutralise(value) == "'" + value


def test_neutralise_leaves_plain_text(  # plain values must not gain a stray quote
) -> None:
    assert [neutralise(v) for v in ("Ébéniste", "2026-03-01", 12, None, "a=b")] == [
        "Ébéniste", "2026-03-01", "12", "", "a=b"]


def test_may_run_as_formula_skips_numbers_and_phone_numbers() -> None:
    assert [may_run_as_formula(v) for v in ("=1+2", "@SUM(A1)", "-2+3", "+A1", "\t=1")] == [
        True] * 5
    assert [may_run_as_formula(v) for v in ("+33 3 88 00 00 00", "-12,5", "(+33) 6 12",
                                            "a=b", "", "Ébéniste")] == [False] * 6
