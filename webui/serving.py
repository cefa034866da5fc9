"""Running an app in production, the same way for a node and for the directory.

The command-line ``serve`` replaces itself (:func:`hand_over`) with ``python -m
<app>.serving``, so the long-running process holds only what answering requests needs: no
migration engine and no command modules. That process reads the same options
(:func:`server_options`) and serves the app with waitress behind
:class:`~webui.idle_memory.IdleMemoryRelease` (:func:`serve_app`), so freed memory goes back
to the system between bursts.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from flask import Flask

from webui.background import BackgroundLoop
from webui.idle_memory import IdleMemoryRelease

#: How long a stopping server waits for a background loop to finish its current round.
STOP_WAIT_SECONDS = 30.0
#: File in the instance folder holding the id of the process that serves it.
PID_FILE = "serve.pid"


def hand_over(module: str, host: str, port: int, threads: int, federation: bool,
              instance_path: str) -> NoReturn:
    """Replace this process with ``python -m <module>`` serving on ``host:port``.

    The server gets the instance this command found, so it reads the same settings file
    whatever its working directory.
    """
    sys.stdout.flush()
    os.environ["CHALEUR_INSTANCE_PATH"] = instance_path
    args = [sys.executable, "-m", module, "--host", host, "--port", str(port),
            "--threads", str(threads)] + ([] if federation else ["--no-federation"])
    os.execv(sys.executable, args)


def server_options(module: str, default_port: int,
                   argv: list[str] | None = None) -> argparse.Namespace:
    """The options :func:`hand_over` passes: host, port, threads, no_federation."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-federation", action="store_true")
    return parser.parse_args(argv)


def _stop_serving(signum: int, frame: object) -> None:
    """SIGTERM ends the serving loop the way Ctrl-C does: waitress catches SystemExit, lets
    the requests in progress finish, and ``serve_app`` returns."""
    raise SystemExit(0)


def serve_app(app: Flask, options: argparse.Namespace, ident: str,
              background: Sequence[BackgroundLoop] = ()) -> None:
    """Serve ``app`` with waitress until SIGTERM or Ctrl-C, trimming memory when idle.

    Stopping is clean: waitress stops listening and waits (up to 5 s) for the requests in
    progress; each ``background`` loop finishes its current round (up to
    :data:`STOP_WAIT_SECONDS`); then the interpreter exits normally, so mails still in the
    in-memory queue are sent first (``node.services.mail_queue``). The default SIGTERM would
    have killed all of that mid-way. A port already taken is a French line, not a traceback;
    the process id is noted in the instance once the port is ours (:func:`running_server`).
    """
    import logging

    from waitress.server import create_server

    served = IdleMemoryRelease(app)
    served.start()
    logging.basicConfig()
    try:
        server = create_server(served, host=options.host, port=options.port,
                               threads=options.threads, ident=ident,
                               max_request_body_size=body_limit(app))
    except OSError as error:
        if error.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        print(f"Erreur : impossible d'écouter sur {options.host}:{options.port} "
              f"({error.strerror}). " + (
                  "Ce port est déjà pris : un autre « serve » tourne-t-il déjà (son terminal, "
                  "ou le service systemd) ? Sinon choisissez un autre port (--port, ou "
                  "SERVE_PORT dans settings.toml)." if error.errno == errno.EADDRINUSE else
                  "Vérifiez l'adresse d'écoute (--host) ; un port sous 1024 demande les "
                  "droits d'administrateur."), file=sys.stderr)
        sys.exit(1)
    signal.signal(signal.SIGTERM, _stop_serving)
    pid_file = Path(app.instance_path) / PID_FILE
    pid_file.write_text(str(os.getpid()))
    server.print_listen("Serving on http://{}:{}")
    try:
        server.run()
    finally:
        for loop in background:
            loop.stop(timeout=STOP_WAIT_SECONDS)
        pid_file.unlink(missing_ok=True)


def body_limit(app: Flask) -> int:
    """Waitress's ``max_request_body_size`` for ``app``: its ``MAX_CONTENT_LENGTH``.

    Waitress reads a whole request body before it calls the app (1 GiB by default), so a limit
    checked only by Flask is checked too late: a 200 MiB declaration would be read in full
    before being refused. With this limit waitress answers 413 as soon as the headers declare
    more, and stops reading a chunked body at the limit. Waitress refuses a length *equal* to
    its limit, hence the one byte more.
    """
    return int(app.config["MAX_CONTENT_LENGTH"]) + 1


def running_server(instance: Path) -> int | None:
    """The id of the server process serving this instance, if one is running.

    A restore must not replace the database under a running server (its connections would
    keep writing to the replaced file); ``serve`` notes its process id in the instance.
    """
    try:
        pid = int((instance / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid  # alive, another user's (the service account)
    return pid
