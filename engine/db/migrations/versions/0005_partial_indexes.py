"""Partial indexes: open tasks only for the task lists, pending measurements only for the overdue sweep

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")
PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("coordinator_task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_open_unit_due")
        batch_op.drop_index("ix_task_open_pathway_due")
        batch_op.drop_index("ix_task_assignee")
        batch_op.create_index("ix_task_open_unit_due", ["unit", "due_on"], postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index("ix_task_open_pathway_due", ["pathway_key", "due_on"], postgresql_where=OPEN,
                              sqlite_where=OPEN)
        batch_op.create_index("ix_task_open_assignee", ["assignee"], postgresql_where=OPEN, sqlite_where=OPEN)
    with op.batch_alter_table("indicator_measurement", schema=None) as batch_op:
        batch_op.drop_index("ix_measurement_status_due")
        batch_op.create_index("ix_measurement_pending_due", ["due_on"], postgresql_where=PENDING,
                              sqlite_where=PENDING)


def downgrade() -> None:
    with op.batch_alter_table("indicator_measurement", schema=None) as batch_op:
        batch_op.drop_index("ix_measurement_pending_due")
        batch_op.create_index("ix_measurement_status_due", ["status", "due_on"])
    with op.batch_alter_table("coordinator_task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_open_assignee")
        batch_op.drop_index("ix_task_open_pathway_due")
        batch_op.drop_index("ix_task_open_unit_due")
        batch_op.create_index("ix_task_assignee", ["assignee", "status"])
        batch_op.create_index("ix_task_open_pathway_due", ["status", "pathway_key", "due_on"])
        batch_op.create_index("ix_task_open_unit_due", ["status", "unit", "due_on"])
