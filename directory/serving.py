"""The directory's production server process: waitress serving a directory built without its
CLI machinery.

``python -m directory serve`` replaces itself with ``python -m directory.serving`` so the
long-running process holds only what answering requests and pulling feeds need (no migration
engine, no command modules).
"""

from __future__ import annotations

from directory import create_app
from directory.peering import identity
from directory.peering.worker import PullWorker
from directory.services.people_index import warm_in_background
from webui.serving import serve_app, server_options


def main(argv: list[str] | None = None) -> None:
    options = server_options("directory.serving", 5050, argv)
    app = create_app(with_cli=False)
    warm_in_background(app)  # the first search need not build the people index
    background = []
    if not options.no_federation:
        with app.app_context():
            has_identity = identity.current_identity() is not None
        if has_identity:  # without one, nothing to pull: `python -m directory init` first
            background.append(PullWorker(app))
    for loop in background:
        loop.start()
    serve_app(app, options, ident="chaleur-directory", background=background)


if __name__ == "__main__":
    main()
