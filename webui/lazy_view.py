"""A view whose module is imported by its first request, not when the app is built.

Flask's "lazily loading views" pattern: the URL rule exists from the start (so ``url_for``,
CSRF exemptions and rate limits behave as usual), the code behind it is imported when a
request first reaches it. The node uses it for its federation endpoints, whose signing stack
(cryptography, HTTP message signatures: about 10 MB) a node nobody federates with never needs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from flask.typing import ResponseReturnValue
from werkzeug.utils import import_string

View = Callable[..., ResponseReturnValue]


class LazyView:
    """Stands for ``import_name`` (``"package.module.function"``) until first called.

    It carries the real view's module and name, so the endpoint name and Flask-Limiter's key
    for the view's own limits are the same as if the function had been registered directly.
    """

    def __init__(self, import_name: str) -> None:
        self.import_name = import_name
        self.__module__, _, self.__name__ = import_name.rpartition(".")
        self.__qualname__ = self.__name__

    @cached_property
    def view(self) -> View:
        view: View = import_string(self.import_name)
        return view

    def __call__(self, *args: Any, **kwargs: Any) -> ResponseReturnValue:
        return self.view(*args, **kwargs)
