"""The production server process: waitress serving a node built without its CLI machinery.

``chaleur serve`` replaces itself with ``python -m node.serving`` (see :mod:`webui.serving`)
so the long-running process holds only what answering requests needs.
"""

from __future__ import annotations

import logging

from node import create_app
from node.sharing.worker import FederationWorker
from webui.serving import serve_app, server_options


def main(argv: list[str] | None = None) -> None:
    options = server_options("node.serving", 5000, argv)
    app = create_app(with_cli=False)
    background = [] if options.no_federation else [FederationWorker(app)]
    for loop in background:
        loop.start()
    logging.getLogger("chaleur").info("serving %s on http://%s:%s", app.config["PUBLIC_URL"],
                                      options.host, options.port)
    serve_app(app, options, ident="chaleur", background=background)


if __name__ == "__main__":
    main()
