"""JSON errors for the HTTP API: every client mistake is a 4xx that names the field."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A client error with an HTTP status, the offending field and a hint to fix it."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def to_json(self) -> dict[str, object]:
        """Return the error body: ``{"error": {"message": ..., "field": ...}}``."""
        body: dict[str, object] = {"message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return {"error": body}


def register_error_handlers(app: Flask) -> None:
    """Turn ``ApiError`` and werkzeug's HTTP errors into JSON responses."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return jsonify(error.to_json()), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status == 413:
            message = (
                f"request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes; "
                "send a smaller body"
            )
            return jsonify(ApiError(413, message, "body").to_json()), 413
        return jsonify({"error": {"message": error.description or error.name}}), status
