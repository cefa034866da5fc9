"""Fixtures of the public page tests.

No context stays pushed while the test client makes requests: a request would otherwise reuse
the test's application context (and its ``g``, where Flask-Login caches the signed-in user).
Set data up inside ``with ctx():`` blocks and keep plain values (UUIDs, ids) out of them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from flask import Flask


@pytest.fixture
def ctx(app: Flask) -> Callable[[], AbstractContextManager[Any]]:
    """A request context factory, to set data up through the services."""
    return app.test_request_context
