"""The Flask backend that wires the matcher, database, cache, limiter and metrics."""

from mismatch_core.backend.app import BackendConfig, create_app

__all__ = ["BackendConfig", "create_app"]
