from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.db.models import Base


def test_migrations_create_exactly_the_models_schema(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
