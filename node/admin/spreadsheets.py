"""CSV exports for funders and the CSV member import."""

from node.admin import bp  # noqa: F401
