"""A small rate-limited Flask app for gunicorn, used by tests and the notebook.

Configured from the environment, because gunicorn imports the factory in each worker:
``MISMATCH_RATELIMIT_STORAGE`` (a storage URI, default ``memory://``) and
``MISMATCH_RATELIMIT_LIMIT`` (``requests/seconds``, default ``5/60``). Run it with
``gunicorn -w 3 -b 127.0.0.1:8000 'mismatch_core.ratelimit.demo_app:create_app()'``.
"""

from __future__ import annotations

import os
import time

from flask import Flask, jsonify, request

from mismatch_core.ratelimit.middleware import FlaskRateLimiter

STORAGE_ENV = "MISMATCH_RATELIMIT_STORAGE"
LIMIT_ENV = "MISMATCH_RATELIMIT_LIMIT"
# Upper bound of the ``hold`` query parameter, so a request never ties a worker up long.
MAX_HOLD_SECONDS = 0.2


def parse_limit(text: str) -> tuple[int, float]:
    """Parse ``"5/60"`` into ``(5, 60.0)``: requests per window in seconds."""
    try:
        requests_text, window_text = text.split("/")
        return int(requests_text), float(window_text)
    except ValueError:
        raise ValueError(f"invalid rate limit {text!r}; write requests/seconds, e.g. 5/60") from None


def create_app(storage: str | None = None, limit: str | None = None) -> Flask:
    """Return an app whose ``/match`` route is limited per client, and ``/health`` is not.

    Every response names the worker process that served it in ``X-Worker-Pid``.
    """
    app = Flask(__name__)
    max_requests, window = parse_limit(limit or os.environ.get(LIMIT_ENV, "5/60"))
    limiter = FlaskRateLimiter(
        app,
        storage=storage or os.environ.get(STORAGE_ENV, "memory://"),
        default_limit=None,
    )

    @app.get("/match")
    @limiter.limit(max_requests, window, name="match")
    def match():
        # ``hold`` keeps this worker busy briefly, so concurrent requests spread over workers.
        hold = min(max(float(request.args.get("hold", 0)), 0.0), MAX_HOLD_SECONDS)
        if hold:
            time.sleep(hold)
        return jsonify(worker=os.getpid())

    @app.after_request
    def name_worker(response):
        response.headers["X-Worker-Pid"] = str(os.getpid())
        return response

    @app.get("/health")
    @limiter.exempt
    def health():
        return jsonify(status="ok", worker=os.getpid())

    return app
