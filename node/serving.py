"""The production server process: waitress serving a node built without its CLI machinery.

``chaleur serve`` replaces itself with ``python -m node.serving`` so the long-running process
holds only what answering requests needs (no migration engine, no command modules).
"""

from __future__ import annotations

import argparse
import logging

from waitress import serve

from node import create_app
from node.sharing.worker import FederationWorker
from webui.idle_memory import IdleMemoryRelease


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m node.serving")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-federation", action="store_true")
    options = parser.parse_args(argv)
    app = create_app(with_cli=False)
    if not options.no_federation:
        FederationWorker(app).start()
    logging.getLogger("chaleur").info("serving %s on http://%s:%s", app.config["PUBLIC_URL"],
                                      options.host, options.port)
    served = IdleMemoryRelease(app)
    served.start()
    serve(served, host=options.host, port=options.port, threads=options.threads, ident="chaleur")


if __name__ == "__main__":
    main()
