"""The database layer: SQLModel tables, engine/session settings, Alembic migrations, and the
functions that move values between the pure planning core (calendars/) and the tables.

Importing this package is free; importing its modules is not (sqlmodel costs ~0.5 s), so the
CLI's planning path imports `models.db`, `models.tables` or `models.store` only when it needs a
database. Dependencies point one way: models imports calendars, never the reverse.
"""
