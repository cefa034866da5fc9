"""``python -m node``: the same as the ``chaleur`` command."""

from node.cli import main

main()
