"""The task list's sort key stored on the task (urgent_on) and indexes in the list's order, per unit and overall

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")
#: engine.db.models.NO_URGENT_DATE
NO_URGENT_DATE = "9999-12-31"
#: The nearest running deadline of the task's instance, else its own due date (engine.reading.tasks before 0012).
BACKFILL = f"""UPDATE coordinator_task SET urgent_on = COALESCE(
    (SELECT min(m.due_on) FROM indicator_measurement m WHERE m.instance_id = coordinator_task.instance_id
     AND m.end_on IS NULL AND m.status IN ('pending', 'overdue')), due_on, '{NO_URGENT_DATE}')"""


def upgrade() -> None:
    op.add_column("coordinator_task", sa.Column("urgent_on", sa.Date(), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table("coordinator_task", schema=None) as batch_op:
        batch_op.alter_column("urgent_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_index("ix_task_open_unit_urgent", ["unit", "urgent_on", "due_on", "created_at", "id"],
                              postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index("ix_task_open_urgent", ["urgent_on", "due_on", "created_at", "id"],
                              postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index("ix_task_open_patient", ["patient_key"], postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    with op.batch_alter_table("coordinator_task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_open_patient")
        batch_op.drop_index("ix_task_open_urgent")
        batch_op.drop_index("ix_task_open_unit_urgent")
        batch_op.drop_column("urgent_on")
