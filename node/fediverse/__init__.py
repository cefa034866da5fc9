"""The village as a fediverse Group: what the node hands :mod:`webui.fediverse`.

* :mod:`.site` — the actor (name, summary, key) and the public Event documents;
* :mod:`.publishing` — the flush hook that turns a public rencontre's creation, change,
  cancellation or removal into Create, Update or Delete in the same transaction.

What may leave is decided by :func:`node.fediverse.site.is_published`: a rencontre whose
visibility is *public* and which is not cancelled. Nothing else reaches an activity.
"""
