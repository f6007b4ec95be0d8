"""WSGI entry point for gunicorn: ``gunicorn 'mismatch_core.backend.wsgi:app'``.

Settings come from the environment, because gunicorn starts each worker by import:
``MISMATCH_MODE`` (baseline or optimized), ``MISMATCH_DATABASE_URL`` and, optionally,
``MISMATCH_REDIS_URL``, ``MISMATCH_MATCHER`` (baseline or vectorized), ``MISMATCH_CACHE``
(1 or 0) and ``MISMATCH_RATE_LIMIT`` (requests per client per minute).
"""

from __future__ import annotations

import os

from mismatch_core.backend.app import BackendConfig, create_app

app = create_app(
    BackendConfig(
        mode=os.environ.get("MISMATCH_MODE", "optimized"),
        database_url=os.environ.get("MISMATCH_DATABASE_URL"),
        redis_url=os.environ.get("MISMATCH_REDIS_URL") or None,
        matcher=os.environ.get("MISMATCH_MATCHER") or None,
        cache={"1": True, "0": False}.get(os.environ.get("MISMATCH_CACHE", "")),
        rate_limit=int(os.environ.get("MISMATCH_RATE_LIMIT", "6000")),
    )
)
