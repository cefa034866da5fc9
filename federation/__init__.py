"""Chaleur federation protocol core.

Pure Python: no web framework, no database. The node and the directory both call it
with plain data (method, path, headers, raw body bytes) and get plain data back, so the
protocol is defined once and tests drive it directly. See docs/federation.md.
"""

PROTOCOL_VERSION = "1"
