"""``python -m directory``: the directory's command line."""

from directory.cli import main

main()
