"""Who deployed a pathway version (a user, the command line, or none: the pathway folder at start-up)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pathway_version") as batch:
        batch.add_column(sa.Column("deployed_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pathway_version") as batch:
        batch.drop_column("deployed_by")
