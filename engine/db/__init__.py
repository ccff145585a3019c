"""Persistence: the SQLAlchemy models, the database connection with its transactions, and the Alembic migrations
that create the same schema on SQLite and PostgreSQL."""
