"""pathway_instance.last_occurred_on and timer_signature: answer per-command checks from the locked row

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pathway_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_occurred_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("timer_signature", sa.String(length=40), nullable=True))
    op.execute("UPDATE pathway_instance SET last_occurred_on = (SELECT max(e.occurred_on) FROM measuring_point_event e"
               " WHERE e.instance_id = pathway_instance.id)")
    # Unknown fingerprint for existing timers: the next command rewrites them once.
    op.execute("UPDATE pathway_instance SET timer_signature = 'migrated' WHERE id IN "
               "(SELECT DISTINCT instance_id FROM due_timer)")


def downgrade() -> None:
    with op.batch_alter_table("pathway_instance", schema=None) as batch_op:
        batch_op.drop_column("timer_signature")
        batch_op.drop_column("last_occurred_on")
