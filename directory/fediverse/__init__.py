"""The Pays as a fediverse Group: every village's *public* rencontres, in one account.

A node says which of its shared rencontres are public (``"public": true`` in the event
payload); the directory's agenda shows network rencontres too, but only public ones, not
cancelled, from admitted nodes, ever reach the fediverse (:func:`.site.is_published`).
"""
