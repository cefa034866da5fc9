"""One log line per request, in a format an operator can grep; level from CHALEUR_LOG_LEVEL.

Only method, path (never the query string, which may carry tokens), status and duration are
written: no form field, header or body ever reaches the log.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(app: Flask) -> None:
    level = str(app.config.get("LOG_LEVEL", "INFO")).upper()
    if not logging.getLogger().handlers:
        logging.basicConfig(format=LOG_FORMAT)
    app.logger.setLevel(level)
    logging.getLogger("chaleur").setLevel(level)
    request_log = logging.getLogger("chaleur.request")

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        request_log.info("request method=%s path=%s status=%s ms=%.1f",
                         request.method, request.path, response.status_code, elapsed_ms)
        return response
