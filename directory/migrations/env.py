"""Alembic environment of the Pays directory: the shared one (webui.migration_env), keeping
the full-text index out of autogenerate."""

from webui.migration_env import run


def include_name(name, type_, parent_names):
    """The full-text index (FTS5 table and its shadow tables, or the tsvector table) is
    created by the migrations themselves, outside the models: never compare or drop it."""
    if type_ == "table" and name is not None and name.startswith("record_text"):
        return False
    return True


run(include_name=include_name)
