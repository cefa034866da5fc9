"""The Pays's fediverse tables, the same shape as a village's
(:func:`federation.activitypub.store.define_tables`); migration 0006 creates them."""

from directory.extensions import db
from federation.activitypub.store import define_tables

fediverse_tables = define_tables(db.metadata)
