"""Spreadsheet cells that could run as formulas (CSV formula injection), for both apps.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula: ``=HYPERLINK("http://…")`` typed as a trade would
run on the computer of whoever opens the export. Exports prefix such cells with ``'``
(:func:`neutralise`); the node's member import flags them in its preview
(:func:`may_run_as_formula`) so the animator sees what the file holds before it is stored.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# "+33 3 88 00 00 00", "-12,5": numbers and phone numbers, which run nothing.
PLAIN_NUMBER = re.compile(r"[+-]?[\d\s.,()]+")


def neutralise(value: Any) -> str:
    """The cell's text, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def may_run_as_formula(text: str) -> bool:
    """True for an imported cell that a spreadsheet would run: worth a warning."""
    return text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)
