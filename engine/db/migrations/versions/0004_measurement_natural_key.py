"""indicator_measurement: unique (instance_id, indicator_key, sequence), the key commands update by

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_measurement", schema=None) as batch_op:
        batch_op.create_index("ux_measurement_occurrence", ["instance_id", "indicator_key", "sequence"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("indicator_measurement", schema=None) as batch_op:
        batch_op.drop_index("ux_measurement_occurrence")
