"""Alembic environment and versions of the schema; run them with ``mismatch_core.db.migrate``."""
