"""Who deployed a pathway version (a user, the command line, or none: the pathway folder at start-up)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pathway_version") as batch:
        batch.add_column(sa.Column("deployed_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pathway_version") as batch:
        batch.drop_column("deployed_by")
