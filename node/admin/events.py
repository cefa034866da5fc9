"""Managing rencontres and marking attendance."""

from node.admin import bp  # noqa: F401
