"""pathway_instance.started_on: the pathway start date under the instance's rule set

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pathway_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pathway_instance", schema=None) as batch_op:
        batch_op.drop_column("started_on")
