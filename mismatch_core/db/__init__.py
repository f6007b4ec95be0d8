"""Database layer: typed models, migrations, bulk load, queries and query-plan checks.

Modules: ``models`` (tables and indexes), ``engine`` (SQLite file or PostgreSQL URL),
``migrate`` (packaged Alembic migrations), ``load`` (transactional batched load),
``frames`` (table frames from a data set), ``queries`` (the backend's reads),
``explain`` (plans and checks) and ``experiment`` (the before/after measurement).
"""
