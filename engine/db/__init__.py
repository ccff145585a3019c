"""Persistence: the SQLAlchemy models, the database connection with its transactions, several reads sent in one
round trip, and the Alembic migrations that create the same schema on SQLite and PostgreSQL."""
