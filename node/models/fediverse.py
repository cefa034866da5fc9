"""The village's fediverse tables (followers, outbox, delivery queue, published Events,
remote keys), declared from :func:`federation.activitypub.store.define_tables` so the node
and the directory keep the same shape; migration 0009 creates them."""

from federation.activitypub.store import define_tables
from node.extensions import db

fediverse_tables = define_tables(db.metadata)
