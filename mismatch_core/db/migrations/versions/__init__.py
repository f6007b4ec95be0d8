"""Alembic revisions, oldest first: the initial schema, then the query indexes."""
