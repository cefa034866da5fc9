"""ActivityPub, the outward-facing layer: a village (node) or the Pays (directory) as a
fediverse ``Group`` that Mastodon, Mobilizon and Gancio users can follow.

Only public content leaves this way; the native Chaleur protocol (RFC 9421, Ed25519) is
unchanged. Like the rest of :mod:`federation`, this package takes and returns plain data:
no Flask, no app import. The apps hand it their keys, their clock and their storage.

* :mod:`.signatures` — draft-cavage HTTP signatures as the fediverse speaks them (RSA-2048,
  ``rsa-sha256`` / ``hs2019``), signing and verifying, with an injected key fetcher.
* :mod:`.vocabulary` — the JSON documents: WebFinger, actor, Event (read by each importer),
  activities, collections, NodeInfo.
* :mod:`.store` — followers, the outbox and the delivery queue as SQL tables that each app
  declares in its own metadata, and the functions over them.
"""
