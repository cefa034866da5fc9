"""Print the fingerprint of the directory's current federation key, read from its key folder.

The directory keeps its keys like a node does (``<instance>/keys/<node_id>:k<N>.pem``, see
docs/federation.md §2). The set-up step publishes only this public fingerprint in a volume the
"join" steps read, so a node's container never sees the directory's private key.

Exit status 0 with the fingerprint on stdout; 1 with a French message when there is no key.
"""

from __future__ import annotations

import sys
from pathlib import Path

from federation.keys import fingerprint, load_private_key, parse_keyid


def current_key_fingerprint(keys_dir: Path) -> str | None:
    """The fingerprint of the highest-version key in ``keys_dir``, or None if there is none."""
    candidates = []
    for path in keys_dir.glob("*.pem") if keys_dir.is_dir() else ():
        try:
            candidates.append((parse_keyid(path.stem).version, path))
        except ValueError:
            continue  # not a key file of ours
    if not candidates:
        return None
    _, path = max(candidates)
    return fingerprint(load_private_key(path, path.stem).public_key)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage : directory_fingerprint.py DOSSIER_DES_CLES", file=sys.stderr)
        return 2
    found = current_key_fingerprint(Path(argv[1]))
    if found is None:
        print(f"Aucune clé de fédération dans {argv[1]}.", file=sys.stderr)
        return 1
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
