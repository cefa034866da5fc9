"""The directory's production server process: waitress serving a directory built without its
CLI machinery.

``python -m directory serve`` replaces itself with ``python -m directory.serving`` so the
long-running process holds only what answering requests and pulling feeds need (no migration
engine, no command modules).
"""

from __future__ import annotations

import argparse

from waitress import serve

from directory import create_app
from directory.peering import identity
from directory.peering.worker import PullWorker
from directory.services.people_index import warm_in_background


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m directory.serving")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5050)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-federation", action="store_true")
    options = parser.parse_args(argv)
    app = create_app(with_cli=False)
    warm_in_background(app)  # the first search need not build the people index
    if not options.no_federation:
        with app.app_context():
            has_identity = identity.current_identity() is not None
        if has_identity:  # without one, nothing to pull: `python -m directory init` first
            PullWorker(app).start()
    serve(app, host=options.host, port=options.port, threads=options.threads,
          ident="chaleur-directory")


if __name__ == "__main__":
    main()
